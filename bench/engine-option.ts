/**
 * The options bench/packets.ts and bench/decide.ts share so that bench/engine-ab.ts can run them
 * on two engines in turn: `--engine <file>` compiles the bench's policies into that prebuilt
 * engine instead of build/engine.wasm (say, one built from an older commit), and `--json <file>`
 * writes the figures there as well as printing the table.
 */
import { readFileSync, writeFileSync } from "node:fs";

export const ENGINE_OPTIONS_HELP = `  --engine <file>  the prebuilt engine to compile into (default build/engine.wasm)
  --json <file>    also write the figures as JSON: {"engine": file, "figures": {name: value}}
  --cpu-time       time with the process's CPU time instead of the wall clock (a shared machine)`;

function valueOf(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) {
    console.error(`${flag} needs a file`);
    process.exit(2);
  }
  return v;
}

const enginePath = valueOf("--engine");
const jsonPath = valueOf("--json");

/** The engine bytes `--engine` names, for compileModule's `engine` option (undefined: the default). */
export const benchEngine: Uint8Array | undefined = enginePath === undefined ? undefined : new Uint8Array(readFileSync(enginePath));

const cpuTime = process.argv.includes("--cpu-time");

/**
 * The clock the timed parts read, in ms: the wall clock, or with `--cpu-time` this process's CPU
 * time (user + system), which time spent waiting for a core shared with other jobs does not inflate.
 */
export function clock(): number {
  if (!cpuTime) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const figures: Record<string, number> = {};

/** Note one figure (higher is better: a rate) under a stable name; written by writeFigures(). */
export function figure(name: string, value: number): void {
  figures[name] = value;
}

/** Write the noted figures to the `--json` file, when one was given. */
export function writeFigures(): void {
  if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify({ engine: enginePath ?? "build/engine.wasm", clock: cpuTime ? "cpu" : "wall", figures }, null, 1)}\n`);
}

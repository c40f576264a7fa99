/**
 * The options bench/packets.ts and bench/decide.ts share so that bench/engine-ab.ts can run them
 * on two engines in turn: `--engine <file>` compiles the bench's policies into that prebuilt
 * engine instead of build/engine.wasm (say, one built from an older commit), and `--json <file>`
 * writes the figures there as well as printing the table.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

export const ENGINE_OPTIONS_HELP = `  --engine <file>  the prebuilt engine to compile into (default build/engine.wasm)
  --json <file>    also write the figures as JSON: {"engine": file, "figures": {name: value}}
  --cpu-time       time with the process's CPU time instead of the wall clock (a shared machine)
  --baseline <file|git-ref>  also run every pass on this engine, in the same turns (a git ref:
                   its engine is built from that commit's asm/ in a temporary folder first)`;

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

const root = join(import.meta.dirname, "..");

/**
 * Build the engine of git ref `ref` (\`git archive <ref> asm scripts common package.json\` in a
 * temporary folder with this tree's node_modules, scripts/build-engine.mjs run with plain node).
 * Returns the engine file and a function that removes the folder.
 */
export function buildEngineAt(ref: string): { engine: string; commit: string; remove: () => void } {
  const dir = mkdtempSync(join(os.tmpdir(), "nvp-engine-base-"));
  const commit = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: root, encoding: "utf8" }).trim();
  const tar = execFileSync("git", ["archive", commit, "asm", "scripts", "common", "package.json"], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  execFileSync(process.execPath, [join(dir, "scripts/build-engine.mjs")], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  return { engine: join(dir, "build/engine.wasm"), commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const enginePath = valueOf("--engine");
const baselineArg = valueOf("--baseline");

/** The `--baseline` engine's bytes and what it is (undefined: no baseline). */
export const baseline: { code: Uint8Array; name: string } | undefined = (() => {
  if (baselineArg === undefined) return undefined;
  if (existsSync(baselineArg)) return { code: new Uint8Array(readFileSync(baselineArg)), name: baselineArg };
  const built = buildEngineAt(baselineArg);
  try {
    return { code: new Uint8Array(readFileSync(built.engine)), name: `${baselineArg} (${built.commit.slice(0, 12)})` };
  } finally {
    built.remove();
  }
})();
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

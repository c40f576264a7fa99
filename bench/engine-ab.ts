/**
 * Engine before/after benchmark (not a test): bench/packets.ts and bench/decide.ts on the engine of
 * an older commit (the base) and on this tree's build/engine.wasm, in one run, taking turns:
 * base, current, current, base, … (the order alternates each round, so drift in the machine's load
 * falls on both), each bench a fresh process with `--engine <file> --json <file>`. Prints, per
 * figure, the median of each side and current/base (> 1: the current engine is faster).
 *
 * The base engine is built from `git archive <ref> asm scripts common package.json` in a temporary
 * folder with this tree's node_modules (scripts/build-engine.mjs, plain node), so the comparison is
 * of the engine alone: the host, the compiler and the benches are this tree's on both sides.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { buildEngineAt } from "./engine-option.js";

const USAGE = `usage: npx tsx bench/engine-ab.ts [--base <git-ref>] [--rounds <n>] [--full] [--only packets|decide] [--cpu-time]
  --base <ref>     the commit whose engine is the base (default main)
  --rounds <n>     turns of each bench per engine (default 3)
  --full           the benches' full runs (default: their --quick runs, with --no-ndpi)
  --only <bench>   run one of the two benches
  --cpu-time       the benches time with their CPU time, not the wall clock (a machine shared
                   with other jobs: waiting for a core then does not count, cache contention does)
Run \`npm run build\` first: the current side is build/engine.wasm.`;

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const opt = (flag: string, dflt: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : dflt;
};
const ref = opt("--base", "main");
const rounds = Number(opt("--rounds", "3"));
const only = opt("--only", "");
if (!Number.isInteger(rounds) || rounds < 1 || !["", "packets", "decide"].includes(only)) {
  console.error(USAGE);
  process.exit(2);
}
const full = argv.includes("--full");
const cpu = argv.includes("--cpu-time") ? ["--cpu-time"] : [];
const root = join(import.meta.dirname, "..");
const current = join(root, "build/engine.wasm");
if (!existsSync(current)) {
  console.error("build/engine.wasm is missing: run `npm run build`");
  process.exit(2);
}

/** The base engine, built from `ref`, and a folder for the runs' JSON files. */
function buildBase(): { dir: string; engine: string; remove: () => void } {
  const built = buildEngineAt(ref);
  console.log(`base: ${ref} (${built.commit.slice(0, 12)}), engine ${readFileSync(built.engine).length} bytes; current: build/engine.wasm, ${readFileSync(current).length} bytes`);
  const dir = mkdtempSync(join(os.tmpdir(), "nvp-engine-ab-"));
  return { dir, engine: built.engine, remove: () => (rmSync(dir, { recursive: true, force: true }), built.remove()) };
}

const BENCHES: Record<string, string[]> = {
  packets: ["bench/packets.ts", ...(full ? [] : ["--quick"]), "--no-ndpi"],
  decide: ["bench/decide.ts", ...(full ? [] : ["--quick"])],
};

/** One bench on one engine, in its own process; its figures. */
function run(bench: string, engine: string, json: string): Record<string, number> {
  const tsx = join(root, "node_modules/.bin/tsx");
  execFileSync(tsx, [...(BENCHES[bench] as string[]), ...cpu, "--engine", engine, "--json", json], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return (JSON.parse(readFileSync(json, "utf8")) as { figures: Record<string, number> }).figures;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const rate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`);

const base = buildBase();
try {
  console.log(`machine: ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load at start ${os.loadavg()[0]?.toFixed(2)}`);
  console.log("");
  console.log("| figure | base (median) | current (median) | current/base | runs each |");
  console.log("|---|---:|---:|---:|---:|");
  for (const bench of Object.keys(BENCHES).filter((b) => only === "" || b === only)) {
    const got: [Record<string, number[]>, Record<string, number[]>] = [{}, {}];
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? [1, 0] : [0, 1]) {
        const figures = run(bench, side ? current : base.engine, join(base.dir, `${bench}-${side}.json`));
        for (const [k, v] of Object.entries(figures)) (got[side as 0 | 1][k] ??= []).push(v);
      }
    }
    for (const k of Object.keys(got[0])) {
      const b = median(got[0][k] as number[]);
      const c = median(got[1][k] ?? []);
      console.log(`| ${bench}: ${k} | ${rate(b)} | ${rate(c)} | ${(c / b).toFixed(3)} | ${rounds} |`);
    }
  }
  console.log("");
  console.log(`load at end ${os.loadavg()[0]?.toFixed(2)}; each run a fresh process; the order alternates each round; ${cpu.length ? "CPU time" : "wall clock"}`);
} finally {
  base.remove();
}

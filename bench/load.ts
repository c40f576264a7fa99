/**
 * Module load benchmark (not a test): loadModule on generated policies (bench/gen-policy.ts, the
 * same generator and sizes as bench/decide.ts), and what bounds it. Per size, medians of --runs:
 *   load         loadModule (structure, metadata, sha256, WebAssembly compile, one instantiation
 *                with the table copied in, the engine's table validation)
 *   load cpu     the process's CPU time (user + system) during loadModule: on a shared machine
 *                it moves less than wall time, since time spent waiting for a core is not in it
 *   +enforcer    loadModule, then new Enforcer on it (what a host pays before it can decide)
 *   2nd enforcer another Enforcer on the same module (a fresh instance: table copy + validation)
 *   sha256       one sha256 over the module bytes (the hash loadModule must check, the floor)
 * The modules are compiled first and the compiler's garbage collected (bench/gc.ts), as in an
 * enforcer that reads policy.wasm from disk; a full collection runs before every timed run.
 * Run: npx tsx bench/load.ts [--runs 21] [--sizes 100,1000,10000,100000] [--workloads 1000,10000]
 */
import { createHash } from "node:crypto";
import os from "node:os";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { gc, settle } from "./gc.js";
import { generatePolicy } from "./gen-policy.js";

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? d) : d;
};
const runs = Number(arg("--runs", "21"));
const sizes = arg("--sizes", "100,1000,10000,100000").split(",").map(Number);
const workloads = arg("--workloads", "1000,10000").split(",").map(Number);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** Median wall and CPU milliseconds of `f`. */
function timed(f: () => void): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
const ms = (x: number) => `${x.toFixed(2)} ms`;

const modules = sizes.flatMap((rules) =>
  workloads.map((nWorkloads) => {
    const g = generatePolicy(rules, nWorkloads, 0);
    const model = checkSources({ "bench.nvp": g.source }, ["bench.nvp"]).model;
    if (!model) throw new Error("the generated policy does not check");
    return { rules, nWorkloads, bytes: compileModule(model).bytes };
  }),
);

settle();
console.log(`nvp load benchmark — ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
console.log("");
console.log("| rules | workloads | module | load | load cpu | +enforcer | 2nd enforcer | sha256 |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const { rules, nWorkloads, bytes } of modules) {
  loadModule(bytes);
  const load = timed(() => loadModule(bytes));
  const first = timed(() => new Enforcer(loadModule(bytes)));
  const mod = loadModule(bytes);
  new Enforcer(mod);
  const second = timed(() => new Enforcer(mod));
  const sha = timed(() => createHash("sha256").update(bytes).digest());
  const size = `${(bytes.length / 1048576).toFixed(2)} MiB`;
  console.log(`| ${rules} | ${nWorkloads} | ${size} | ${ms(load.wall)} | ${ms(load.cpu)} | ${ms(first.wall)} | ${ms(second.wall)} | ${ms(sha.wall)} |`);
}

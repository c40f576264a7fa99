/**
 * Decision benchmark (not a test): generated policies of 100 … 100k rules over 100 … 10k
 * workloads (bench/gen-policy.ts), measured in one run:
 *   check (parse + check) and compile (lower + encode + emit) time, module size, load time,
 *   enforcer setup (instance + inventory), engine memory, and decisions per second for new flows
 *   (no cache): the wasm engine through the host (pre-encoded flows: records copied in, results
 *   copied out), the whole API (Flow objects in, Decision objects out), and the reference evaluator.
 * Run: npx tsx bench/decide.ts [--quick]   (prints a markdown table; docs/performance.md has one)
 */
import os from "node:os";
import * as A from "../common/abi.js";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { evaluate } from "../compiler/reference/index.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { generatePolicy } from "./gen-policy.js";

const quick = process.argv.includes("--quick");
const CONFIGS: [rules: number, workloads: number][] = quick
  ? [[100, 100], [10_000, 1000]]
  : [[100, 100], [100, 10_000], [1000, 1000], [10_000, 1000], [10_000, 10_000], [100_000, 1000], [100_000, 10_000]];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};
/** Repeat `f` (which does `n` decisions) for about `ms`; decisions per second. */
function rate(n: number, ms: number, f: () => void): number {
  f();
  let reps = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    f();
    reps++;
  }
  return (reps * n * 1000) / (performance.now() - t);
}
const fmt = (x: number, digits = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(digits));
const mib = (b: number) => `${(b / 1048576).toFixed(b < 1048576 ? 2 : 1)} MiB`;
const rateText = (r: number) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : r >= 1e3 ? `${(r / 1e3).toFixed(1)} k/s` : `${r.toFixed(0)} /s`);

console.log(`nvp decision benchmark — ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
console.log("");
console.log("| rules | workloads | check | compile | module | load | setup | memory | engine | host | API | reference | engine/ref |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const [rules, workloads] of CONFIGS) {
  const g = generatePolicy(rules, workloads, 20_000);
  let model: ReturnType<typeof checkSources>["model"];
  const checkMs = time(() => {
    model = checkSources({ "bench.nvp": g.source }, ["bench.nvp"]).model;
  });
  if (!model) throw new Error("the generated policy does not check");
  const m = model;
  let compiled = compileModule(m);
  const compileMs = median([0, 1, 2].map(() => time(() => (compiled = compileModule(m)))));
  const bytes = compiled.bytes;
  let mod = loadModule(bytes);
  const loadMs = median([0, 1, 2, 3, 4].map(() => time(() => (mod = loadModule(bytes)))));
  let enforcer = new Enforcer(mod);
  const setupMs = time(() => {
    enforcer = new Enforcer(mod);
    enforcer.setInventory(g.inventory);
  });
  const enc = enforcer.encode(g.flows);
  const out = new Uint8Array(g.flows.length * 32);
  // Engine: 1024-flow batches already in engine memory, decided over and over (what a host that
  // writes records straight into engine memory gets); host: pre-encoded flows copied in and out.
  const ex = enforcer.engineExports;
  const engineRates = enc.batches.slice(0, 8).map((b) => {
    new Uint8Array(ex.memory.buffer).set(b.records, A.FLOW_BASE);
    new Uint8Array(ex.memory.buffer).set(b.hosts, A.HOST_ARENA_BASE);
    return rate(b.n, 150, () => ex.decideMany(b.n));
  });
  const engine = engineRates.reduce((a, b) => a + b, 0) / engineRates.length;
  const wasm = rate(g.flows.length, 1500, () => enforcer.decideEncoded(enc, out));
  const api = rate(g.flows.length, 1500, () => enforcer.decideMany(g.flows));
  const ctx = { inventory: g.inventory, dns: {} };
  let k = 0;
  const refMs = time(() => {
    const t = performance.now();
    while (performance.now() - t < 1500 && k < g.flows.length) evaluate(m, ctx, g.flows[k++]!);
  });
  const ref = (k * 1000) / refMs;
  console.log(
    `| ${rules} | ${workloads} | ${fmt(checkMs)} ms | ${fmt(compileMs)} ms | ${mib(bytes.length)} | ${fmt(loadMs, 2)} ms | ${fmt(setupMs)} ms | ${mib(enforcer.stats().memoryBytes)} | ${rateText(engine)} | ${rateText(wasm)} | ${rateText(api)} | ${rateText(ref)} | ${fmt(engine / ref)}× |`,
  );
}
console.log("");
console.log("check = parse + check of the generated .nvp; compile = lower + encode + emit (median of 3); load = loadModule (median of 5);");
console.log("setup = new Enforcer + setInventory; memory = engine linear memory. Decisions per second, new flows, no cache:");
console.log("engine = records already in engine memory (decideMany export, 1024 per call); host = Enforcer.decideEncoded on");
console.log("20k pre-encoded flows (copied in and out); API = Enforcer.decideMany on Flow objects; reference = compiler/reference.");

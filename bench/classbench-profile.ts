/**
 * Where nvp's time and bytes go on one ClassBench set (not a test): the compiled table's bytes per
 * section, and a CPU profile of deciding the whole trace with an engine built with function names.
 *
 *   npx tsx bench/classbench-profile.ts <rules> <trace> [--seconds 3] [--engine build/engine.wasm]
 */
import { readFileSync } from "node:fs";
import { Session } from "node:inspector";
import * as A from "../common/abi.js";
import { compileModule } from "../compiler/pipeline.js";
import { isSimdEngine } from "../runtime/module/engine-code.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { readSet } from "./classbench.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const seconds = Number(opt("--seconds") ?? 3);
const enginePath = opt("--engine");
const [rulesFile, traceFile] = args;
if (!rulesFile || !traceFile) throw new Error("usage: classbench-profile.ts <rules> <trace>");
const { model, trace, flows } = readSet(rulesFile, traceFile);
const compiled = compileModule(model, enginePath ? { engine: readFileSync(enginePath) } : {});
console.log(`module ${compiled.bytes.length} bytes, table ${compiled.tableBytes}`);
for (const [k, v] of Object.entries(compiled.sizes).sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(16)} ${v}`);
const loaded = loadModule(compiled.bytes);
{
  // The sets' stored 64-rule words (each set's nnz), and the address classes' bundles.
  const t = new DataView(loaded.table.buffer, loaded.table.byteOffset, loaded.table.byteLength);
  const h = (f: number) => t.getUint32(f, true);
  let words = 0;
  for (let i = 0; i < h(A.H_NSETS); i++) words += t.getUint32(t.getUint32(h(A.H_SET_OFFS) + i * 4, true) + A.SET_NNZ, true);
  console.log(`  ${h(A.H_NSETS)} sets storing ${words} words; ${h(A.H_ACLS_N)} address classes, ${h(A.H_BUNDLES_N)} bundles; intervals ${h(A.H_ADDR4_N)} IPv4, ${h(A.H_ADDR6_N)} IPv6`);
}
console.log(`engine: ${isSimdEngine(loaded.wasm) ? "SIMD" : "scalar"} (NVP_ENGINE=${process.env.NVP_ENGINE ?? ""})`);
const enforcer = new Enforcer(loaded);
const enc = enforcer.encode(flows);
const ex = enforcer.engineExports;
const pass = () => {
  for (const b of enc.batches) {
    new Uint8Array(ex.memory.buffer).set(b.records, A.FLOW_BASE);
    ex.decideMany(b.n);
  }
};
pass();
const session = new Session();
session.connect();
const post = (m: string, p?: object) => new Promise<any>((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval: 100 });
await post("Profiler.start");
let passes = 0;
const t = performance.now();
while (performance.now() - t < seconds * 1000) {
  pass();
  passes++;
}
const ms = performance.now() - t;
const { profile } = await post("Profiler.stop");
console.log(`${((passes * trace.length) / ms / 1e3).toFixed(2)} M packets/s (${passes} passes of ${trace.length})`);
const self = new Map<string, number>();
const dt = profile.timeDeltas as number[];
const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
(profile.samples as number[]).forEach((id, i) => {
  const f = byId.get(id).callFrame;
  const name = f.functionName || `(${f.url.split("/").pop()})`;
  self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);

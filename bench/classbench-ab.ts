/**
 * Two engines on the same ClassBench set, interleaved in one process (not a test): by default the
 * scalar engine and the SIMD engine (runtime/engine-code.ts chooses), or two engine files given
 * with --a/--b (each compiled into its own module). Every packet of the trace per pass, batches
 * copied in as classbench-compare.ts does; R rounds of alternating passes; prints each engine's
 * best and median rate and the median ratio b/a. For A/B-ing engine changes on a shared machine.
 * With --layout, one engine (the runtime's choice) on two tables: a = whole class sets (no
 * bundles, format 6's sets), b = the default split into fine sets and bundles (docs/module.md
 * "Address classes"). --cpu-time times passes by the process's CPU time (a shared machine).
 *
 *   npx tsx bench/classbench-ab.ts <rules> <trace> [--rounds 15] [--a old.wasm --b new.wasm | --layout] [--cpu-time]
 */
import { readFileSync } from "node:fs";
import * as A from "../common/abi.js";
import { compileModule } from "../compiler/pipeline.js";
import { chooseEngine, isSimdEngine } from "../runtime/module/engine-code.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { readSet } from "./classbench.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const rounds = Number(opt("--rounds") ?? 15);
const files = [opt("--a"), opt("--b")];
const flag = (name: string) => args.includes(name) && args.splice(args.indexOf(name), 1).length > 0;
const layout = flag("--layout");
// CPU time instead of the wall clock: on a shared machine, waiting for a core then does not count.
const cpuTime = flag("--cpu-time");
const now = () => (cpuTime ? (({ user, system }) => (user + system) / 1e3)(process.cpuUsage()) : performance.now());
const [rulesFile, traceFile] = args;
if (!rulesFile || !traceFile) throw new Error("usage: classbench-ab.ts <rules> <trace> [--rounds 15] [--a a.wasm --b b.wasm]");
const { model, trace, flows } = readSet(rulesFile, traceFile);

const contenders = layout
  ? [Infinity, undefined].map((coarseClasses) => {
      const compiled = compileModule(model, coarseClasses === undefined ? {} : { coarseClasses });
      const label = `${coarseClasses === undefined ? "bundles" : "whole class sets"} (${(compiled.bytes.length / 2 ** 20).toFixed(2)} MiB)`;
      return { label, enforcer: new Enforcer(loadModule(compiled.bytes)) };
    })
  : (["scalar", "simd"] as const).map((engine, i) => {
  const file = files[i];
  chooseEngine(file ? "scalar" : engine);
  const module = loadModule(compileModule(model, file ? { engine: readFileSync(file) } : {}).bytes);
  const label = file ?? `${engine} (${isSimdEngine(module.wasm) ? "SIMD" : "scalar"} build)`;
  return { label, enforcer: new Enforcer(module) };
});
chooseEngine("auto");
// Records are encoded per module (the two modules differ when they carry different engines).
const encs = new Map(contenders.map((c) => [c.enforcer, c.enforcer.encode(flows)]));
const rate = (e: Enforcer) => {
  const enc = encs.get(e)!;
  const ex = e.engineExports;
  const t = now();
  for (const b of enc.batches) {
    new Uint8Array(ex.memory.buffer).set(b.records, A.FLOW_BASE);
    ex.decideMany(b.n);
  }
  return trace.length / (now() - t) / 1e3;
};
const same = contenders.map((c) => c.enforcer.decideEncoded(encs.get(c.enforcer)!));
if (!Buffer.from(same[0]!).equals(Buffer.from(same[1]!))) throw new Error("the engines decide differently");
const rates = contenders.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < contenders.length; i++) {
    const j = (i + r) % contenders.length;
    rates[j]!.push(rate(contenders[j]!.enforcer));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
contenders.forEach((c, i) => console.log(`${c.label}: best ${Math.max(...rates[i]!).toFixed(2)}, median ${median(rates[i]!).toFixed(2)} M packets/s`));
console.log(`b/a: median ratio ${median(rates[1]!.map((x, i) => x / rates[0]![i]!)).toFixed(2)} over ${rounds} rounds (${trace.length} packets a pass)`);

/**
 * Parse + check time and memory for generated policies of 1k, 10k and 100k rules.
 * Run: node --expose-gc --import tsx bench/parse-check.ts [sizes…]
 * Targets (issue 2): 10k rules checked in < 0.5 s, 100k in < 5 s, on the 2-core CI machine.
 */
import { checkSources } from "../compiler/pipeline.js";
import { parseSource } from "../compiler/ast/parse.js";
import { generatePolicy } from "./gen-policy.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

console.log("rules    bytes      parse ms  parse+check ms  heap MB  errors warnings");
for (const n of sizes.length ? sizes : [1_000, 10_000, 100_000]) {
  const text = generatePolicy(n, 100, 0).source;
  const runs = n >= 100_000 ? 3 : 5;
  const parseMs: number[] = [];
  const totalMs: number[] = [];
  let heap = 0;
  let result: ReturnType<typeof checkSources> | undefined;
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    parseSource("bench.nvp", text);
    parseMs.push(performance.now() - t0);
    gc();
    const before = process.memoryUsage().heapUsed;
    const t1 = performance.now();
    result = checkSources({ "bench.nvp": text }, ["bench.nvp"]);
    totalMs.push(performance.now() - t1);
    heap = Math.max(heap, process.memoryUsage().heapUsed - before);
  }
  const errors = result!.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result!.diagnostics.length - errors;
  console.log(
    `${String(n).padEnd(8)} ${String(text.length).padEnd(10)} ${median(parseMs).toFixed(1).padStart(8)}  ${median(totalMs).toFixed(1).padStart(14)}  ${(heap / 2 ** 20).toFixed(1).padStart(7)}  ${String(errors).padStart(6)} ${String(warnings).padStart(8)}`,
  );
}

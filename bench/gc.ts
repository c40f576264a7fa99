/**
 * A full garbage collection on demand, for benchmarks that time one operation at a time. Node
 * exposes `gc` only with --expose-gc; setting the flag at run time and taking `gc` from a fresh
 * context gives it anyway. `settle` also sleeps while the collector's concurrent work (sweeping,
 * returning memory) finishes: after a compile of 100k rules that is hundreds of MB.
 */
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
export const gc = vm.runInNewContext("gc") as () => void;

export function settle(ms = 500): void {
  gc();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The IPv4 address-class search alone (not a test): the scalar engine's branchless binary search
 * (asm/intervals.ts find32) against the SIMD engine's 16-key-node index (asm/addr-index.ts), on
 * random sorted starts of several sizes and random keys, in one WebAssembly instance built from
 * asm/bench/addr-search.ts with `--enable simd`. Best of R interleaved rounds, ns per search.
 * Checks both return the same index first.
 *
 *   npx tsx bench/addr-search.ts [--rounds 15]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ri = process.argv.indexOf("--rounds");
const rounds = ri >= 0 ? Number(process.argv[ri + 1]) : 15;
const out = join(mkdtempSync(join(os.tmpdir(), "nvp-addr-search-")), "addr-search.wasm");
const asc = await import("assemblyscript/asc");
const { error, stderr } = await asc.main(
  [join(root, "asm/bench/addr-search.ts"), "--outFile", out, "-O3", "--runtime", "stub", "--noAssert", "--use", "abort=", "--enable", "simd"],
  {},
);
if (error) throw new Error(`${stderr.toString()}\n${error.message}`);
const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {}).exports as unknown as {
  setup(n: number, seed: number): number;
  runScalar(iters: number, seed: number): number;
  runSimd(iters: number, seed: number): number;
};

const ITERS = 1_000_000;
console.log(`address search, ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}, best of ${rounds}`);
console.log("");
console.log("| intervals | scalar binary search | SIMD 16-key nodes | scalar/SIMD |");
console.log("|---:|---:|---:|---:|");
for (const n of [512, 1000, 3000, 10_000, 30_000, 100_000]) {
  if (!ex.setup(n, 12345)) throw new Error(`no index over ${n} starts`);
  if (ex.runScalar(100_000, 7) !== ex.runSimd(100_000, 7)) throw new Error(`the searches disagree at ${n} intervals`);
  let scalar = Infinity;
  let simd = Infinity;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    ex.runScalar(ITERS, r + 1);
    scalar = Math.min(scalar, performance.now() - t);
    t = performance.now();
    ex.runSimd(ITERS, r + 1);
    simd = Math.min(simd, performance.now() - t);
  }
  const ns = (ms: number) => `${((ms * 1e6) / ITERS).toFixed(1)} ns`;
  console.log(`| ${n} | ${ns(scalar)} | ${ns(simd)} | ${(scalar / simd).toFixed(2)} |`);
}

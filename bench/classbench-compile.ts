/**
 * Compile time of ClassBench sets (issue 3: `nvp compile` of 100k rules under 5 s). For each size,
 * the set bench/classbench-compare.ts uses (`generate(n, 0, n)`), or the given `.nvp` files:
 *   check    compileSources: read, parse and check (in this process, median of 3);
 *   compile  compileModule: lower, encode and emit (same runs);
 *   cli      `node bin/nvp.js compile FILE -o …` end to end in a fresh process, warnings printed
 *            as a user sees them (to a pipe), median of 3. Needs a build (`npm run build`).
 *
 *   npx tsx bench/classbench-compile.ts [sizes…]        default 1000 10000 100000
 *   npx tsx bench/classbench-compile.ts FILE.nvp…       e.g. the output of `classbench.ts nvp`
 *   add --no-cli to skip the end-to-end runs
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { compileSources } from "../compiler/check/index.js";
import { compileModule } from "../compiler/emit/compile-module.js";
import { generate, toNvp } from "./classbench.js";

const RUNS = 3;
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(os.tmpdir(), "nvp-cb-compile-"));
const args = process.argv.slice(2);
const cli = !args.includes("--no-cli") && existsSync(join(root, "dist/cli/main.js"));
const inputs = args.filter((a) => !a.startsWith("--"));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${x.toFixed(0)} ms`;

function measure(label: string, file: string): void {
  const source = readFileSync(file, "utf8");
  const check: number[] = [];
  const compile: number[] = [];
  let warnings = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const checked = compileSources({ [file]: source }, [file]);
    const t1 = performance.now();
    if (!checked.model) throw new Error(`${file}: ${checked.diagnostics.find((d) => d.severity === "error")?.message}`);
    bytes = compileModule(checked.model).bytes.length;
    check.push(t1 - t0);
    compile.push(performance.now() - t1);
    warnings = checked.diagnostics.length;
  }
  const total = check.map((c, i) => c + (compile[i] as number));
  let end = "—";
  if (cli) {
    const walls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(root, "bin/nvp.js"), "compile", file, "-o", join(dir, "out.wasm")], { encoding: "utf8", maxBuffer: 1 << 30 });
      walls.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`nvp compile exited ${r.status}: ${r.stderr.slice(-500)}`);
    }
    end = ms(median(walls));
  }
  console.log(`| ${label} | ${ms(median(check))} | ${ms(median(compile))} | ${ms(median(total))} | ${end} | ${warnings} | ${(bytes / 2 ** 20).toFixed(1)} MiB |`);
}

console.log(`${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}; medians of ${RUNS}`);
console.log("");
console.log("| set | check | compile | total | nvp compile (CLI) | warnings | module |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
if (inputs.some((a) => a.endsWith(".nvp"))) {
  for (const f of inputs) measure(f, f);
} else {
  for (const n of inputs.length ? inputs.map(Number) : [1000, 10_000, 100_000]) {
    const file = join(dir, `acl-${n}.nvp`);
    writeFileSync(file, toNvp(generate(n, 0, n).rules).source);
    measure(`acl-${n >= 1000 ? `${n / 1000}k` : n}`, file);
  }
}

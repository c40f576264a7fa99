/**
 * Compile time of ClassBench sets (issue 3: `nvp compile` of 100k rules under 5 s). For each size,
 * the set bench/classbench-compare.ts uses (`generate(n, 0, n)`), or the given `.nvp` files:
 *   check    checkSources: read, parse and check;
 *   compile  compileModule: lower, encode and emit;
 *   cli      `node bin/nvp.js compile FILE -o …` end to end, warnings printed as a user sees them
 *            (to a pipe). Needs a build (`npm run build`).
 * Every run is a fresh process (a cold start, as `nvp compile` has; runs in one process share a
 * heap full of the previous run's garbage); medians of 3.
 *
 *   npx tsx bench/classbench-compile.ts [sizes…]        default 1000 10000 100000
 *   npx tsx bench/classbench-compile.ts FILE.nvp…       e.g. the output of `classbench.ts nvp`
 *   add --no-cli to skip the end-to-end runs
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { generate, toNvp } from "./classbench.js";

const RUNS = 3;
const root = join(import.meta.dirname, "..");
const args = process.argv.slice(2);

/** One run in this process: prints `check compile warnings bytes`. */
function once(file: string): void {
  const source = readFileSync(file, "utf8");
  const t0 = performance.now();
  const checked = checkSources({ [file]: source }, [file]);
  const t1 = performance.now();
  if (!checked.model) throw new Error(`${file}: ${checked.diagnostics.find((d) => d.severity === "error")?.message}`);
  const bytes = compileModule(checked.model).bytes.length;
  console.log(`${t1 - t0} ${performance.now() - t1} ${checked.diagnostics.length} ${bytes}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${x.toFixed(0)} ms`;

function measure(label: string, file: string, dir: string): void {
  const check: number[] = [];
  const compile: number[] = [];
  let warnings = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--once", file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    const [c, m, w, b] = r.stdout.trim().split(" ").map(Number) as [number, number, number, number];
    check.push(c);
    compile.push(m);
    warnings = w;
    bytes = b;
  }
  const total = check.map((c, i) => c + (compile[i] as number));
  let end = "—";
  if (!args.includes("--no-cli") && existsSync(join(root, "dist/cli/main.js"))) {
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

if (args[0] === "--once" && args[1]) {
  once(args[1]);
} else {
  const dir = mkdtempSync(join(os.tmpdir(), "nvp-cb-compile-"));
  const inputs = args.filter((a) => !a.startsWith("--"));
  console.log(`${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}; medians of ${RUNS}`);
  console.log("");
  console.log("| set | check | compile | total | nvp compile (CLI) | warnings | module |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  if (inputs.some((a) => a.endsWith(".nvp"))) {
    for (const f of inputs) measure(f, f, dir);
  } else {
    for (const n of inputs.length ? inputs.map(Number) : [1000, 10_000, 100_000]) {
      const file = join(dir, `acl-${n}.nvp`);
      writeFileSync(file, toNvp(generate(n, 0, n).rules).source);
      measure(`acl-${n >= 1000 ? `${n / 1000}k` : n}`, file, dir);
    }
  }
}

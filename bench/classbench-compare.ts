/**
 * nvp vs DPDK's ACL library on the same ClassBench rule set and trace (not a test).
 * For each size: generate (or read) ClassBench rules and trace, run `dpdk-test-acl` (scalar, and its
 * default vector method), convert the rules to `.nvp`, compile, load, and decide the trace on the
 * wasm engine; check both pick the same rule for every packet; print the throughput ratio.
 * Needs `dpdk-test-acl` (Debian: apt-get install -y dpdk-dev).
 *
 *   npx tsx bench/classbench-compare.ts [sizes…]            e.g. 1000 10000 (default 1000 10000 100000)
 *   npx tsx bench/classbench-compare.ts --files a.rules a.trace
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as A from "../common/abi.js";
import type { Flow } from "../common/schema.js";
import { compileSources } from "../compiler/check/index.js";
import { compileModule } from "../compiler/emit/compile-module.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { type CbPacket, type CbRule, formatRule, formatTrace, generate, parseRules, parseTrace, toNvp } from "./classbench.js";

const dir = mkdtempSync(join(os.tmpdir(), "nvp-classbench-"));
const dotted = (ip: number) => [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");

function dpdk(rulesFile: string, traceFile: string, nRules: number, nTrace: number, alg: string, extra: string[] = []): string {
  const args = ["--no-huge", "--no-pci", "-l", "0", "--log-level=lib.eal:error", "--", `--rulesf=${rulesFile}`, `--tracef=${traceFile}`,
    `--rulenum=${Math.max(nRules, 1)}`, `--tracenum=${nTrace}`, ...(alg === "default" ? [] : [`--alg=${alg}`]), ...extra];
  try {
    return execFileSync("dpdk-test-acl", args, { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    // dpdk-test-acl 22.11 can crash while tearing down after it printed its results: keep them.
    const out = (e as { stdout?: string }).stdout ?? "";
    if (/pkt\/sec|result: \d+/.test(out)) return out;
    throw new Error(`dpdk-test-acl failed: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** pkt/sec of dpdk-test-acl, iterating long enough for about a second. */
function dpdkRate(rulesFile: string, traceFile: string, nRules: number, nTrace: number, alg: string): number {
  const once = dpdk(rulesFile, traceFile, nRules, nTrace, alg, ["--iter=1", "--verbose=0"]);
  const pps = (out: string) => Number(/cycles\/pkt, ([\d.]+) pkt\/sec/.exec(out)?.[1] ?? NaN);
  const iter = Math.max(1, Math.min(10_000, Math.round(pps(once) / nTrace)));
  return pps(dpdk(rulesFile, traceFile, nRules, nTrace, alg, [`--iter=${iter}`, "--verbose=0"]));
}

/** DPDK's matching rule (1-based line number, 0 = none) per packet. */
function dpdkMatches(rulesFile: string, traceFile: string, nRules: number, nTrace: number): number[] {
  const out = dpdk(rulesFile, traceFile, nRules, nTrace, "scalar", ["--iter=1", "--verbose=2"]);
  const res: number[] = [];
  for (const m of out.matchAll(/ipv4_5tuple: (\d+), category: 0, result: (\d+)/g)) res[Number(m[1]) - 1] = (Number(m[2]) + 1) % 2 ** 32;
  return res;
}

function flowOf(p: CbPacket): Flow {
  const proto = p.proto === 6 ? "tcp" : p.proto === 17 ? "udp" : p.proto;
  return { src: dotted(p.src), dst: dotted(p.dst), proto, port: p.dport, sport: p.sport };
}

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

const M = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;

function run(label: string, rules: CbRule[], trace: CbPacket[]): void {
  const rulesFile = join(dir, `${label}.rules`);
  const traceFile = join(dir, `${label}.trace`);
  writeFileSync(rulesFile, rules.map(formatRule).join("\n") + "\n");
  writeFileSync(traceFile, trace.map(formatTrace).join("\n") + "\n");

  let t = performance.now();
  const scalar = dpdkRate(rulesFile, traceFile, rules.length, trace.length, "scalar");
  const vector = dpdkRate(rulesFile, traceFile, rules.length, trace.length, "default");
  const dpdkMs = performance.now() - t;

  const { source, inexact } = toNvp(rules);
  t = performance.now();
  const checked = compileSources({ "classbench.nvp": source }, ["classbench.nvp"]);
  if (!checked.model) throw new Error(checked.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).slice(0, 3).join("\n"));
  const compiled = compileModule(checked.model);
  const compileMs = performance.now() - t;
  const enforcer = new Enforcer(loadModule(compiled.bytes));
  const flows = trace.map(flowOf);
  const enc = enforcer.encode(flows);
  const ex = enforcer.engineExports;
  const perBatch = enc.batches.slice(0, 10).map((b) => {
    new Uint8Array(ex.memory.buffer).set(b.records, A.FLOW_BASE);
    return rate(b.n, 150, () => ex.decideMany(b.n));
  });
  const engine = perBatch.reduce((a, b) => a + b, 0) / perBatch.length;
  const out = new Uint8Array(flows.length * A.RESULT_SIZE);
  const host = rate(flows.length, 1000, () => enforcer.decideEncoded(enc, out));

  // Same rule for every packet (DPDK: highest priority = first line; nvp: first match).
  const sample = Math.min(trace.length, 5000);
  const want = dpdkMatches(rulesFile, traceFile, rules.length, sample);
  const got = enforcer.decideMany(flows.slice(0, sample)).map((d) => d.rule);
  // Only packets DPDK printed a result for (its verbose run can stop early).
  const compared = want.filter((r) => r !== undefined).length;
  const agree = got.filter((r, i) => want[i] !== undefined && r === want[i]).length;

  console.log(
    `| ${label} | ${rules.length} | ${M(scalar)} | ${M(vector)} | ${M(engine)} | ${M(host)} | ${(engine / scalar).toFixed(2)} | ${compileMs.toFixed(0)} ms | ${(compiled.bytes.length / 1048576).toFixed(2)} MiB | ${agree}/${compared}${inexact ? ` (${inexact} inexact)` : ""} |`,
  );
  void dpdkMs;
}

console.log(`nvp vs dpdk-test-acl — ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
console.log("");
console.log("| set | rules | DPDK scalar | DPDK vector | nvp engine | nvp host | nvp/scalar | nvp compile | module | same rule |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
const args = process.argv.slice(2);
if (args[0] === "--files" && args[1] && args[2]) {
  run("file", parseRules(readFileSync(args[1], "utf8")), parseTrace(readFileSync(args[2], "utf8")));
} else {
  const sizes = args.length ? args.map(Number) : [1000, 10_000, 100_000];
  for (const n of sizes) {
    const { rules, trace } = generate(n, 20_000, n);
    run(`acl-${n >= 1000 ? `${n / 1000}k` : n}`, rules, trace);
  }
}
console.log("");
console.log("DPDK: dpdk-test-acl, one core, pkt/sec over the whole trace (scalar = --alg=scalar; vector = its default method).");
console.log("nvp engine: decideMany export on 1024-packet batches in engine memory; host: Enforcer.decideEncoded (copies in/out).");
console.log("same rule: of the first 5000 packets DPDK printed a result for (--verbose=2), those where both picked the same rule.");

/**
 * nvp vs DPDK's ACL library on the same ClassBench rule set and trace (not a test).
 *
 * For each set: reduce the rules to what nvp (and NeuVector) rules express, write them and the trace,
 * convert to `.nvp`, compile, load; then run R rounds. Every round runs each contender once, in an
 * order that rotates from round to round: `dpdk-test-acl` with each classify method this CPU has
 * (scalar, avx2, avx512x16 — labelled, never "vector"), and nvp deciding EVERY packet of the whole
 * trace through the engine's batch export, batch after batch copied into engine memory as a real run
 * does (no batch decided twice in a row with its data in cache). Each contender's figure is packets
 * per second over whole passes of the trace. Printed: per-round ratios nvp/DPDK, their median and
 * spread, module size and compile time, and rule agreement on every packet of the trace.
 * Needs `dpdk-test-acl` (Debian: apt-get install -y dpdk-dev).
 *
 *   npx tsx bench/classbench-compare.ts [--rounds 5] [sizes…]           generated sets, e.g. 1000 10000
 *   npx tsx bench/classbench-compare.ts --set acl1=acl1_10k.rules,acl1_10k.trace --set fw1=…
 *
 * DPDK runs with `--no-huge -m 1024`: real fw sets build tries larger than the default no-huge memory.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as A from "../common/abi.js";
import type { Flow } from "../common/schema.js";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { Enforcer, loadModule } from "../runtime/index.js";
import { type CbPacket, type CbRule, formatRule, formatTrace, generate, parseRules, parseTrace, reduceRule, toNvp } from "./classbench.js";

const dir = mkdtempSync(join(os.tmpdir(), "nvp-classbench-"));
const dotted = (ip: number) => [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
/** Seconds each contender runs per round (whole passes of the trace, at least one). */
const SECONDS = Number(process.env.NVP_BENCH_SECONDS ?? 1);

interface SetFiles {
  label: string;
  rules: CbRule[];
  trace: CbPacket[];
}

function dpdk(s: { rulesFile: string; traceFile: string; nRules: number; nTrace: number }, alg: string, extra: string[]): string {
  const args = ["--no-huge", "-m", "1024", "--no-pci", "-l", "0", "--log-level=lib.eal:error", "--", `--rulesf=${s.rulesFile}`,
    `--tracef=${s.traceFile}`, `--rulenum=${Math.max(s.nRules, 1)}`, `--tracenum=${s.nTrace}`, `--alg=${alg}`, ...extra];
  try {
    return execFileSync("dpdk-test-acl", args, { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    // dpdk-test-acl 22.11 can crash while tearing down after it printed its results: keep them.
    const out = (e as { stdout?: string }).stdout ?? "";
    if (/pkt\/sec|result: \d+/.test(out)) return out;
    throw new Error(`dpdk-test-acl --alg=${alg} failed: ${(e as Error).message.split("\n")[0]}`);
  }
}

const ppsOf = (out: string) => Number(/cycles\/pkt, ([\d.]+) pkt\/sec/.exec(out)?.[1] ?? NaN);

/** The classify methods to compare with: scalar always; avx2/avx512 when the CPU has them. */
function dpdkMethods(): string[] {
  const flags = readFileSync("/proc/cpuinfo", "utf8");
  const out = ["scalar"];
  if (/\bavx2\b/.test(flags)) out.push("avx2");
  if (/\bavx512f\b/.test(flags) && /\bavx512bw\b/.test(flags)) out.push("avx512x16");
  return out;
}

/** DPDK's matching rule for every packet of the trace (1-based line number, 0 = none). */
function dpdkMatches(s: Parameters<typeof dpdk>[0]): Int32Array {
  const out = dpdk(s, "scalar", ["--iter=1", "--verbose=2"]);
  const res = new Int32Array(s.nTrace).fill(-1);
  for (const m of out.matchAll(/ipv4_5tuple: (\d+), category: 0, result: (\d+)/g)) res[Number(m[1]) - 1] = (Number(m[2]) + 1) % 2 ** 32;
  return res;
}

function flowOf(p: CbPacket): Flow {
  const proto = p.proto === 6 ? "tcp" : p.proto === 17 ? "udp" : p.proto;
  return { src: dotted(p.src), dst: dotted(p.dst), proto, port: p.dport, sport: p.sport };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const M = (x: number) => `${(x / 1e6).toFixed(2)}`;

function run({ label, rules: raw, trace: rawTrace }: SetFiles, rounds: number): void {
  const rules = raw.map(reduceRule);
  // NeuVector decides TCP and UDP by port; ICMP only with icmp-policy on, other IP protocols never
  // (open): the trace keeps the packets a rule can decide, for both contenders.
  const trace = rawTrace.filter((p) => p.proto === 6 || p.proto === 17);
  const changed = rules.filter((r, i) => formatRule(r) !== formatRule(raw[i] as CbRule)).length;
  const files = { rulesFile: join(dir, `${label}.rules`), traceFile: join(dir, `${label}.trace`), nRules: rules.length, nTrace: trace.length };
  writeFileSync(files.rulesFile, rules.map(formatRule).join("\n") + "\n");
  writeFileSync(files.traceFile, trace.map(formatTrace).join("\n") + "\n");

  const { source } = toNvp(rules);
  const t0 = performance.now();
  const checked = checkSources({ "classbench.nvp": source }, ["classbench.nvp"]);
  if (!checked.model) throw new Error(checked.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).slice(0, 3).join("\n"));
  const compiled = compileModule(checked.model);
  const compileMs = performance.now() - t0;
  const enforcer = new Enforcer(loadModule(compiled.bytes));
  const enc = enforcer.encode(trace.map(flowOf));
  const ex = enforcer.engineExports;

  // One pass = every packet of the trace, each batch copied in and decided once.
  const pass = () => {
    for (const b of enc.batches) {
      new Uint8Array(ex.memory.buffer).set(b.records, A.FLOW_BASE);
      ex.decideMany(b.n);
    }
  };
  const nvpRate = () => {
    pass();
    let passes = 0;
    const t = performance.now();
    do {
      pass();
      passes++;
    } while (performance.now() - t < SECONDS * 1000);
    return (passes * trace.length * 1000) / (performance.now() - t);
  };
  const methods = dpdkMethods();
  const iters = new Map<string, number>();
  const dpdkRate = (alg: string) => {
    if (!iters.has(alg)) iters.set(alg, Math.max(1, Math.round((ppsOf(dpdk(files, alg, ["--iter=1", "--verbose=0"])) * SECONDS) / trace.length)));
    return ppsOf(dpdk(files, alg, [`--iter=${iters.get(alg)}`, "--verbose=0"]));
  };

  const contenders = ["nvp", ...methods];
  const rates = new Map<string, number[]>(contenders.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length] as string);
    for (const c of order) (rates.get(c) as number[]).push(c === "nvp" ? nvpRate() : dpdkRate(c));
  }

  // Same rule for every packet (DPDK: highest priority = first line; nvp: first match).
  const want = dpdkMatches(files);
  const raw2 = enforcer.decideEncoded(enc);
  const view = new DataView(raw2.buffer, raw2.byteOffset, raw2.byteLength);
  let agree = 0;
  let printed = 0;
  for (let i = 0; i < trace.length; i++) {
    if (want[i] === -1) continue;
    printed++;
    if (view.getUint32(i * A.RESULT_SIZE + A.R_RULE, true) === want[i]) agree++;
  }

  const nvp = rates.get("nvp") as number[];
  const cells = [`${label}`, `${rules.length}`, `${trace.length}`, `${M(median(nvp))}`];
  for (const m of methods) {
    const d = rates.get(m) as number[];
    const ratios = nvp.map((x, i) => x / (d[i] as number));
    cells.push(`${M(median(d))}`, `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  }
  cells.push(`${compileMs.toFixed(0)} ms`, `${(compiled.bytes.length / 1048576).toFixed(2)} MiB`, `${agree}/${trace.length}${printed < trace.length ? ` (DPDK printed ${printed})` : ""}`, `${changed}`, `${rawTrace.length - trace.length}`);
  console.log(`| ${cells.join(" | ")} |`);
  if (agree !== printed) process.exitCode = 1;
}

function main(): void {
  const args = process.argv.slice(2);
  let rounds = 5;
  const sets: SetFiles[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--rounds") rounds = Number(args[++i]);
    else if (a === "--set") {
      const m = /^([^=]+)=([^,]+),(.+)$/.exec(args[++i] ?? "");
      if (!m) throw new Error("--set NAME=RULES,TRACE");
      sets.push({ label: m[1] as string, rules: parseRules(readFileSync(m[2] as string, "utf8")), trace: parseTrace(readFileSync(m[3] as string, "utf8")) });
    } else sizes.push(Number(a));
  }
  if (!sets.length) {
    for (const n of sizes.length ? sizes : [1000, 10_000, 100_000]) {
      const { rules, trace } = generate(n, 20_000, n);
      sets.push({ label: `gen-${n >= 1000 ? `${n / 1000}k` : n}`, rules, trace });
    }
  }
  const methods = dpdkMethods();
  console.log(`nvp vs dpdk-test-acl — ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}, ${rounds} rounds`);
  console.log("");
  const head = ["set", "rules", "packets", "nvp M/s"];
  for (const m of methods) head.push(`DPDK ${m} M/s`, `nvp/${m} median (min–max)`);
  head.push("nvp compile", "module", "same rule", "rules reduced", "packets left out");
  console.log(`| ${head.join(" | ")} |`);
  console.log(`|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  for (const s of sets) run(s, rounds);
  console.log("");
  console.log("Every contender classifies every packet of the whole trace, in whole passes, for about");
  console.log(`${SECONDS} s per round; rounds rotate the order. DPDK: dpdk-test-acl, one core, --alg as labelled.`);
  console.log("nvp: decideMany export, each 1024-packet batch copied into engine memory, then decided.");
  console.log("same rule: packets where both picked the same rule, over the whole trace. rules reduced: rules whose");
  console.log("source ports or protocol NeuVector rules cannot express, widened the same way for both. packets left out:");
  console.log("not TCP or UDP (NeuVector leaves other IP protocols open and ICMP to a setting), for both.");
}

main();

/**
 * A header trace for any ClassBench rule file, made the way ClassBench's own trace generator does
 * (Taylor and Turner, "ClassBench: a packet classification benchmark", INFOCOM 2005, §6 "Trace
 * generator"): until the trace holds `scale` × rules headers, pick a rule uniformly at random, take a
 * random corner of it (each field's low or high end, chosen by a fair coin), and write that header
 * a Pareto(a, b)-distributed number of times (a = 1, b = 0.1 as ClassBench's defaults: one copy
 * nine times in ten, a long tail of repeats). The public 100k sets (acl1_100k, fw1_100k) come without
 * traces; this gives them one in the format dpdk-test-acl and bench/classbench-compare.ts read.
 *
 *   npx tsx bench/classbench-trace.ts <rules-file> <trace-out> [--scale 10] [--seed 1]
 *
 * The last column is the generating rule's line number (1-based), as in ClassBench's traces; it is
 * not necessarily the first rule the header matches, and no bench reads it as such.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseRules, type CbRule } from "./classbench.js";
import { rng } from "./gen-policy.js";

const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** Low and high end of each of the five fields of a rule (addresses as unsigned 32-bit). */
function bounds(r: CbRule): [number, number][] {
  const prefix = (p: { ip: number; len: number }): [number, number] => {
    const lo = (p.ip & maskOf(p.len)) >>> 0;
    return [lo, (lo | ~maskOf(p.len)) >>> 0];
  };
  // A protocol value/mask pair: mask 0 is any protocol (0..255), 0xff one value.
  const proto: [number, number] = r.proto.mask === 0 ? [0, 255] : [r.proto.value, r.proto.value];
  return [prefix(r.src), prefix(r.dst), r.sport, r.dport, proto];
}

/** ClassBench's MyPareto: ceil(b / (1 - p)^(1/a)), one copy when b is 0. */
function pareto(random: () => number, a: number, b: number): number {
  if (b === 0) return 1;
  return Math.max(1, Math.ceil(b / Math.pow(1 - random(), 1 / a)));
}

export function traceFor(rules: readonly CbRule[], scale = 10, seed = 1, a = 1, b = 0.1): string[] {
  const random = rng(seed);
  const want = scale * rules.length;
  const lines: string[] = [];
  while (lines.length < want) {
    const i = Math.floor(random() * rules.length);
    const corner = bounds(rules[i] as CbRule).map(([lo, hi]) => (random() < 0.5 ? lo : hi));
    const line = `${corner.join("\t")}\t${i + 1}`;
    for (let n = pareto(random, a, b); n > 0 && lines.length < want; n--) lines.push(line);
  }
  return lines;
}

if (process.argv[1]?.endsWith("classbench-trace.ts")) {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = Number(args.splice(i, 2)[1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} wants a positive number`);
    return v;
  };
  const scale = opt("--scale", 10);
  const seed = opt("--seed", 1);
  const [rulesFile, out] = args;
  if (!rulesFile || !out) {
    console.error("usage: classbench-trace.ts <rules-file> <trace-out> [--scale 10] [--seed 1]");
    process.exit(2);
  }
  const rules = parseRules(readFileSync(rulesFile, "utf8"));
  const lines = traceFor(rules, scale, seed);
  writeFileSync(out, lines.join("\n") + "\n");
  console.error(`${out}: ${lines.length} headers from ${rules.length} rules`);
}

/**
 * ClassBench rule and trace files: a generator (ACL-like rule sets: nested prefixes, wildcards,
 * exact and ranged destination ports, tcp/udp/any), a parser for any ClassBench IPv4 file in the
 * format DPDK's dpdk-test-acl reads, and a converter to `.nvp`, so one rule set runs through both.
 *
 *   npx tsx bench/classbench.ts gen <rules> <traces> <out-prefix>   → <prefix>.rules, <prefix>.trace
 *   npx tsx bench/classbench.ts nvp <file.rules>                     → .nvp on stdout
 *
 * Conversion: each distinct non-wildcard prefix becomes an address group, 0.0.0.0/0 becomes `any`,
 * rule order is kept (rule N is line N, first match = DPDK's highest priority). nvp rules have no
 * source ports, so a rule whose source-port range is not 0:65535 cannot be expressed: it is
 * converted without it and counted (the generator never emits one). Protocol 6/17 with a port
 * range becomes `tcp/…`/`udp/…`; protocol wildcard with a port range becomes both; protocol 1
 * becomes `icmp`; other single protocols become `any` (over-matching; counted).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Flow } from "../common/schema.js";
import { checkSources } from "../compiler/pipeline.js";
import type { PolicyModel } from "../compiler/model.js";
import { rng } from "./gen-policy.js";

export interface CbRule {
  src: { ip: number; len: number };
  dst: { ip: number; len: number };
  sport: [number, number];
  dport: [number, number];
  proto: { value: number; mask: number };
}

const dotted = (ip: number) => [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

export function formatRule(r: CbRule): string {
  return `@${dotted(r.src.ip)}/${r.src.len}\t${dotted(r.dst.ip)}/${r.dst.len}\t${r.sport[0]} : ${r.sport[1]}\t${r.dport[0]} : ${r.dport[1]}\t0x${r.proto.value.toString(16).padStart(2, "0")}/0x${r.proto.mask.toString(16).padStart(2, "0")}`;
}

export function parseRules(text: string): CbRule[] {
  const out: CbRule[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^@(\S+)\/(\d+)\s+(\S+)\/(\d+)\s+(\d+)\s*:\s*(\d+)\s+(\d+)\s*:\s*(\d+)\s+(0x[0-9a-fA-F]+|\d+)\/(0x[0-9a-fA-F]+|\d+)/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a ClassBench rule: ${line}`);
    const ip = (s: string) => s.split(".").reduce((a, p) => a * 256 + Number(p), 0) >>> 0;
    const n = (s: string) => Number(s);
    const [, sa, sl, da, dl, s0, s1, d0, d1, pv, pm] = m as unknown as string[];
    out.push({
      src: { ip: ip(sa as string), len: n(sl as string) },
      dst: { ip: ip(da as string), len: n(dl as string) },
      sport: [n(s0 as string), n(s1 as string)],
      dport: [n(d0 as string), n(d1 as string)],
      proto: { value: n(pv as string), mask: n(pm as string) },
    });
  }
  return out;
}

export interface CbPacket {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
}

export function parseTrace(text: string): CbPacket[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [src, dst, sport, dport, proto] = l.split(/\s+/).map(Number) as number[];
      return { src: (src as number) >>> 0, dst: (dst as number) >>> 0, sport: sport as number, dport: dport as number, proto: proto as number };
    });
}

/** An ACL-like rule set: prefixes drawn from a pool of networks (so they nest and repeat). */
export function generate(nRules: number, nTrace: number, seed = 1): { rules: CbRule[]; trace: CbPacket[] } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const nets = Array.from({ length: Math.max(16, nRules >> 3) }, () => (int(224) << 24) | (int(256) << 16) | (int(256) << 8) | int(256));
  const prefix = (): { ip: number; len: number } => {
    const x = r();
    if (x < 0.12) return { ip: 0, len: 0 };
    const len = x < 0.5 ? 32 : x < 0.7 ? 24 + int(8) : x < 0.9 ? 16 + int(8) : 8 + int(8);
    const base = nets[int(nets.length)] as number;
    return { ip: (base & maskOf(len)) >>> 0, len };
  };
  const PORTS = [21, 22, 23, 25, 53, 80, 110, 123, 143, 161, 443, 445, 993, 1433, 1521, 3306, 3389, 5432, 8080, 8443];
  const rules: CbRule[] = [];
  for (let i = 0; i < nRules; i++) {
    const px = r();
    const dport: [number, number] = px < 0.6 ? ((p) => [p, p] as [number, number])(PORTS[int(PORTS.length)] as number) : px < 0.7 ? [1024, 65535] : px < 0.75 ? [0, 1023] : [0, 65535];
    const pr = r();
    const proto = pr < 0.7 ? { value: 6, mask: 0xff } : pr < 0.9 ? { value: 17, mask: 0xff } : { value: 0, mask: 0 };
    rules.push({ src: prefix(), dst: prefix(), sport: [0, 65535], dport, proto });
  }
  // Traces: mostly headers inside a random rule (ClassBench's trace generator does the same), some random.
  const trace: CbPacket[] = [];
  for (let i = 0; i < nTrace; i++) {
    const inside = (p: { ip: number; len: number }) => (p.ip | (int(0x100000000) & ~maskOf(p.len))) >>> 0;
    if (r() < 0.8) {
      const rule = rules[int(rules.length)] as CbRule;
      const proto = rule.proto.mask ? rule.proto.value : r() < 0.5 ? 6 : 17;
      const dport = rule.dport[0] + int(rule.dport[1] - rule.dport[0] + 1);
      trace.push({ src: inside(rule.src), dst: inside(rule.dst), sport: 1024 + int(64512), dport, proto });
    } else {
      trace.push({ src: int(0x100000000) >>> 0, dst: int(0x100000000) >>> 0, sport: int(65536), dport: int(65536), proto: r() < 0.5 ? 6 : 17 });
    }
  }
  return { rules, trace };
}

/**
 * A rule as NeuVector (and nvp) rules can express it: no source ports (widened to 0:65535); a
 * single protocol other than tcp/udp/icmp, or a partial protocol mask, widens to any protocol and
 * port; icmp keeps no port range. Both contenders of a comparison get the reduced set.
 */
export function reduceRule(r: CbRule): CbRule {
  const out: CbRule = { ...r, sport: [0, 65535] };
  const { value, mask } = r.proto;
  if (mask !== 0 && (mask !== 0xff || ![1, 6, 17].includes(value))) {
    out.proto = { value: 0, mask: 0 };
    out.dport = [0, 65535];
  } else if (mask === 0xff && value === 1) out.dport = [0, 65535];
  return out;
}

export interface Converted {
  source: string;
  /** Rules whose source ports or protocol nvp cannot express exactly. */
  inexact: number;
}

/** ClassBench rules → `.nvp`, one rule per line in the same order (rule id = line number). */
export function toNvp(rules: readonly CbRule[], name = "classbench"): Converted {
  const groups = new Map<string, string>();
  const group = (p: { ip: number; len: number }) => {
    if (p.len === 0) return "any";
    const key = `${dotted((p.ip & maskOf(p.len)) >>> 0)}/${p.len}`;
    let g = groups.get(key);
    if (!g) {
      g = `n${groups.size}`;
      groups.set(key, g);
    }
    return g;
  };
  let inexact = 0;
  const lines: string[] = [];
  rules.forEach((r, i) => {
    const from = group(r.src);
    const to = group(r.dst);
    const allPorts = r.dport[0] === 0 && r.dport[1] === 65535;
    const range = r.dport[0] === r.dport[1] ? `${r.dport[0]}` : `${r.dport[0]}-${r.dport[1]}`;
    let ports: string;
    if (r.sport[0] !== 0 || r.sport[1] !== 65535) inexact++;
    if (r.proto.mask === 0) ports = allPorts ? "" : ` port tcp/${range}, udp/${range}`;
    else if (r.proto.value === 6) ports = ` port tcp/${allPorts ? "any" : range}`;
    else if (r.proto.value === 17) ports = ` port udp/${allPorts ? "any" : range}`;
    else if (r.proto.value === 1) ports = " port icmp";
    else {
      inexact++;
      ports = "";
    }
    lines.push(`rule ${i + 1} allow ${from} -> ${to}${ports}`);
  });
  const head = [`policy ${name}`, "settings { default-mode protect }"];
  for (const [cidr, g] of groups) head.push(`group ${g} { address ${cidr} }`);
  return { source: [...head, ...lines].join("\n") + "\n", inexact };
}

/**
 * A ClassBench rule file and trace as the engine benches read them: rules reduced (reduceRule), the
 * trace kept to TCP and UDP, as flows, and the checked `.nvp` model of the rules.
 */
export function readSet(rulesFile: string, traceFile: string): { model: PolicyModel; trace: CbPacket[]; flows: Flow[] } {
  const rules = parseRules(readFileSync(rulesFile, "utf8")).map(reduceRule);
  const trace = parseTrace(readFileSync(traceFile, "utf8")).filter((p) => p.proto === 6 || p.proto === 17);
  const checked = checkSources({ "cb.nvp": toNvp(rules).source }, ["cb.nvp"]);
  if (!checked.model) throw new Error(`${rulesFile}: the converted rules do not compile`);
  const flows = trace.map((p): Flow => ({ src: dotted(p.src), dst: dotted(p.dst), proto: p.proto === 6 ? "tcp" : "udp", port: p.dport }));
  return { model: checked.model, trace, flows };
}

const formatTrace = (p: CbPacket) => `${p.src}\t${p.dst}\t${p.sport}\t${p.dport}\t${p.proto}`;

if (process.argv[1]?.endsWith("classbench.ts")) {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === "gen" && a && b && c) {
    const { rules, trace } = generate(Number(a), Number(b));
    writeFileSync(`${c}.rules`, rules.map(formatRule).join("\n") + "\n");
    writeFileSync(`${c}.trace`, trace.map(formatTrace).join("\n") + "\n");
  } else if (cmd === "nvp" && a) {
    const out = toNvp(parseRules(readFileSync(a, "utf8")));
    process.stdout.write(out.source);
    if (out.inexact) console.error(`${out.inexact} rule(s) have source ports or a protocol nvp cannot express exactly`);
  } else {
    console.error("usage: classbench.ts gen <rules> <traces> <out-prefix> | nvp <file.rules>");
    process.exit(2);
  }
}

export { formatTrace };

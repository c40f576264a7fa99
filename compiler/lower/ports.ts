/**
 * Ports and protocols (S3): per protocol, the rules that match every port (base), and for tcp and
 * udp elementary port intervals with the remaining rules covering them.
 */
import type { PortModel, RuleModel } from "../model.js";
import type { IrPortInterval, IrPorts, RuleList } from "./ir.js";
import { rulesWhere, sameList } from "./rule-lists.js";

const everyPort = (p: PortModel) => p.lo <= 0 && p.hi >= 65535;

/** Does the rule match every port of `proto` ("tcp" / "udp")? */
function wholeProto(r: RuleModel, proto: "tcp" | "udp"): boolean {
  return r.ports.length === 0 || r.ports.some((p) => p.proto === "any" || (p.proto === proto && everyPort(p)));
}

/** Sweep over item end points: each elementary interval gets the rules active over it. */
function portIntervals(rules: readonly RuleModel[], base: RuleList, proto: "tcp" | "udp"): IrPortInterval[] {
  const inBase = new Set(base);
  const events: { at: number; rule: number; delta: 1 | -1 }[] = [];
  rules.forEach((r, rule) => {
    if (inBase.has(rule)) return;
    for (const p of r.ports) {
      if (p.proto !== proto) continue;
      const lo = Math.max(0, p.lo);
      const hi = Math.min(65535, p.hi);
      if (lo > hi) continue;
      events.push({ at: lo, rule, delta: 1 });
      if (hi < 65535) events.push({ at: hi + 1, rule, delta: -1 });
    }
  });
  if (events.length === 0) return [];
  events.sort((a, b) => a.at - b.at);
  const active = new Map<number, number>();
  const out: IrPortInterval[] = [];
  const emit = (lo: number, hi: number) => {
    const list = [...active.keys()].sort((a, b) => a - b);
    const last = out[out.length - 1];
    if (last && sameList(last.rules, list)) last.hi = hi;
    else out.push({ lo, hi, rules: list });
  };
  let start = 0;
  let i = 0;
  while (i < events.length) {
    const at = (events[i] as (typeof events)[number]).at;
    if (at > start) {
      emit(start, at - 1);
      start = at;
    }
    for (; i < events.length && (events[i] as (typeof events)[number]).at === at; i++) {
      const e = events[i] as (typeof events)[number];
      const n = (active.get(e.rule) ?? 0) + e.delta;
      if (n === 0) active.delete(e.rule);
      else active.set(e.rule, n);
    }
  }
  emit(start, 65535);
  return out;
}

/**
 * `icmpPolicy` off (NeuVector's default): only rules with an `icmp` item see ICMP — dpi_policy_cfg
 * expands a protocol-less rule to TCP and UDP alone — and the engine passes unmatched ICMP.
 */
export function lowerPorts(rules: readonly RuleModel[], icmpPolicy: boolean): IrPorts {
  const coversIcmp = (p: PortModel) => p.proto === "icmp" || (icmpPolicy && p.proto === "any");
  const tcpBase = rulesWhere(rules, (r) => wholeProto(r, "tcp"));
  const udpBase = rulesWhere(rules, (r) => wholeProto(r, "udp"));
  return {
    tcpBase,
    tcp: portIntervals(rules, tcpBase, "tcp"),
    udpBase,
    udp: portIntervals(rules, udpBase, "udp"),
    icmp: rulesWhere(rules, (r) => (icmpPolicy && r.ports.length === 0) || r.ports.some(coversIcmp)),
    other: rulesWhere(rules, (r) => r.ports.length === 0 || r.ports.some((p) => p.proto === "any")),
  };
}

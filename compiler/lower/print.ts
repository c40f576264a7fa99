/**
 * The IR printer: a stable text rendering for golden tests (test/golden/lower/) and
 * `nvp compile --dump-after lower`. Rule lists print as index ranges (`r0-r3,r7`).
 */
import { appById } from "../../common/apps.js";
import { formatIp } from "../../common/ip.js";
import { THREATS } from "../../common/threats.js";
import type { CriterionModel } from "../model.js";
import type { DecisionIR, FromTo, IrGroup, IrThreat, RuleList } from "./ir.js";

export function formatList(l: RuleList, prefix = "r"): string {
  const parts: string[] = [];
  for (let i = 0; i < l.length; ) {
    let j = i;
    while (j + 1 < l.length && (l[j + 1] as number) === (l[j] as number) + 1) j++;
    parts.push(j > i ? `${prefix}${l[i]}-${prefix}${l[j]}` : `${prefix}${l[i]}`);
    i = j + 1;
  }
  return `{${parts.join(",")}}`;
}

const fromTo = (ft: FromTo) => `from=${formatList(ft.from)} to=${formatList(ft.to)}`;

function criterion(c: CriterionModel): string {
  const key = c.labelKey !== undefined ? `${c.key} ${c.labelKey}` : c.key;
  return `${key} ${c.op} ${JSON.stringify(c.value)}`;
}

function describeGroup(g: IrGroup): string {
  const parts: string[] = [g.kind];
  if (g.service) parts.push(`service ${g.service.service}/${g.service.namespace}`);
  if (g.mode) parts.push(`mode ${g.mode}`);
  if (g.criteria?.length) parts.push(g.criteria.map(criterion).join("; "));
  for (const d of g.dns ?? []) parts.push(`dns ${d.wildcard ? "*." : ""}${d.name}`);
  for (const v of g.vh ?? []) parts.push(`vh ${v.wildcard ? "*." : ""}${v.name} -> s${v.slot}`);
  return parts.join(", ");
}

function describeThreat(t: IrThreat): string {
  const params = (THREATS[t.code]?.params ?? []).map((p, i) => `${p.name}=${t.params[i]}${p.kind === "duration" ? "ms" : ""}`);
  return [`t${t.code}`, t.slug, t.enabled ? "on" : "off", t.block ? "block" : "report", t.severity, ...params].join(" ");
}

export function printIr(ir: DecisionIR): string {
  const out: string[] = [];
  const s = ir.settings;
  out.push(`policy ${ir.policy}`);
  const carveOuts = `${s.icmpPolicy ? " icmp-policy=on" : ""}${s.linkLocalPolicy ? " link-local-policy=on" : ""}${s.openshift ? " platform=openshift" : ""}`;
  out.push(`settings xff=${s.xff ? "on" : "off"} contention=${s.contention} default-mode=${s.defaultMode} nodes-mode=${s.nodesMode}${carveOuts}`);
  out.push(`rules (${ir.rules.length})`);
  for (const r of ir.rules) out.push(`  r${r.index} id=${r.id} ${r.action}${r.learned ? " learned" : ""}`);
  out.push(`groups (${ir.groups.length})`);
  for (const g of ir.groups) out.push(`  g${g.index} ${g.name} [${describeGroup(g)}] ${fromTo(g)}`);
  out.push("kinds");
  for (const [kind, ft] of Object.entries(ir.kinds)) out.push(`  ${kind} ${fromTo(ft)}`);
  out.push(`addresses (${ir.addrIntervals.length} intervals, ${ir.addrClasses.length} classes)`);
  for (const iv of ir.addrIntervals) out.push(`  ${formatIp(iv.lo)} .. ${formatIp(iv.hi)} -> a${iv.cls}`);
  ir.addrClasses.forEach((c, i) => out.push(`  a${i} groups=${formatList(c.groups, "g")} ${fromTo(c)}`));
  const p = ir.ports;
  out.push("ports");
  out.push(`  tcp base=${formatList(p.tcpBase)}`);
  for (const iv of p.tcp) out.push(`    ${iv.lo}-${iv.hi} ${formatList(iv.rules)}`);
  out.push(`  udp base=${formatList(p.udpBase)}`);
  for (const iv of p.udp) out.push(`    ${iv.lo}-${iv.hi} ${formatList(iv.rules)}`);
  out.push(`  icmp ${formatList(p.icmp)}`);
  out.push(`  other ${formatList(p.other)}`);
  out.push(`apps any=${formatList(ir.apps.any)}`);
  for (const a of ir.apps.byApp) out.push(`  ${appById(a.app)?.name ?? a.app} ${formatList(a.rules)}`);
  out.push(`vh slots (${ir.vhSlots.length})`);
  ir.vhSlots.forEach((v, i) => out.push(`  s${i} g${v.group} ${v.wildcard ? "*." : ""}${v.name} ${fromTo(v)}`));
  out.push(`threats (${ir.threats.length}, ${ir.threats.filter((t) => t.enabled).length} on)`);
  for (const t of ir.threats) out.push(`  ${describeThreat(t)}`);
  return out.join("\n") + "\n";
}

/**
 * `nvp learn --into FILE`: what the existing policy already has, so learning adds only new rules.
 * A learned rule is dropped when an allow rule of the policy covers it: the same from and to groups
 * (by NeuVector name: `nv.<svc>.<ns>`, a built-in, a DNS name), its applications any or a superset,
 * its ports any or a superset. Names the policy declares are not declared again.
 */
import { findApp } from "../../common/apps.js";
import type { GroupModel, PolicyModel } from "../../compiler/model.js";
import type { LearnedGroup, LearnedRule } from "../../runtime/learn/learner.js";

export interface ExistingPolicy {
  ids: number[];
  /** Every name the policy declares or uses (aliases, groups, params). */
  names: Set<string>;
  /** Service groups declared with an alias: `nv.<svc>.<ns>` → alias. */
  services: Map<string, string>;
  rules: { from: Set<string>; to: Set<string>; apps: number[]; ports: PolicyModel["rules"][number]["ports"] }[];
}

/** The names a group answers to, as learned groups are named. */
function keysOf(g: GroupModel): string[] {
  const out = [g.name];
  if (g.service) out.push(`nv.${g.service.service}.${g.service.namespace}`);
  for (const a of g.addresses ?? []) if (a.kind === "dns" && !a.wildcard) out.push(a.name);
  return out;
}

export function existingRules(model: PolicyModel): ExistingPolicy {
  const names = new Set<string>([...Object.keys(model.params)]);
  const services = new Map<string, string>();
  for (const g of model.groups) {
    names.add(g.name);
    if (g.kind === "service" && g.service && !g.name.startsWith("nv.")) services.set(`nv.${g.service.service}.${g.service.namespace}`, g.name);
  }
  const rules = model.rules
    .filter((r) => r.action === "allow")
    .map((r) => ({
      from: new Set(r.from.flatMap((i) => keysOf(model.groups[i]!))),
      to: new Set(r.to.flatMap((i) => keysOf(model.groups[i]!))),
      apps: r.apps,
      ports: r.ports,
    }));
  return { ids: model.rules.map((r) => r.id), names, services, rules };
}

function groupKey(g: LearnedGroup): string {
  return g.kind === "dns" ? g.dnsName : g.name;
}

/** Does a port list (empty = any) hold `tcp/N`, `udp/N`, `icmp`? `any` only when it is any. */
function portCovered(ports: ExistingPolicy["rules"][number]["ports"], p: string): boolean {
  if (ports.length === 0 || ports.some((x) => x.proto === "any")) return true;
  if (p === "any") return false;
  if (p === "icmp") return ports.some((x) => x.proto === "icmp");
  const m = /^(tcp|udp)\/(\d+)$/.exec(p);
  if (!m) return false;
  const n = Number(m[2]);
  return ports.some((x) => x.proto === m[1] && x.lo <= n && n <= x.hi);
}

function covered(r: LearnedRule, e: ExistingPolicy["rules"][number]): boolean {
  if (!e.from.has(groupKey(r.from)) || !e.to.has(groupKey(r.to))) return false;
  if (r.kind === "app") {
    const ids = r.apps.map((a) => findApp(a)?.id ?? -1);
    return (e.apps.length === 0 || ids.every((id) => e.apps.includes(id))) && portCovered(e.ports, "any");
  }
  return e.apps.length === 0 && r.ports.every((p) => portCovered(e.ports, p));
}

export function withoutCovered(rules: readonly LearnedRule[], existing: ExistingPolicy): LearnedRule[] {
  return rules.filter((r) => !existing.rules.some((e) => covered(r, e)));
}

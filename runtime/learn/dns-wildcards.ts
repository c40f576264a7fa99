/**
 * External peers learned by DNS name, widened to wildcards (`nvp learn --dns-wildcards`): two or
 * more names under the same parent domain (`db-1.rds.example.com`, `db-2.rds.example.com`) become
 * one group `*.rds.example.com`, and the rules that differed only by those names merge (the lowest
 * id stays; apps and ports are united, port rules past 20 ports become `any` as learning does).
 * A parent needs two labels at least, so no wildcard ever covers a whole top-level domain.
 */
import { MAX_LEARNED_PORTS, PORT_ANY, sortPorts, type LearnedGroup, type LearnedRule } from "./learner.js";

/** name → `*.parent` for every parent with at least two learned names under it. */
export function wildcardPlan(rules: readonly LearnedRule[]): Map<string, string> {
  const names = new Set<string>();
  for (const r of rules) for (const g of [r.from, r.to]) if (g.kind === "dns" && !g.dnsName.startsWith("*.")) names.add(g.dnsName);
  const byParent = new Map<string, string[]>();
  for (const n of names) {
    const parent = n.slice(n.indexOf(".") + 1);
    if (n.indexOf(".") < 0 || !parent.includes(".")) continue;
    byParent.set(parent, [...(byParent.get(parent) ?? []), n]);
  }
  const plan = new Map<string, string>();
  for (const [parent, ns] of byParent) if (ns.length >= 2) for (const n of ns) plan.set(n, `*.${parent}`);
  return plan;
}

export function widenDnsGroups(rules: readonly LearnedRule[], plan = wildcardPlan(rules)): LearnedRule[] {
  if (plan.size === 0) return [...rules];
  const widen = (g: LearnedGroup): LearnedGroup => {
    const w = g.kind === "dns" ? plan.get(g.dnsName) : undefined;
    return w ? { kind: "dns", name: w, dnsName: w } : g;
  };
  const merged = new Map<string, LearnedRule>();
  for (const r of [...rules].sort((a, b) => a.id - b.id)) {
    const from = widen(r.from);
    const to = widen(r.to);
    const key = `${from.name}|${to.name}|${r.kind}`;
    const have = merged.get(key);
    if (!have) {
      merged.set(key, { ...r, from, to, apps: [...r.apps], ports: [...r.ports], appPorts: new Map([...r.appPorts].map(([a, p]) => [a, new Set(p)])) });
      continue;
    }
    have.apps = [...new Set([...have.apps, ...r.apps])].sort();
    for (const [a, p] of r.appPorts) have.appPorts.set(a, new Set([...(have.appPorts.get(a) ?? []), ...p]));
    const ports = new Set([...have.ports, ...r.ports]);
    have.ports = r.kind === "port" && (ports.has(PORT_ANY) || ports.size > MAX_LEARNED_PORTS) ? [PORT_ANY] : sortPorts([...ports]);
  }
  return [...merged.values()];
}

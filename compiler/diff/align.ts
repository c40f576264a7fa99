/**
 * `nvp diff`, step 1: line the two policies' rules up by what they say, not by id. Groups are keyed
 * by content (a service by service and namespace, a custom group by its criteria, an address group
 * by its entries), rules by action, learned mark, groups, applications and ports. Equal keys are
 * paired in order; the pairs' order in the new policy is compared with the old by a longest
 * increasing subsequence, so a renumbered policy has no change and a moved rule is one change.
 * Only changed rules (added, removed, moved) and changed modes or settings can change a verdict;
 * the flow enumeration (diff.ts) looks only there.
 */
import type { GroupModel, PolicyModel, RuleModel } from "../model.js";

export type RuleChange =
  | { kind: "added"; rule: RuleModel }
  | { kind: "removed"; rule: RuleModel }
  | { kind: "moved"; old: RuleModel; rule: RuleModel };

export interface Alignment {
  changes: RuleChange[];
  /** Service groups (`svc/ns`) whose mode differs. */
  modes: { service: string; namespace: string; old: string; new: string }[];
  /** Settings that decide verdicts and differ (contention, default mode, nodes mode, xff). */
  settings: { key: string; old: string; new: string }[];
}

export function groupKey(g: GroupModel): string {
  switch (g.kind) {
    case "builtin":
      return `b:${g.builtin}`;
    case "service":
      return `s:${g.service?.service}/${g.service?.namespace}`;
    case "service-ip":
      return `i:${g.service?.service}/${g.service?.namespace}`;
    case "workload":
      return `w:${JSON.stringify((g.criteria ?? []).map((c) => [c.key, c.labelKey ?? "", c.op, c.value]).sort())}`;
    case "address":
      return `a:${JSON.stringify((g.addresses ?? []).map((a) => (a.kind === "ip" ? `ip:${a.lo}-${a.hi}` : `${a.kind}:${a.wildcard ? "*." : ""}${a.name}`)).sort())}`;
  }
}

export function ruleKey(m: PolicyModel, r: RuleModel, keys: readonly string[] = m.groups.map(groupKey)): string {
  const gs = (ids: readonly number[]) => [...new Set(ids.map((i) => keys[i]))].sort().join(",");
  const ports = r.ports.map((p) => `${p.proto}:${p.lo}-${p.hi}`).sort().join(",");
  return `${r.action}|${r.learned}|${gs(r.from)}|${gs(r.to)}|${r.apps.join(",")}|${ports}`;
}

export function align(a: PolicyModel, b: PolicyModel): Alignment {
  const ka = a.groups.map(groupKey);
  const kb = b.groups.map(groupKey);
  const byKey = new Map<string, number[]>();
  a.rules.forEach((r, i) => {
    const k = ruleKey(a, r, ka);
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const next = new Map<string, number>();
  // For each new rule, the old rule it pairs with (-1: added).
  const pair = b.rules.map((r) => {
    const k = ruleKey(b, r, kb);
    const list = byKey.get(k);
    const at = next.get(k) ?? 0;
    if (!list || at >= list.length) return -1;
    next.set(k, at + 1);
    return list[at] as number;
  });
  const keep = lisMask(pair);
  const changes: RuleChange[] = [];
  const pairedOld = new Set(pair.filter((p) => p >= 0));
  a.rules.forEach((r, i) => {
    if (!pairedOld.has(i)) changes.push({ kind: "removed", rule: r });
  });
  b.rules.forEach((r, j) => {
    const p = pair[j] as number;
    if (p < 0) changes.push({ kind: "added", rule: r });
    else if (!keep[j]) changes.push({ kind: "moved", old: a.rules[p] as RuleModel, rule: r });
  });
  return { changes, modes: modeChanges(a, b), settings: settingChanges(a, b) };
}

/** Marks the entries of a longest increasing subsequence of the non-negative values (O(n log n)). */
function lisMask(xs: readonly number[]): boolean[] {
  const tails: number[] = [];
  const prev = new Int32Array(xs.length).fill(-1);
  xs.forEach((x, j) => {
    if (x < 0) return;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((xs[tails[mid] as number] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[j] = tails[lo - 1] as number;
    tails[lo] = j;
  });
  const mask = new Array<boolean>(xs.length).fill(false);
  for (let j = tails.length ? (tails[tails.length - 1] as number) : -1; j >= 0; j = prev[j] as number) mask[j] = true;
  return mask;
}

function modeChanges(a: PolicyModel, b: PolicyModel): Alignment["modes"] {
  const modes = (m: PolicyModel) => {
    const out = new Map<string, string>();
    for (const g of m.groups) if (g.kind === "service" && g.service) out.set(`${g.service.service}/${g.service.namespace}`, g.mode ?? m.settings.defaultMode);
    return out;
  };
  const ma = modes(a);
  const mb = modes(b);
  const out: Alignment["modes"] = [];
  for (const key of new Set([...ma.keys(), ...mb.keys()])) {
    const o = ma.get(key) ?? a.settings.defaultMode;
    const n = mb.get(key) ?? b.settings.defaultMode;
    const [service = "", namespace = ""] = key.split("/");
    if (o !== n) out.push({ service, namespace, old: o, new: n });
  }
  return out;
}

function settingChanges(a: PolicyModel, b: PolicyModel): Alignment["settings"] {
  const keys = ["contention", "defaultMode", "nodesMode", "xff"] as const;
  return keys.filter((k) => a.settings[k] !== b.settings[k]).map((k) => ({ key: k, old: String(a.settings[k]), new: String(b.settings[k]) }));
}

/**
 * Applications (S3) and DNS/vh names (S2.6, S6). Application sets are precomputed per identified
 * application, parent rule included, so the engine needs no app hierarchy. vh: entries become
 * slots: membership is per entry (the address must resolve from *that* entry's name and the host
 * match *that* entry), so a group with two vh: entries has two slots with the same rule lists.
 */
import { APPS, appSatisfies } from "../../common/apps.js";
import type { PolicyModel, RuleModel } from "../model.js";
import type { FromTo, IrApps, IrGroup, IrVhSlot } from "./ir.js";
import { rulesWhere } from "./rule-lists.js";

export function lowerApps(rules: readonly RuleModel[]): IrApps {
  const byApp: IrApps["byApp"] = [];
  // Only the rules naming applications can be in an application's list: look at them alone.
  const withApps = rulesWhere(rules, (r) => r.apps.length > 0);
  for (const app of [...APPS].sort((a, b) => a.id - b.id)) {
    const list = withApps.filter((i) => appSatisfies(app.id, (rules[i] as RuleModel).apps));
    if (list.length > 0) byApp.push({ app: app.id, rules: list });
  }
  return { any: rulesWhere(rules, (r) => r.apps.length === 0), byApp };
}

/** Names compare in lower case without a trailing dot (S6), as the reference does. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * Fill IrGroup.dns / .vh and return the vh slots, in group then entry order (duplicates folded).
 * Only groups some rule names carry their names: NeuVector's enforcer learns FQDN names from the
 * rules it is given (`dpi_policy_cfg` → `config_fqdn_ipv4_mapping`, the agent's `dp_ctrl_set_fqdn`),
 * so a name in a group no rule uses is never snooped and never marks an address (`ipv4_ent`).
 */
export function lowerNames(model: PolicyModel, groups: IrGroup[], groupRules: readonly FromTo[]): IrVhSlot[] {
  const slots: IrVhSlot[] = [];
  for (const g of model.groups) {
    const ir = groups[g.index];
    const rules = groupRules[g.index] ?? { from: [], to: [] };
    if (!ir || (rules.from.length === 0 && rules.to.length === 0)) continue;
    const seen = new Set<string>();
    for (const a of g.addresses ?? []) {
      if (a.kind === "ip") continue;
      const name = normaliseName(a.name);
      const key = `${a.kind}:${a.wildcard ? "*." : ""}${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (a.kind === "dns") {
        (ir.dns ??= []).push({ name, wildcard: a.wildcard });
      } else {
        (ir.vh ??= []).push({ name, wildcard: a.wildcard, slot: slots.length });
        slots.push({ group: g.index, name, wildcard: a.wildcard, from: rules.from, to: rules.to });
      }
    }
  }
  return slots;
}

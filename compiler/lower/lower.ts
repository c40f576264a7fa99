/**
 * Lowering: the checked PolicyModel → the decision-table IR (ir.ts). Everything that does not
 * depend on the inventory or on DNS is decided here: per-group rule lists, endpoint-kind sets,
 * address classes, port and application sets, vh: slots, the threat configuration. Workload criteria stay criteria: the
 * runtime evaluates them when the inventory is set (runtime/host/membership.ts).
 */
import type { BuiltinGroup, PolicyModel, RuleModel } from "../model.js";
import { lowerAddresses } from "./addresses.js";
import { lowerApps, lowerNames } from "./apps-names.js";
import type { DecisionIR, EndpointKindName, FromTo, IrGroup } from "./ir.js";
import { lowerPorts } from "./ports.js";
import { lowerThreats } from "./threats.js";
import { unionLists } from "./rule-lists.js";

/** Rule indexes per group, for from and to. */
function groupRuleLists(model: PolicyModel): FromTo[] {
  const lists: FromTo[] = model.groups.map(() => ({ from: [], to: [] }));
  model.rules.forEach((r, index) => {
    // One group, the common case, needs no duplicate check.
    if (r.from.length === 1) lists[r.from[0] as number]?.from.push(index);
    else for (const g of new Set(r.from)) lists[g]?.from.push(index);
    if (r.to.length === 1) lists[r.to[0] as number]?.to.push(index);
    else for (const g of new Set(r.to)) lists[g]?.to.push(index);
  });
  return lists;
}

/** Built-in memberships by endpoint kind (S2.1–S2.4). */
const KIND_BUILTINS: Record<EndpointKindName, BuiltinGroup[]> = {
  workload: ["any", "containers"],
  node: ["any", "nodes"],
  internal: ["any"],
  external: ["any", "external"],
};

function kindSets(model: PolicyModel, lists: readonly FromTo[]): Record<EndpointKindName, FromTo> {
  const out = {} as Record<EndpointKindName, FromTo>;
  for (const kind of Object.keys(KIND_BUILTINS) as EndpointKindName[]) {
    const groups = model.groups.filter((g) => g.kind === "builtin" && g.builtin && KIND_BUILTINS[kind].includes(g.builtin));
    out[kind] = {
      from: unionLists(groups.map((g) => lists[g.index]?.from ?? [])),
      to: unionLists(groups.map((g) => lists[g.index]?.to ?? [])),
    };
  }
  return out;
}

/**
 * Rules in evaluation order (IR rule indexes are positions in it): id order, with the user deny
 * rules whose from or to is the `nodes` group or a `Host:<ip>` endpoint moved behind the rest (NeuVector's
 * adjustPolicyRuleHeads; docs/semantics.md S3).
 */
function evaluationOrder(model: PolicyModel): RuleModel[] {
  const nodes = new Set(model.groups.filter((g) => g.builtin === "nodes" || /^Host:/.test(g.name)).map((g) => g.index));
  const early: RuleModel[] = [];
  const late: RuleModel[] = [];
  for (const r of model.rules) {
    const host = r.from.some((g) => nodes.has(g)) || r.to.some((g) => nodes.has(g));
    (r.action === "deny" && !r.learned && host ? late : early).push(r);
  }
  return late.length === 0 ? model.rules : early.concat(late);
}

export function lowerModel(checked: PolicyModel): DecisionIR {
  const model: PolicyModel = { ...checked, rules: evaluationOrder(checked) };
  const lists = groupRuleLists(model);
  const groups: IrGroup[] = model.groups.map((g) => {
    const ir: IrGroup = { index: g.index, name: g.name, kind: g.kind, ...(lists[g.index] ?? { from: [], to: [] }) };
    if (g.builtin) ir.builtin = g.builtin;
    if (g.service) ir.service = { ...g.service };
    if (g.mode) ir.mode = g.mode;
    if (g.criteria) ir.criteria = g.criteria.map((c) => ({ ...c }));
    return ir;
  });
  const vhSlots = lowerNames(model, groups, lists);
  const { intervals, classes } = lowerAddresses(model, lists);
  const { xff, contention, defaultMode, nodesMode, extra } = model.settings;
  const icmpPolicy = extra["icmp-policy"] === "on";
  const linkLocalPolicy = extra["link-local-policy"] === "on";
  const openshift = extra.platform === "openshift";
  return {
    policy: model.name,
    settings: { xff, contention, defaultMode, nodesMode, icmpPolicy, linkLocalPolicy, openshift },
    rules: model.rules.map((r, index) => ({ index, id: r.id, action: r.action, learned: r.learned })),
    groups,
    kinds: kindSets(model, lists),
    addrIntervals: intervals,
    addrClasses: classes,
    ports: lowerPorts(model.rules, icmpPolicy),
    apps: lowerApps(model.rules),
    vhSlots,
    threats: lowerThreats(model.settings),
  };
}

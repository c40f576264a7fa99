/**
 * S2.7–S2.8: workload criteria. Each criterion is checked against one workload attribute, then
 * criteria are combined by NeuVector's IsWorkloadSelected rule: within a key class OR'd when at
 * least one is positive, AND'd when all are negative; classes AND'd. Written for reading, not speed.
 */
import { isNegative, positiveOf, valueTest } from "../../common/criteria.js";
import type { Workload } from "../../common/schema.js";
import { attributeValues } from "../../common/workload-attributes.js";
import type { CriterionKeyModel, CriterionModel } from "../model.js";

// The operators' meaning on one value is common/criteria.ts, shared with the checker and the runtime.
export { globMatch, isNegative } from "../../common/criteria.js";

/**
 * A positive criterion holds when some value satisfies it; a negative one when no value satisfies
 * its positive counterpart. So a missing label fails `=` and meets `!=` (S2.8), and
 * `image != "evil*"` excludes a pod as soon as any of its images is evil.
 */
export function criterionMet(w: Workload, c: CriterionModel): boolean {
  const values = attributeValues(w, c.key, c.labelKey);
  const test = valueTest(positiveOf(c.op), c.value);
  const some = values.some(test);
  return isNegative(c.op) ? !some : some;
}

/** The class criteria are grouped by: all pod labels are one class, all namespace labels another. */
export function criterionClass(c: CriterionModel): CriterionKeyModel {
  return c.key;
}

/**
 * On OpenShift a custom group also holds, as a destination, the cluster IPs of Services in the
 * namespaces its `namespace` (`domain`) criteria select, every other criterion ignored, and never
 * when it has none (share/criteria.go IsSvcIpGroupSelected, controller/cache/group.go
 * svcipGroupJoin). The class rule is workloadSelected's.
 */
export function namespaceSelected(namespace: string, criteria: readonly CriterionModel[]): boolean {
  const list = criteria.filter((c) => c.key === "namespace");
  if (list.length === 0) return false;
  const met = (c: CriterionModel) => valueTest(positiveOf(c.op), c.value)(namespace) !== isNegative(c.op);
  return list.some((c) => !isNegative(c.op)) ? list.some(met) : list.every(met);
}

/**
 * NeuVector's combination. A group without criteria selects no workload (IsWorkloadSelected
 * returns false on an empty selector).
 */
export function workloadSelected(w: Workload, criteria: readonly CriterionModel[]): boolean {
  if (criteria.length === 0) return false;
  const classes = new Map<CriterionKeyModel, CriterionModel[]>();
  for (const c of criteria) {
    const list = classes.get(criterionClass(c)) ?? [];
    list.push(c);
    classes.set(criterionClass(c), list);
  }
  for (const list of classes.values()) {
    const anyPositive = list.some((c) => !isNegative(c.op));
    const ok = anyPositive ? list.some((c) => criterionMet(w, c)) : list.every((c) => criterionMet(w, c));
    if (!ok) return false;
  }
  return true;
}

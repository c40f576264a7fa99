/**
 * S2.7–S2.8: workload criteria. Each criterion is checked against one workload attribute, then
 * criteria are combined by NeuVector's IsWorkloadSelected rule: within a key class OR'd when at
 * least one is positive, AND'd when all are negative; classes AND'd. Written for reading, not speed.
 */
import type { Workload } from "../../common/schema.js";
import { attributeValues } from "../../common/workload-attributes.js";
import type { CriterionOp } from "../ast/types.js";
import type { CriterionKeyModel, CriterionModel } from "../model.js";

const NEGATIVE_OPS: ReadonlySet<CriterionOp> = new Set<CriterionOp>(["!=", "!regex"]);

export function isNegative(op: CriterionOp): boolean {
  return NEGATIVE_OPS.has(op);
}

/** The positive operator a negative one negates. */
function positiveOf(op: CriterionOp): CriterionOp {
  return op === "!=" ? "=" : op === "!regex" ? "regex" : op;
}

/**
 * Anchored glob: `*` any run (also empty), `?` exactly one character, everything else literal.
 * Classic backtracking two-pointer walk over code points, so `.` or `[` never mean anything.
 */
export function globMatch(pattern: string, value: string): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  let pi = 0;
  let vi = 0;
  let starP = -1;
  let starV = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === "*") {
      starP = pi++;
      starV = vi;
    } else if (starP >= 0) {
      // Let the last `*` swallow one more character and retry from there.
      pi = starP + 1;
      vi = ++starV;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** Unanchored JavaScript regex test; a pattern that does not compile matches nothing. */
function regexMatch(source: string, value: string): boolean {
  try {
    return new RegExp(source).test(value);
  } catch {
    return false;
  }
}

/** One positive operator on one attribute value. */
function positiveMet(op: CriterionOp, pattern: string, value: string): boolean {
  switch (op) {
    case "=":
      return pattern === "any" || globMatch(pattern, value);
    case "contains":
      return value.includes(pattern);
    case "prefix":
      return value.startsWith(pattern);
    case "regex":
      return regexMatch(pattern, value);
    default:
      return false;
  }
}

/**
 * A positive criterion holds when some value satisfies it; a negative one when no value satisfies
 * its positive counterpart. So a missing label fails `=` and meets `!=` (S2.8), and
 * `image != "evil*"` excludes a pod as soon as any of its images is evil.
 */
export function criterionMet(w: Workload, c: CriterionModel): boolean {
  const values = attributeValues(w, c.key, c.labelKey);
  const some = values.some((v) => positiveMet(positiveOf(c.op), c.value, v));
  return isNegative(c.op) ? !some : some;
}

/** The class criteria are grouped by: all pod labels are one class, all namespace labels another. */
export function criterionClass(c: CriterionModel): CriterionKeyModel {
  return c.key;
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

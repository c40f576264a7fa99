/**
 * Facts about one checked group that several lints need: can it match anything at all, and does a
 * single criterion accept a given literal attribute value (exact for one value; used to prove
 * containment between groups). Criteria semantics are docs/semantics.md S2.7-S2.8.
 */
import type { CriterionModel, GroupModel } from "../model.js";
import { isNegative, positiveOf, valueTest } from "../../common/criteria.js";

/** Regexes that find a match in every string (unanchored): their negation matches nothing. */
const MATCH_ALL_REGEX = new Set([".*", "^", "$", "^.*", ".*$"]);

/** Does the criterion accept every value of its attribute? */
export function acceptsEverything(c: CriterionModel): boolean {
  if (c.op === "=") return c.value === "any" || /^\*+$/.test(c.value);
  if (c.op === "regex") return MATCH_ALL_REGEX.has(c.value);
  if (c.op === "contains" || c.op === "prefix") return c.value === "";
  return false;
}

/** Does the criterion reject every value (the negation of a match-everything criterion)? */
export function rejectsEverything(c: CriterionModel): boolean {
  if (c.op === "!=") return c.value === "any" || /^\*+$/.test(c.value);
  if (c.op === "!regex") return MATCH_ALL_REGEX.has(c.value);
  return false;
}

/** Criteria grouped by key class, in first-mention order. */
export function classesOf(criteria: readonly CriterionModel[]): Map<string, CriterionModel[]> {
  const out = new Map<string, CriterionModel[]>();
  for (const c of criteria) {
    const list = out.get(c.key);
    if (list) list.push(c);
    else out.set(c.key, [c]);
  }
  return out;
}

/** Why the group can match no endpoint, or undefined when it may match some. */
export function emptyReason(g: GroupModel): string | undefined {
  if (g.kind === "address") return g.addresses && g.addresses.length === 0 ? "its address list is empty" : undefined;
  if (g.kind !== "workload") return undefined;
  const criteria = g.criteria ?? [];
  if (criteria.length === 0) return "it has no criteria";
  for (const [key, list] of classesOf(criteria)) {
    // A label criterion is met by workloads that lack the label, so `label k != "*"` still matches.
    if (key === "label" || key === "ns-label") continue;
    if (!list.every((c) => isNegative(c.op))) continue;
    const bad = list.find(rejectsEverything);
    if (bad) return `\`${key} ${bad.op} "${bad.value}"\` rejects every ${key}, and criteria on one key are AND'd when all are negative`;
  }
  return undefined;
}

/** Does criterion `c` accept the attribute value `v`? Exact for a single-valued attribute. */
export function accepts(c: CriterionModel, v: string): boolean {
  return valueTest(positiveOf(c.op), c.value)(v) !== isNegative(c.op);
}

/** A positive `=` criterion naming exactly one value (no glob characters, not `any`). */
export function literalOf(c: CriterionModel): string | undefined {
  return c.op === "=" && c.value !== "any" && !/[*?]/.test(c.value) ? c.value : undefined;
}

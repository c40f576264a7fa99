/**
 * Sorted rule-index lists: building them from rules, and unions. Lists are the IR's only set
 * representation; the encoder compresses them, and identical lists share one encoded set.
 */
import type { RuleList } from "./ir.js";

/** Union of sorted lists, sorted and duplicate-free. */
export function unionLists(lists: readonly RuleList[]): RuleList {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return [...(nonEmpty[0] as RuleList)];
  let total = 0;
  for (const l of nonEmpty) total += l.length;
  const all = new Uint32Array(total);
  let at = 0;
  for (const l of nonEmpty) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  const out: number[] = [];
  let prev = -1;
  for (const r of all) {
    if (r !== prev) out.push(r);
    prev = r;
  }
  return out;
}

/** Indexes of the rules satisfying `pred`, in order. */
export function rulesWhere<T>(rules: readonly T[], pred: (r: T) => boolean): RuleList {
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (pred(r)) out.push(i);
  });
  return out;
}

/** A stable key for interning lists. */
export function listKey(l: RuleList): string {
  return l.join(",");
}

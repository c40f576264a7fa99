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
  // Duplicates out in place, then an exact-size list: the IR keeps millions of entries at 100k
  // rules, and a list grown by push keeps up to half as much again in spare room.
  let n = 0;
  let prev = -1;
  for (let i = 0; i < all.length; i++) {
    const r = all[i] as number;
    if (r !== prev) all[n++] = r;
    prev = r;
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = all[i] as number;
  return out;
}

/** Do two lists hold the same entries? */
export function sameList(a: RuleList, b: RuleList): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Indexes of the rules satisfying `pred`, in order. */
export function rulesWhere<T>(rules: readonly T[], pred: (r: T) => boolean): RuleList {
  const out: number[] = [];
  rules.forEach((r, i) => {
    if (pred(r)) out.push(i);
  });
  return out;
}

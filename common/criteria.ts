/**
 * What one workload criterion operator means on one attribute value (docs/semantics.md S2.7–S2.8),
 * written once: the reference evaluator (compiler/reference/criteria.ts), the checker's containment
 * proofs (compiler/check/group-facts.ts) and the runtime's group membership (runtime/host/membership.ts)
 * all call these. A criterion's combination over a workload's values and keys stays with each caller.
 */
import type { MetaCriterionOp } from "./abi-meta.js";

/** The operators, as the language and the module metadata spell them. */
export type CriterionOpName = MetaCriterionOp;
/** The operators a negative one negates. */
export type PositiveOp = Exclude<CriterionOpName, "!=" | "!regex">;

/** Negative operators: within a key class, criteria are AND'd only when all are negative. */
export function isNegative(op: CriterionOpName): boolean {
  return op === "!=" || op === "!regex";
}

/** The positive operator a negative one negates (a positive one is itself). */
export function positiveOf(op: CriterionOpName): PositiveOp {
  return op === "!=" ? "=" : op === "!regex" ? "regex" : op;
}

const STAR = -1;
const ONE = -2;

/**
 * An anchored glob, compiled once: `*` any run (also empty), `?` exactly one character, everything
 * else literal (so `.` or `[` mean nothing). A character is a code point: `?` matches one emoji,
 * which is two UTF-16 units; a lone surrogate is one character. The walk is the classic two-pointer
 * one with one backtrack point, linear in pattern × value, so no glob can make it blow up the way a
 * backtracking regular expression can (`*a*a*a*b` against a long run of `a`).
 */
export function globMatcher(pattern: string): (value: string) => boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return (v) => v === pattern;
  // Only `*` and no surrogate (which could pair with a neighbour in the value): the literal parts
  // in order, the first anchored at the start and the last at the end; leftmost is always right.
  if (!pattern.includes("?") && !/[\ud800-\udfff]/.test(pattern)) return starsOnly(pattern.split("*"));
  const p: number[] = [];
  for (const ch of pattern) p.push(ch === "*" ? STAR : ch === "?" ? ONE : (ch.codePointAt(0) as number));
  // The literal head before the first wildcard is compared natively when it holds no surrogate.
  const head = pattern.slice(0, pattern.search(/[*?]/));
  const skip = /[\ud800-\udfff]/.test(head) ? "" : head;
  return (v) => {
    if (!v.startsWith(skip)) return false;
    let pi = skip.length;
    let vi = skip.length;
    let starP = -1;
    let starV = 0;
    while (vi < v.length) {
      const c = v.codePointAt(vi) as number;
      const q = p[pi];
      if (q !== undefined && q !== STAR && (q === ONE || q === c)) {
        pi++;
        vi += c > 0xffff ? 2 : 1;
      } else if (q === STAR) {
        if (pi === p.length - 1) return true; // a trailing `*` takes the rest
        starP = pi++;
        starV = vi;
      } else if (starP >= 0) {
        // Let the last `*` swallow one more character and retry from there.
        pi = starP + 1;
        starV += (v.codePointAt(starV) as number) > 0xffff ? 2 : 1;
        vi = starV;
      } else {
        return false;
      }
    }
    while (p[pi] === STAR) pi++;
    return pi === p.length;
  };
}

function starsOnly(parts: readonly string[]): (value: string) => boolean {
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((m) => m !== "");
  const least = first.length + last.length;
  return (v) => {
    if (v.length < least || !v.startsWith(first) || !v.endsWith(last)) return false;
    let at = first.length;
    const end = v.length - last.length;
    for (const m of middle) {
      const i = v.indexOf(m, at);
      if (i < 0 || i + m.length > end) return false;
      at = i + m.length;
    }
    return true;
  };
}

/** `globMatcher(pattern)(value)`, for one-off use. */
export function globMatch(pattern: string, value: string): boolean {
  return globMatcher(pattern)(value);
}

/**
 * One positive operator with its pattern, compiled once into a test of one attribute value. `=`
 * with `any` accepts everything; `regex` is an unanchored JavaScript regular expression, and one
 * that does not compile accepts nothing (the checker rejects it first, NV2207).
 */
export function valueTest(op: PositiveOp, pattern: string): (value: string) => boolean {
  switch (op) {
    case "=":
      return pattern === "any" ? () => true : globMatcher(pattern);
    case "contains":
      return (v) => v.includes(pattern);
    case "prefix":
      return (v) => v.startsWith(pattern);
    case "regex": {
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch {
        return () => false;
      }
      return (v) => re.test(v);
    }
  }
}

/**
 * A small collector the checker passes around: every finding is recorded, nothing throws, so one
 * run reports every problem at once (style.md). Helpers keep the call sites to one line each.
 */
import { CODE_CATALOG } from "../../common/codes/catalog.js";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Span } from "../../common/span.js";

export interface Related {
  span: Span;
  message: string;
}

export interface Finding {
  span: Span;
  message: string;
  label: string;
  help: string;
  related?: Related[];
}

/**
 * The most errors kept for one file; the rest are only counted, in one NV2901 error at the first
 * dropped place. 30k duplicate rule ids in one file made 30k diagnostics and 34 MB of output.
 * Warnings are kept: each is one per item and code, so their number is linear in the input.
 */
export const MAX_ERRORS_PER_FILE = 200;

export class Diags {
  readonly list: Diagnostic[] = [];
  private errorCount = 0;
  private readonly perFile = new Map<string, { kept: number; summary?: Diagnostic; dropped: number }>();

  /**
   * Record a finding with the severity its code has in the catalog (common/codes/): `error` and
   * `warn` say at the call site what the catalog says (test/docs/diagnostic-catalog.test.ts holds
   * them to it), but the catalog decides.
   */
  report(code: string, f: Finding): void {
    if (severityOf(code, "error") === "warning") this.list.push(build(code, "warning", f));
    else this.addError(code, f);
  }

  error(code: string, f: Finding): void {
    this.report(code, f);
  }

  warn(code: string, f: Finding): void {
    if (severityOf(code, "warning") === "error") this.addError(code, f);
    else this.list.push(build(code, "warning", f));
  }

  private addError(code: string, f: Finding): void {
    this.errorCount++;
    const file = f.span.file;
    const n = this.perFile.get(file) ?? { kept: 0, dropped: 0 };
    this.perFile.set(file, n);
    if (n.kept < MAX_ERRORS_PER_FILE) {
      n.kept++;
      this.list.push(build(code, "error", f));
      return;
    }
    n.dropped++;
    const message = `too many errors in ${q(file)}: ${n.dropped} more not shown after the first ${MAX_ERRORS_PER_FILE}`;
    if (n.summary) n.summary.message = message;
    else {
      n.summary = build("NV2901", "error", { span: f.span, message, label: "the first error not shown", help: "fix the errors shown and check again" });
      this.list.push(n.summary);
    }
  }

  /** An error with no source location (a `--set` flag, a missing entry file). */
  errorNoSpan(code: string, message: string, help: string, file?: string): void {
    this.errorCount++;
    const d: Diagnostic = { code, severity: "error", message, help };
    if (file !== undefined) d.file = file;
    this.list.push(d);
  }

  get errors(): number {
    return this.errorCount;
  }
}

/** The catalog's severity of a code; `fallback` for a code the catalog lacks (the catalog test forbids that). */
function severityOf(code: string, fallback: "error" | "warning"): "error" | "warning" {
  return CODE_CATALOG.get(code)?.severity ?? fallback;
}

function build(code: string, severity: "error" | "warning", f: Finding): Diagnostic {
  const d: Diagnostic = { code, severity, message: f.message, span: f.span, label: f.label, help: f.help };
  if (f.related && f.related.length > 0) d.related = f.related;
  return d;
}

/** Quote user input for a message: backticks, and never let a huge value flood the terminal. */
export function q(text: string): string {
  const clipped = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `\`${clipped.replace(/`/g, "'")}\``;
}

/** `a`, `a` and `b`, `a`, `b` and `c` — for messages naming several things. */
export function listAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * "did you mean" suggestions: the closest candidate by Damerau-Levenshtein distance (a transposed
 * pair counts as one edit, the commonest typo), compared case-insensitively, within a budget that
 * grows with the length of the word so short names do not suggest unrelated ones.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** The closest candidate to `word`, or undefined when none is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const budget = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestD = budget + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), Math.min(budget, bestD));
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= budget ? best : undefined;
}

/** `did you mean `x`?` or the fallback text when nothing is close. */
export function suggest(word: string, candidates: Iterable<string>, fallback: string): string {
  const c = closest(word, candidates);
  return c === undefined ? fallback : `did you mean \`${c}\`?`;
}

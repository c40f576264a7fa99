/**
 * A small collector the checker passes around: every finding is recorded, nothing throws, so one
 * run reports every problem at once (style.md). Helpers keep the call sites to one line each.
 */
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

export class Diags {
  readonly list: Diagnostic[] = [];
  private errorCount = 0;

  error(code: string, f: Finding): void {
    this.errorCount++;
    this.list.push(build(code, "error", f));
  }

  warn(code: string, f: Finding): void {
    this.list.push(build(code, "warning", f));
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

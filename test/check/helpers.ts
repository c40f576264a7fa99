/**
 * Test helpers for checker diagnostics in Cedar's style: check real `.nvp` text and assert the
 * code, message, the exact underlined source text and the help line, not just "it failed".
 */
import { expect } from "vitest";
import type { Diagnostic } from "../../common/diagnostics.js";
import { type CheckedPolicy, checkSources } from "../../compiler/pipeline.js";

/** Check one file, `test.nvp`, plus optional extra files (imports). */
export function check(text: string, opts: { params?: Record<string, string>; files?: Record<string, string> } = {}): CheckedPolicy {
  return checkSources({ "test.nvp": text, ...opts.files }, ["test.nvp"], opts.params ?? {});
}

/** The source text a diagnostic underlines. */
export function underlined(r: CheckedPolicy, d: { span?: Diagnostic["span"] }): string | undefined {
  if (!d.span) return undefined;
  return r.sources.get(d.span.file)?.slice(d.span.start.offset, d.span.end.offset);
}

export interface Expected {
  code: string;
  severity?: "error" | "warning";
  message?: string | RegExp;
  /** Exact text under the caret; `null` = the diagnostic has no span. */
  underlined?: string | null;
  label?: string | RegExp;
  help?: string | RegExp;
  /** Underlined text of the related notes, in order. */
  related?: string[];
  file?: string;
}

function matches(actual: string | undefined, want: string | RegExp): boolean {
  if (actual === undefined) return false;
  return typeof want === "string" ? actual === want : want.test(actual);
}

/**
 * Exactly one diagnostic with this code, and it has these properties. Returns it. Every diagnostic
 * must also be well-formed (style.md): lowercase message without final period, a label and help.
 */
export function expectOne(r: CheckedPolicy, want: Expected): Diagnostic {
  const found = r.diagnostics.filter((d) => d.code === want.code);
  expect(found.map((d) => d.message), `diagnostics: ${JSON.stringify(r.diagnostics.map((d) => `${d.code} ${d.message}`))}`).toHaveLength(1);
  const d = found[0]!;
  expectWellFormed(d);
  if (want.severity) expect(d.severity).toBe(want.severity);
  if (want.message !== undefined) expect(matches(d.message, want.message), `message: ${d.message}`).toBe(true);
  if (want.label !== undefined) expect(matches(d.label, want.label), `label: ${d.label}`).toBe(true);
  if (want.help !== undefined) expect(matches(d.help, want.help), `help: ${d.help}`).toBe(true);
  if (want.underlined !== undefined) expect(underlined(r, d) ?? null).toBe(want.underlined);
  if (want.file !== undefined) expect(d.span?.file ?? d.file).toBe(want.file);
  if (want.related) expect((d.related ?? []).map((x) => underlined(r, x))).toEqual(want.related);
  return d;
}

export function expectWellFormed(d: Diagnostic): void {
  expect(d.code).toMatch(/^NV\d{4}$/);
  expect(d.message).toMatch(/^[^A-Z]/);
  expect(d.message).not.toMatch(/\.$/);
  expect(d.help, `${d.code} needs help`).toBeTruthy();
  if (d.span) expect(d.label, `${d.code} needs a label`).toBeTruthy();
}

/** Codes of all diagnostics, in order. */
export function codes(r: CheckedPolicy): string[] {
  return r.diagnostics.map((d) => d.code);
}

/** No diagnostics at all, and a model. */
export function expectClean(r: CheckedPolicy): void {
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(r.model).toBeDefined();
}

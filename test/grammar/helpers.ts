/** Shared helpers for the grammar tests: parse a snippet, look at one diagnostic as the user sees it. */
import { expect } from "vitest";
import type { Diagnostic } from "../../common/diagnostics.js";
import { parseSource } from "../../compiler/ast/parse.js";
import { stripSpans } from "../../compiler/ast/strip.js";
import type { Item } from "../../compiler/ast/types.js";

export const FILE = "t.nvp";

/** What a diagnostic shows: code, message, the exact source text under the caret, label, help. */
export interface Seen {
  code: string;
  message: string;
  underlined: string;
  label?: string;
  help?: string;
}

export function seen(src: string, d: Diagnostic): Seen {
  const s: Seen = {
    code: d.code,
    message: d.message,
    underlined: d.span ? src.slice(d.span.start.offset, d.span.end.offset) : "",
  };
  if (d.label !== undefined) s.label = d.label;
  if (d.help !== undefined) s.help = d.help;
  return s;
}

export function diags(src: string): Seen[] {
  return parseSource(FILE, src).diagnostics.map((d) => seen(src, d));
}

/** The only diagnostic of `src`, with the fields the test names. */
export function expectOne(src: string, want: Partial<Seen>): void {
  const ds = diags(src);
  expect(ds, JSON.stringify(ds, null, 2)).toHaveLength(1);
  expect(ds[0]).toMatchObject(want);
}

/** Items of a source that must parse cleanly, without spans. */
export function items(src: string): unknown[] {
  const r = parseSource(FILE, src);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.file.items.map((i: Item) => stripSpans(i));
}

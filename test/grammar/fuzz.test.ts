/**
 * The parser never throws: random text and random edits of valid policies always come back as a
 * SourceFile plus well-formed diagnostics, in the user's words (no Chevrotain token dumps).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../common/diagnostics.js";
import { parseSource } from "../../compiler/ast/parse.js";
import { formatSource } from "../../compiler/fmt/format.js";
import { formatPreserves } from "../../compiler/fmt/index.js";
import { arbSourceFile } from "../arbitraries/ast.js";

/** Internal names that must never reach a message: token types, Chevrotain's phrasing. */
const LEAKS = /Kw_|StringLit|NumberLit|NumRange|AddressLit|PortSpec|VhPrefix|LCurly|RCurly|NotTilde|\bEOF\b|Expecting|possible Token|but found|undefined|NaN|\[object/;

function checkDiagnostics(src: string, ds: Diagnostic[]): void {
  expect(ds.length).toBeLessThanOrEqual(101);
  for (const d of ds) {
    expect(d.code).toMatch(/^NV[01]\d{3}$/);
    expect(d.severity).toBe("error");
    expect(d.message, d.message).not.toMatch(LEAKS);
    expect(d.label ?? "").not.toMatch(LEAKS);
    expect(d.help ?? "").not.toMatch(LEAKS);
    expect(d.message).toMatch(/^[a-z`(]/);
    expect(d.message.endsWith(".")).toBe(false);
    const s = d.span;
    expect(s, d.message).toBeDefined();
    if (!s) continue;
    expect(s.start.offset).toBeGreaterThanOrEqual(0);
    expect(s.end.offset).toBeGreaterThanOrEqual(s.start.offset);
    expect(s.end.offset).toBeLessThanOrEqual(src.length);
    expect(s.start.line).toBeGreaterThanOrEqual(1);
    expect(s.start.col).toBeGreaterThanOrEqual(1);
  }
}

const GRAMMARISH = [
  "rule", "group", "service", "param", "policy", "import", "settings", "allow", "deny", "->", "{", "}", ",", ";", "\n",
  "=", "!=", "@", "^", "~", "!~", "!regex", "label", "address", "mode", "app", "port", "tcp/80", "8000-8080", "10.0.0.1",
  "fd00::1", "vh:", '"', "\\", "${", "ns", "}", "#", " ", "web", "5s", "learned", "prefix", "*.x.com", "$",
];

describe("the parser never throws", () => {
  test("on random text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 100 }),
          fc.array(fc.constantFrom(...GRAMMARISH), { maxLength: 60 }).map((ws) => ws.join(" ")),
          fc.array(fc.constantFrom(...GRAMMARISH), { maxLength: 60 }).map((ws) => ws.join(""))),
        (src) => {
          const r = parseSource("fuzz.nvp", src);
          expect(r.file.kind).toBe("file");
          checkDiagnostics(src, r.diagnostics);
        },
      ),
      { numRuns: 400 },
    );
  });

  test("on random edits of valid policies (insert, delete, replace)", () => {
    const edit = fc.tuple(fc.constantFrom("insert", "delete", "replace"), fc.nat(), fc.nat({ max: 6 }),
      fc.oneof(fc.constantFrom(...GRAMMARISH), fc.string({ maxLength: 3 })));
    fc.assert(
      fc.property(arbSourceFile({ maxItems: 6 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (file, edits) => {
        let src = formatSource(file);
        for (const [kind, at, len, text] of edits) {
          const i = at % (src.length + 1);
          if (kind === "insert") src = src.slice(0, i) + text + src.slice(i);
          else if (kind === "delete") src = src.slice(0, i) + src.slice(i + len);
          else src = src.slice(0, i) + text + src.slice(i + len);
        }
        const r = parseSource("mut.nvp", src);
        checkDiagnostics(src, r.diagnostics);
        // A file that still parses formats to the same meaning and comments, idempotently.
        if (r.diagnostics.length === 0) {
          const out = formatSource(r.file);
          expect(formatPreserves(r.file, out), `${src}\n---\n${out}`).toBe(true);
          expect(formatSource(parseSource("mut.nvp", out).file)).toBe(out);
        }
      }),
      { numRuns: 300 },
    );
  });
});

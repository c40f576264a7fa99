import { describe, expect, test } from "vitest";
import { renderAll, renderDiagnostic, type Diagnostic } from "../../common/diagnostics.js";
import type { Span } from "../../common/span.js";

const at = (line: number, col: number, len: number, file = "a.nvp"): Span => ({
  file,
  start: { line, col, offset: 0 },
  end: { line, col: col + len, offset: 0 },
});

describe("renderDiagnostic snippets", () => {
  const text = "first line\r\nsecond\n\nlast, no newline";
  const sources = new Map([["a.nvp", text], ["b.nvp", "other\nfile\n"]]);

  test("each line of the text, CRLF and a missing final newline included", () => {
    const lines = [1, 2, 3, 4].map((line) =>
      renderDiagnostic({ code: "NV9999", severity: "warning", message: "m", span: at(line, 1, 1) }, sources).split("\n")[3],
    );
    expect(lines).toEqual(["1 | first line", "2 | second", "3 | ", "4 | last, no newline"]);
  });

  test("tabs and control characters are replaced, so the caret stays under its column", () => {
    const src = new Map([["a.nvp", "a\tb\x01c"]]);
    const out = renderDiagnostic({ code: "NV9999", severity: "warning", message: "m", span: at(1, 5, 1) }, src);
    expect(out.split("\n")[3]).toBe("1 | a b\uFFFDc");
  });

  test("a line past the end shows an empty snippet line", () => {
    const out = renderDiagnostic({ code: "NV9999", severity: "error", message: "m", span: at(9, 1, 1) }, sources);
    expect(out.split("\n")[3]).toBe("9 | ");
  });

  test("renderAll finds lines in several files", () => {
    const ds: Diagnostic[] = [
      { code: "NV9999", severity: "warning", message: "m", span: at(4, 7, 2), label: "here", related: [{ span: at(2, 1, 4, "b.nvp"), message: "there" }] },
      { code: "NV9999", severity: "warning", message: "m", span: at(2, 1, 6) },
    ];
    const out = renderAll(ds, sources);
    expect(out).toContain("4 | last, no newline\n  |       ^^ here");
    expect(out).toContain("note: there\n  --> b.nvp:2:1\n  |\n2 | file\n  | ^^^^");
    expect(out).toContain("2 | second\n  | ^^^^^^");
  });
});

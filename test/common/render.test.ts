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

  test("limitWarnings keeps the first of each code and every error, and counts the rest", () => {
    const w = (code: string, line: number): Diagnostic => ({ code, severity: "warning", message: `w${line}`, span: at(line, 1, 1), label: "l", help: "h" });
    const ds: Diagnostic[] = [w("NV9001", 1), w("NV9002", 1), w("NV9001", 2), { code: "NV9000", severity: "error", message: "e", file: "b.nvp" }, w("NV9001", 3), w("NV9001", 4)];
    const out = renderAll(ds, sources, { limitWarnings: { perCode: 1, help: "say so" } });
    expect(out.match(/^(warning|error)\[NV\d+\]: .*$/gm)).toEqual([
      "warning[NV9001]: w1", "warning[NV9002]: w1", "error[NV9000]: e", "warning[NV9001]: and 3 more warnings with this code, not shown",
    ]);
    expect(out).toContain("  --> a.nvp:2:1\n  |\n2 | second\n  | ^ the first of them\n   = help: say so");
    expect(out.endsWith("\n\n1 error, 5 warnings (3 not shown)")).toBe(true);
    expect(renderAll(ds.slice(0, 3), sources, { limitWarnings: { perCode: 1, help: "h" } })).toContain("and 1 more warning with this code, not shown");
    expect(renderAll(ds, sources)).not.toContain("not shown");
  });
});

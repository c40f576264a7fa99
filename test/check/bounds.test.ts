/**
 * Small inputs never make large outputs (issue 10, item 2). Measured by size, never by time: the
 * diagnostics a checked file yields are capped per file (NV2901), a rendered snippet and its caret
 * stay within one window however far right the span is, and parameter expansion has a length bound
 * (NV2111) checked before the string is built.
 */
import { describe, expect, test } from "vitest";
import { renderAll, snippetWindow, SNIPPET_WIDTH } from "../../common/diagnostics.js";
import { compileSources } from "../../compiler/index.js";
import { MAX_ERRORS_PER_FILE } from "../../compiler/check/diag.js";
import { MAX_PARAM_VALUE } from "../../compiler/check/params.js";

function checked(text: string, params: Record<string, string> = {}) {
  const r = compileSources({ "p.nvp": text }, ["p.nvp"], params);
  const sources = new Map([["p.nvp", text]]);
  return { ...r, rendered: renderAll(r.diagnostics, sources) };
}

const codes = (ds: readonly { code: string }[]) => [...new Set(ds.map((d) => d.code))].sort();

describe("errors per file are capped in the data structure (NV2901)", () => {
  test("30,000 duplicate rule ids on one 750 KB line: 200 errors, one count, a bounded rendering", () => {
    const text = "policy p " + Array.from({ length: 30_000 }, () => "rule 10 allow any -> any").join(" ") + "\n";
    const r = checked(text);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(MAX_ERRORS_PER_FILE + 1);
    expect(codes(errors)).toEqual(["NV2102", "NV2901"]);
    const summary = errors.find((d) => d.code === "NV2901")!;
    expect(summary.message).toBe(`too many errors in \`p.nvp\`: ${29_999 - MAX_ERRORS_PER_FILE} more not shown after the first ${MAX_ERRORS_PER_FILE}`);
    // Each diagnostic renders in about 1 KB whatever its column: 2 snippets of ≤ 400 characters.
    expect(r.rendered.length).toBeLessThan((MAX_ERRORS_PER_FILE + 2) * 1300);
  });

  test("10,000 `mode protect` entries in one service: 200 NV2217 errors and the count", () => {
    const text = "policy p\nservice web = nv.web.shop {" + Array(10_000).fill("mode protect").join("; ") + " }\n";
    const r = checked(text);
    expect(r.diagnostics).toHaveLength(MAX_ERRORS_PER_FILE + 1);
    expect(codes(r.diagnostics)).toEqual(["NV2217", "NV2901"]);
    expect(r.rendered.length).toBeLessThan((MAX_ERRORS_PER_FILE + 2) * 1300);
  });
});

describe("snippet and caret share one window", () => {
  test("a span at column 15,000 of a 20 KB line shows its own text above its caret", () => {
    const line = "x".repeat(15_000) + "TARGET" + "y".repeat(5_000);
    const w = snippetWindow(line.length, 15_001, 15_007);
    expect(w.to - w.from).toBeLessThanOrEqual(SNIPPET_WIDTH);
    const shown = "…" + line.slice(w.from, w.to);
    expect(shown.slice(w.caretAt, w.caretAt + w.width)).toBe("TARGET");
  });

  test("a short line is shown whole; a span running past the window is cut at its edge", () => {
    expect(snippetWindow(30, 5, 9)).toEqual({ from: 0, to: 30, caretAt: 4, width: 4 });
    const w = snippetWindow(10_000, 9_000, 9_900);
    expect(w.caretAt + w.width).toBeLessThanOrEqual(SNIPPET_WIDTH + 1);
  });

  test("2,000 errors on one 20 KB line render in under 2.5 MB (the caret line was 17.5 MB)", () => {
    const text = "policy p\ngroup g { address " + Array.from({ length: 2_000 }, (_, i) => `10.0.${i}.300`).join(", ") + " }\nrule 1 allow g -> any\n";
    const r = checked(text);
    expect(r.diagnostics.filter((d) => d.code === "NV2201")).toHaveLength(MAX_ERRORS_PER_FILE);
    expect(r.rendered.length).toBeLessThan(2_500_000);
    for (const line of r.rendered.split("\n")) expect(line.length).toBeLessThan(SNIPPET_WIDTH + 120);
  });
});

describe("parameter expansion is bounded (NV2111)", () => {
  const chain = (n: number) =>
    ["policy p", 'param p0 = "ab"', ...Array.from({ length: n }, (_, i) => `param p${i + 1} = "\${p${i}}\${p${i}}"`), `service web = nv.web.\${p${n}}`].join("\n") + "\n";

  test("40 chained doublings: one NV2111 at the first reference past the bound, a short message", () => {
    const r = checked(chain(40));
    expect(codes(r.diagnostics)).toEqual(["NV2111"]);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe(`expanding \`\${p15}\` makes a value longer than ${MAX_PARAM_VALUE} characters`);
    expect(d.label).toBe("131072 characters");
    expect(d.span?.start.line).toBe(18);
    expect(r.rendered.length).toBeLessThan(2_000);
  });

  test("a chain that stays within the bound expands", () => {
    const r = checked(chain(3).replace("service web = nv.web.${p3}", 'group g { label k = "${p3}" }\nrule 1 allow g -> any'));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.model?.params["p3"]).toBe("ab".repeat(8));
  });
});

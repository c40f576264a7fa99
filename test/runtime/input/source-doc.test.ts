import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { readDocuments, type PathSeg } from "../../../runtime/input/source-doc.js";
import { scanJsonPositions } from "../../../runtime/input/json-positions.js";

/** Every path to a scalar in `v`, with the scalar. */
function leaves(v: unknown, path: PathSeg[] = []): [PathSeg[], unknown][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, i]));
  if (v !== null && typeof v === "object") return Object.keys(v).flatMap((k) => leaves((v as Record<string, unknown>)[k], [...path, k]));
  return [[path, v]];
}

const slice = (text: string, s: { start: { offset: number }; end: { offset: number } } | undefined) => (s ? text.slice(s.start.offset, s.end.offset) : undefined);

describe("source positions", () => {
  test("JSON fast path: every scalar and key is located exactly (compact and pretty)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined) ?? "null";
        const { docs, diagnostics } = readDocuments("f.json", text.startsWith("{") || text.startsWith("[") ? text : `[${text}]`, "NV0000");
        expect(diagnostics).toEqual([]);
        const doc = docs[0]!;
        const src = doc.lines.text;
        for (const [path, leaf] of leaves(doc.value)) {
          expect(slice(src, doc.span(path))).toBe(JSON.stringify(leaf));
          const last = path[path.length - 1];
          if (typeof last === "string") expect(slice(src, doc.span(path, "key"))).toBe(JSON.stringify(last));
        }
      }),
      { numRuns: 150 },
    );
  });

  test("YAML and JSON locate the same value the same way", () => {
    const json = '{"workloads": [{"name": "a", "ips": ["10.0.0.1", "x"]}]}';
    const viaJson = readDocuments("f", json, "NV0000").docs[0]!;
    const viaYaml = readDocuments("f", `# comment forces the YAML parser\n${json}`, "NV0000").docs[0]!;
    const path = ["workloads", 0, "ips", 1];
    expect(viaJson.span(path)).toMatchObject({ start: { line: 1, col: 50 }, end: { line: 1, col: 53 } });
    expect(viaYaml.span(path)).toMatchObject({ start: { line: 2, col: 50 }, end: { line: 2, col: 53 } });
    expect(viaYaml.span(["workloads", 0, "name"], "key")).toMatchObject({ start: { line: 2, col: 17 } });
  });

  test("a missing path falls back to the nearest existing ancestor, first line only", () => {
    const text = "workloads:\n  - name: a\n    labels: {}\n";
    const doc = readDocuments("f", text, "NV0000").docs[0]!;
    expect(slice(text, doc.span(["workloads", 0, "ips"]))).toBe("name: a");
    expect(slice(text, doc.span(["nodes", 3]))).toBe("workloads:");
  });

  test("JSON that JSON.parse rejects is located by the YAML parser", () => {
    const { docs, diagnostics } = readDocuments("f.json", '{"a": [1, 2}\n', "NV9999");
    expect(docs).toEqual([]);
    expect(diagnostics[0]).toMatchObject({ code: "NV9999", severity: "error", span: { start: { line: 1 } } });
  });

  test("flow-style YAML that is not JSON still loads", () => {
    const { docs, diagnostics } = readDocuments("f", "{a: [1, 2], b: c}", "NV0000");
    expect(diagnostics).toEqual([]);
    expect(docs[0]?.value).toEqual({ a: [1, 2], b: "c" });
  });

  test("an unresolved alias is reported, not thrown", () => {
    const { docs, diagnostics } = readDocuments("f", "a: *nope\n", "NV0001");
    expect(docs).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(["NV0001"]);
  });

  test("a byte-order mark does not hide JSON", () => {
    const { docs } = readDocuments("f", '\ufeff{"a": 1}', "NV0000");
    expect(docs[0]?.value).toEqual({ a: 1 });
    expect(docs[0]?.span(["a"])).toMatchObject({ start: { col: 8 } });
  });

  test("the scanner stops quietly on truncated input", () => {
    expect(scanJsonPositions('{"a": [1, 2')?.members?.get("a")?.items).toHaveLength(2);
    expect(scanJsonPositions("")).toBeUndefined();
  });
});

// The one code catalog (common/codes/catalog.ts): every diagnostic code the source can emit is in it
// (SARIF rule titles); every code in it is documented with the severity it declares, and every
// documented code exists; call sites report a code with the catalog's severity.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CODE_CATALOG, CODE_TABLES } from "../../common/codes/catalog.js";
import { diagnosticCatalog } from "../../compiler/index.js";

const root = join(import.meta.dirname, "../..");
const SOURCE_DIRS = ["common", "grammar", "compiler", "runtime", "cli"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const sources = SOURCE_DIRS.flatMap(sourceFiles).map((f) => ({ file: f, text: readFileSync(join(root, f), "utf8") }));
const codesInSource = new Set(sources.flatMap((f) => f.text.match(/\bNV\d{4}\b/g) ?? []));
const docs = ["diagnostics.md", "formats.md"].map((f) => readFileSync(join(root, "docs", f), "utf8")).join("\n");
/** Rows `| NVxxxx | severity | meaning |` of the code tables in docs/diagnostics.md and docs/formats.md. */
const documentedSeverity = new Map([...docs.matchAll(/^\| (NV\d{4}) \| (error|warning) \|/gm)].map((m) => [m[1] as string, m[2] as string]));

describe("diagnostic catalog", () => {
  const catalog = diagnosticCatalog();

  test("every code in the source has a catalog title", () => {
    const missing = [...codesInSource].filter((c) => !catalog.has(c)).sort();
    expect(missing).toEqual([]);
  });

  test("every catalog code is documented in docs/diagnostics.md or docs/formats.md", () => {
    const undocumented = [...catalog.keys()].filter((c) => !new RegExp(`\\| ${c} \\|`).test(docs)).sort();
    expect(undocumented).toEqual([]);
  });

  test("codes sit in their phase's range", () => {
    for (const code of catalog.keys()) expect(code).toMatch(/^NV[0-6]\d{3}$/);
    expect(catalog.size).toBeGreaterThan(100);
  });

  test("diagnosticCatalog() is the common catalog's titles", () => {
    expect([...catalog]).toEqual([...CODE_CATALOG].map(([code, info]) => [code, info.title]));
  });

  test("no code is declared in two phase tables", () => {
    const declared = Object.values(CODE_TABLES).flatMap((t) => Object.keys(t));
    expect(declared.length).toBe(CODE_CATALOG.size);
  });

  test("every documented code exists, with the severity the catalog declares", () => {
    expect(documentedSeverity.size).toBeGreaterThan(100);
    const wrong = [...documentedSeverity]
      .filter(([code, severity]) => CODE_CATALOG.get(code)?.severity !== severity)
      .map(([code, severity]) => `${code}: docs ${severity}, catalog ${CODE_CATALOG.get(code)?.severity ?? "none"}`);
    expect(wrong).toEqual([]);
    expect([...CODE_CATALOG.keys()].filter((c) => !documentedSeverity.has(c))).toEqual([]);
  });

  test("every code a table row of any docs page names is in the catalog", () => {
    const pages = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));
    const rows = pages.flatMap((f) => [...readFileSync(join(root, "docs", f), "utf8").matchAll(/^\| (NV\d{4}) \|/gm)].map((m) => ({ page: f, code: m[1] as string })));
    expect(rows.length).toBeGreaterThan(documentedSeverity.size);
    expect(rows.filter((r) => !CODE_CATALOG.has(r.code)).map((r) => `${r.page}: ${r.code}`)).toEqual([]);
  });

  test("call sites report a code with the catalog's severity", () => {
    const calls = sources.flatMap(({ file, text }) => [
      ...[...text.matchAll(/\.(error|errorNoSpan|warn)\(\s*"(NV\d{4})"/g)].map((m) => ({ file, code: m[2] as string, severity: m[1] === "warn" ? "warning" : "error" })),
      ...[...text.matchAll(/code: "(NV\d{4})", severity: "(error|warning)"/g)].map((m) => ({ file, code: m[1] as string, severity: m[2] as string })),
    ]);
    expect(calls.length).toBeGreaterThan(50);
    expect(calls.filter((c) => CODE_CATALOG.get(c.code)?.severity !== c.severity).map((c) => `${c.file}: ${c.code} as ${c.severity}`)).toEqual([]);
  });
});

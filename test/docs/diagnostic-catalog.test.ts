// Every diagnostic code the source can emit is in the catalog (SARIF rule titles) and documented.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { diagnosticCatalog } from "../../compiler/index.js";

const root = join(import.meta.dirname, "../..");
const SOURCE_DIRS = ["common", "grammar", "compiler", "runtime", "cli"];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const codesInSource = new Set(SOURCE_DIRS.flatMap(sourceFiles).flatMap((f) => readFileSync(join(root, f), "utf8").match(/\bNV\d{4}\b/g) ?? []));
const docs = ["diagnostics.md", "formats.md"].map((f) => readFileSync(join(root, "docs", f), "utf8")).join("\n");

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
});

/**
 * Golden rendered diagnostics for multi-error policies: each directory under test/golden/check/
 * holds `main.nvp` (the entry), any files it imports, an optional `params.json` (`--set` values)
 * and `expected.txt`, the exact `nvp check` output without colour.
 * Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/check
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { renderAll } from "../../common/diagnostics.js";
import { checkSources } from "../../compiler/pipeline.js";

const ROOT = join(import.meta.dirname, "..", "golden", "check");
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

test("there are golden cases", () => {
  expect(cases.length).toBeGreaterThanOrEqual(4);
});

test.each(cases)("%s", (name) => {
  const dir = join(ROOT, name);
  const texts: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".nvp"))) texts[f] = readFileSync(join(dir, f), "utf8");
  const paramsFile = join(dir, "params.json");
  const params = existsSync(paramsFile) ? (JSON.parse(readFileSync(paramsFile, "utf8")) as Record<string, string>) : {};
  const r = checkSources(texts, ["main.nvp"], params);
  const rendered = `${renderAll(r.diagnostics, r.sources)}\n`;
  const expectedFile = join(dir, "expected.txt");
  if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, rendered);
  expect(rendered).toBe(readFileSync(expectedFile, "utf8"));
});

/**
 * The NV2xxx catalog, the docs and the tests agree: every code in common/codes/check.ts has a
 * row with the same severity in docs/diagnostics.md, is emitted somewhere in compiler/check/, and
 * is asserted by at least one checker test or golden file.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { CHECK_CODES } from "../../common/codes/check.js";

const root = join(import.meta.dirname, "..", "..");
const read = (dir: string, ext: string) =>
  readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ext) && !f.endsWith("codes.test.ts") && !f.endsWith("codes.ts"))
    .map((f) => readFileSync(join(root, dir, f), "utf8"))
    .join("\n");

const docs = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
const source = read("compiler/check", ".ts");
const tests = read("test/check", ".ts") + read("test/golden/check", ".txt");

test.each(Object.entries(CHECK_CODES))("%s is documented, emitted and tested", (code, info) => {
  expect(docs).toMatch(new RegExp(`\\| ${code} \\| ${info.severity} \\|`));
  expect(source).toContain(`"${code}"`);
  expect(tests).toContain(code);
});

test("the docs list no NV2xxx code the catalog lacks", () => {
  const documented = [...docs.matchAll(/\| (NV2\d{3}) \|/g)].map((m) => m[1]!);
  expect(documented.filter((c) => !(c in CHECK_CODES))).toEqual([]);
});

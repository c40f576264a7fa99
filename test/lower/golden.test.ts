/**
 * Golden tests of lowering and encoding: each test/golden/lower/<name>.nvp is checked, lowered and
 * printed (<name>.ir), and its encoded table header dumped (<name>.table), exactly as
 * `nvp compile --dump-after lower|encode` shows them. Regenerate with
 *   UPDATE_GOLDEN=1 NO_COLOR=1 npx vitest run test/lower/golden.test.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkSources, compileModule, type DumpStage } from "../../compiler/pipeline.js";

const DIR = join(import.meta.dirname, "../golden/lower");
const update = process.env.UPDATE_GOLDEN === "1";

function dumps(file: string): Record<DumpStage, string> {
  const path = join(DIR, file);
  const checked = checkSources({ [path]: readFileSync(path, "utf8") }, [path]);
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (!checked.model || errors.length) throw new Error(`${file}: ${errors.map((d) => d.message).join("; ")}`);
  const out = {} as Record<DumpStage, string>;
  for (const stage of ["lower", "encode"] as const) {
    compileModule(checked.model, { dumpAfter: stage, onDump: (s, text) => (out[s] = text) });
  }
  return out;
}

function golden(path: string, actual: string): void {
  if (update || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("lowering goldens", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".nvp")).sort();
  test("there are golden inputs", () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const file of files) {
    test(file, () => {
      const stem = join(DIR, file.slice(0, -".nvp".length));
      const out = dumps(file);
      golden(`${stem}.ir`, out.lower);
      golden(`${stem}.table`, out.encode);
    });
  }
});

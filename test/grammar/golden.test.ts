/**
 * Golden files: for each test/golden/parse/NAME.nvp,
 *   NAME.ast.yaml   the AST without spans (items, then comment texts),
 *   NAME.diag.txt   the diagnostics as `nvp check` renders them,
 *   NAME.fmt        the formatted file (only when there are no errors).
 * Regenerate after an intended change with:
 *   UPDATE_GOLDEN=1 NO_COLOR=1 npx vitest run test/grammar/golden.test.ts
 * and review the diff.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { renderAll } from "../../common/diagnostics.js";
import { parseSource } from "../../compiler/ast/parse.js";
import { stripSpans } from "../../compiler/ast/strip.js";
import { formatSource } from "../../compiler/fmt/format.js";

const DIR = join(import.meta.dirname, "..", "golden", "parse");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const inputs = readdirSync(DIR).filter((f) => f.endsWith(".nvp")).sort();

function golden(path: string, actual: string | undefined): void {
  if (UPDATE) {
    if (actual === undefined) rmSync(path, { force: true });
    else writeFileSync(path, actual);
    return;
  }
  if (actual === undefined) {
    expect(existsSync(path), `${path} should not exist`).toBe(false);
    return;
  }
  expect(existsSync(path), `${path} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("golden parse files", () => {
  test("there are golden inputs", () => {
    expect(inputs.length).toBeGreaterThanOrEqual(15);
  });

  test.each(inputs)("%s", (name) => {
    const file = `test/golden/parse/${name}`;
    const src = readFileSync(join(DIR, name), "utf8");
    const r = parseSource(file, src);
    const base = join(DIR, name.replace(/\.nvp$/, ""));
    const ast = { items: stripSpans(r.file.items), comments: r.file.comments.map((c) => c.text) };
    golden(`${base}.ast.yaml`, stringify(ast, { lineWidth: 0 }));
    golden(`${base}.diag.txt`, `${renderAll(r.diagnostics, new Map([[file, src]]))}\n`);
    golden(`${base}.fmt`, r.diagnostics.length ? undefined : formatSource(r.file));
  });
});

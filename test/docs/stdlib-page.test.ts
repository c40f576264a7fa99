/**
 * docs/language.md §6 lists every group of the standard library, with its definition as the
 * formatter prints it, under the module that defines it; and its example checks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import { checkSources } from "../../compiler/pipeline.js";
import { entryText } from "../../compiler/fmt/print.js";
import { REPO_ROOT, repoFiles } from "../repo-files.js";

const doc = readFileSync(join(REPO_ROOT, "docs/language.md"), "utf8");
const page = doc.slice(doc.indexOf("## 6. The standard library"));
const modules = repoFiles(".nvp", "stdlib").map((f) => f.replace(/^stdlib\/|\.nvp$/g, ""));

describe("the standard library page", () => {
  test("has a section for every module", () => {
    expect(modules.length).toBeGreaterThanOrEqual(2);
    for (const m of modules) expect(page).toContain(`### \`std/${m}\``);
  });

  test.each(modules)("std/%s: every group, with its definition, and no group it does not define", (m) => {
    const file = parseSource(`std/${m}.nvp`, readFileSync(join(REPO_ROOT, "stdlib", `${m}.nvp`), "utf8")).file;
    const start = page.indexOf(`### \`std/${m}\``);
    const next = page.indexOf("\n### ", start + 1);
    const section = page.slice(start, next < 0 ? undefined : next);
    const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` \| `(.*?)` \|/gm)].map((r) => [r[1], r[2]]);
    const groups = file.items.flatMap((i) => (i.kind === "group" ? [[i.name.text, i.entries.map(entryText).join("; ")]] : []));
    expect(rows).toEqual(groups);
  });

  test("the example checks", () => {
    const example = /For example:\n\n```\n([\s\S]*?)```/.exec(page)?.[1];
    expect(example).toBeDefined();
    const r = checkSources({ "x.nvp": `policy x\n${example}` }, ["x.nvp"]);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.model?.rules.map((x) => x.id)).toEqual([10, 20, 30]);
  });
});

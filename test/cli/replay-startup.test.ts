/**
 * What `nvp replay` loads before it starts: its static (value) imports, followed through, reach
 * neither the compiler nor the grammar (chevrotain and its lodash-es are ~0.5 s of start-up), so
 * a replay of a compiled module (--module) never loads them; --policy and the identification
 * policy load the compiler with a dynamic import. The writer thread's entry loads no more than
 * the runtime's output and packet code either.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { resolveRelative } from "../layering/import-graph.js";
import { REPO_ROOT } from "../repo-files.js";

// Value imports only (`import type` is erased), static only (`import("…")` is not followed).
const STATIC = /^[ \t]*(?:import|export)(?!\s+type\b)\b[^;]*?\bfrom\s*["']([^"']+)["']|^[ \t]*import\s*["']([^"']+)["']/gm;

/** Every repo file and package the file loads before it runs, following static imports. */
function staticClosure(start: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [join(REPO_ROOT, start)];
  while (queue.length) {
    const file = queue.pop() as string;
    const rel = relative(REPO_ROOT, file).split("\\").join("/");
    if (files.has(rel)) continue;
    files.add(rel);
    for (const m of readFileSync(file, "utf8").matchAll(STATIC)) {
      const spec = (m[1] ?? m[2]) as string;
      if (!spec.startsWith(".")) packages.add(spec);
      else queue.push(resolveRelative(file, spec) as string);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

describe("nvp replay start-up", () => {
  test("the replay command loads neither the compiler nor the grammar until --policy asks for it", () => {
    const c = staticClosure("cli/commands/replay.ts");
    expect(c.files).toContain("runtime/replay/driver.ts");
    expect(c.files.filter((f) => f.startsWith("compiler/") || f.startsWith("grammar/"))).toEqual([]);
    expect(c.packages).not.toContain("chevrotain");
  });

  test("the writer thread's entry loads only runtime and common code", () => {
    const c = staticClosure("runtime/output/ndjson-worker.ts");
    expect(c.files.filter((f) => !f.startsWith("runtime/") && !f.startsWith("common/"))).toEqual([]);
    expect(c.packages.filter((p) => !p.startsWith("node:"))).toEqual([]);
  });
});

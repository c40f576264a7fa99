/**
 * The repository's own files of one kind, found by walking the tree rather than asking git, so the
 * tests that read them also run from a tarball or an export without `.git`. Skipped: what
 * .gitignore keeps out (node_modules, dist, build, tmp) and dot-folders.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..");

const SKIP = new Set(["node_modules", "dist", "build", "tmp"]);

/** Paths relative to `REPO_ROOT` (forward slashes), sorted, of files under `under` ending in `suffix`. */
export function repoFiles(suffix: string, under = "."): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name.endsWith(suffix)) out.push(relative(REPO_ROOT, path).split("\\").join("/"));
    }
  };
  walk(join(REPO_ROOT, under));
  return out.sort();
}

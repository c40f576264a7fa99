/**
 * Where the standard library lives and how its files are named. Standard library files get the
 * display path `std/<name>.nvp` (not a machine-specific absolute path), so diagnostics, golden
 * files and compiled metadata are the same on every machine.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const STD_PREFIX = "std/";

export function isStdPath(path: string): boolean {
  return path.startsWith(STD_PREFIX);
}

/** A module name after `std/`: lower-case words joined by hyphens (no paths, no `..`). */
export function isStdModuleName(name: string): boolean {
  return /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name);
}

let cached: string | undefined;

/**
 * The package's `stdlib/` directory, found by walking up from this module: it sits two levels up
 * from compiler/check/ when run from source and three from dist/compiler/check/ when built.
 */
export function defaultStdlibDir(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "stdlib"))) return (cached = join(dir, "stdlib"));
    dir = dirname(dir);
  }
  cached = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "stdlib");
  return cached;
}

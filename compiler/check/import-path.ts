/**
 * How an `import` string names a file: `std/<name>` is a standard library module shown as
 * `std/<name>.nvp`; anything else is relative to the importing file (or absolute), with `.nvp`
 * added when the last segment has no extension. Path arithmetic shared by the loader (to read
 * files) and the checker (to know which files are libraries imported by others), and where the
 * standard library lives. Standard library files get the display path `std/<name>.nvp`, not a
 * machine-specific absolute path, so diagnostics, golden files and compiled metadata are the same
 * on every machine.
 */
import { existsSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { q } from "./diag.js";

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

export type ImportTarget = { display: string; std?: string } | { error: string; help: string };

export function normalizePath(path: string): string {
  return posix.normalize(path.replace(/\\/g, "/"));
}

export function withExtension(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.includes(".") ? path : `${path}.nvp`;
}

/**
 * The display path an import names, from the display path of the importing file. `std` is set to
 * the module name for standard library files.
 */
export function importTarget(fromDisplay: string, spec: string): ImportTarget {
  if (spec.startsWith(STD_PREFIX)) {
    const name = spec.slice(STD_PREFIX.length).replace(/\.nvp$/, "");
    if (!isStdModuleName(name)) {
      return { error: `${q(spec)} is not a standard library module name`, help: 'standard library imports look like `import "std/net"`' };
    }
    return { display: `${STD_PREFIX}${name}.nvp`, std: name };
  }
  if (spec.trim() === "") return { error: "empty import path", help: 'give a path relative to this file, such as `import "./base.nvp"`' };
  const rel = withExtension(spec.replace(/\\/g, "/"));
  if (isStdPath(fromDisplay)) {
    // A standard library file imports its siblings only.
    const name = posix.normalize(rel).replace(/^\.\//, "").replace(/\.nvp$/, "");
    if (!isStdModuleName(name)) return { error: `${q(spec)} is outside the standard library`, help: "standard library files import only each other" };
    return { display: `${STD_PREFIX}${name}.nvp`, std: name };
  }
  return { display: rel.startsWith("/") ? posix.normalize(rel) : posix.normalize(posix.join(posix.dirname(fromDisplay), rel)) };
}

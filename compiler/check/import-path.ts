/**
 * How an `import` string names a file: `std/<name>` is a standard library module shown as
 * `std/<name>.nvp`; anything else is relative to the importing file (or absolute), with `.nvp`
 * added when the last segment has no extension. Pure path arithmetic, shared by the loader (to
 * read files) and the checker (to know which files are libraries imported by others).
 */
import { posix } from "node:path";
import { q } from "./diag.js";
import { STD_PREFIX, isStdModuleName, isStdPath } from "./stdlib-path.js";

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

/**
 * Policy files named on the command line: folders expand to the `.nvp` files under them (as
 * `opa check dir/` does), and each file that another named file imports is left to its importer,
 * so `nvp check examples/` checks every policy once, each on its own.
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadPolicy, nodeFs } from "../compiler/check/load.js";
import { normalizePath } from "../compiler/check/import-path.js";

/** Folders never searched: dependencies, build output, version control. */
const SKIP = new Set(["node_modules", "dist", "build"]);

export interface PolicyArgs {
  /** Every file, folders expanded (sorted within a folder), in argument order, each once. */
  files: string[];
  /** True when at least one argument was a folder. */
  fromFolder: boolean;
}

/** Expand folders to their `.nvp` files; a missing path is kept, so the loader reports it. */
export function expandPolicyArgs(args: readonly string[], cwd: string): PolicyArgs {
  const files: string[] = [];
  const seen = new Set<string>();
  let fromFolder = false;
  const add = (f: string): void => {
    const key = normalizePath(f);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(f);
  };
  for (const arg of args) {
    let dir = false;
    try {
      dir = statSync(resolve(cwd, arg)).isDirectory();
    } catch {
      // Not there: the loader says so with the usual NV2001.
    }
    if (!dir) {
      add(arg);
      continue;
    }
    fromFolder = true;
    for (const f of nvpUnder(cwd, arg)) add(f);
  }
  return { files, fromFolder };
}

function nvpUnder(cwd: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(resolve(cwd, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
      const path = normalizePath(join(rel, e.name));
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name.endsWith(".nvp")) out.push(path);
    }
  };
  walk(dir);
  return out;
}

export interface PolicyRoot {
  file: string;
  /** The other named files this one imports (checked as part of it). */
  imports: string[];
}

/**
 * The files no other named file imports, each with the named files it imports. Two files that
 * import each other are both roots (each then reports the cycle).
 */
export function policyRoots(files: readonly string[], cwd: string): PolicyRoot[] {
  const fs = { readFile: (p: string) => nodeFs.readFile(resolve(cwd, p)) };
  const named = new Map(files.map((f) => [normalizePath(f), f]));
  const importsOf = new Map<string, Set<string>>();
  for (const [key] of named) {
    const loaded = loadPolicy([named.get(key)!], { fs });
    importsOf.set(key, new Set(loaded.files.map((f) => f.path).filter((p) => p !== key && named.has(p))));
  }
  const roots: PolicyRoot[] = [];
  for (const [key, file] of named) {
    const importers = [...named.keys()].filter((k) => k !== key && importsOf.get(k)!.has(key) && !importsOf.get(key)!.has(k));
    if (importers.length === 0) roots.push({ file, imports: [...importsOf.get(key)!].map((k) => named.get(k)!) });
  }
  return roots;
}

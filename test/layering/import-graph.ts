/**
 * The static import graph of this repo's sources (TypeScript and AssemblyScript) or of emitted
 * JavaScript, read with a few regular expressions instead of a parser: statements of this codebase
 * start at the beginning of a line, so `import`/`export … from` at a line start are the imports, and
 * doc comments (` * import …`) never match. Used by the layering test and the package test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export interface ImportRef {
  /** The specifier as written: `./table`, `../common/abi.js`, `chevrotain`. */
  spec: string;
  /** `import type …` / `export type … from`: erased by the TypeScript compiler. */
  typeOnly: boolean;
}

// `import … from "x"`, `export … from "x"` (the clause may span lines, but never contains `;`).
const FROM = /^[ \t]*(import|export)(\s+type)?\b[^;]*?\bfrom\s*["']([^"']+)["']/gm;
// `import "x"` (side effects only) and `import("x")` with a literal specifier.
const BARE = /^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every import specifier in one source text. */
export function importRefs(text: string): ImportRef[] {
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(FROM)) refs.push({ spec: m[3] as string, typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(BARE)) refs.push({ spec: m[1] as string, typeOnly: false });
  for (const m of text.matchAll(DYNAMIC)) refs.push({ spec: m[1] as string, typeOnly: false });
  return refs;
}

/**
 * The file a relative specifier names: TypeScript writes `./x.js` for `./x.ts`, AssemblyScript
 * writes `./x` for `./x.ts`; emitted JavaScript names the file itself.
 */
export function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}.js`, join(base, "index.ts"), join(base, "index.js")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

export interface ImportGraph {
  /** File (relative to the root, `/`-separated) → the files it imports, relative too. */
  edges: Map<string, Set<string>>;
  /** File → bare specifiers it imports (`node:fs`, `chevrotain`). */
  packages: Map<string, Set<string>>;
  /** Relative specifiers that name no file: a broken import, reported rather than skipped. */
  unresolved: string[];
}

const SOURCE = /\.(ts|js|mjs)$/;

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourcesUnder(p));
    else if (SOURCE.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/**
 * The graph of `dirs` (relative to `root`) when `follow` is false, or everything reachable from the
 * files or folders in `starts` when it is true.
 */
export function importGraph(root: string, starts: readonly string[], opts: { follow?: boolean; typeImports?: boolean } = {}): ImportGraph {
  const g: ImportGraph = { edges: new Map(), packages: new Map(), unresolved: [] };
  const rel = (p: string) => relative(root, p).split("\\").join("/");
  const queue = starts.flatMap((s) => {
    const p = resolve(root, s);
    return statSync(p).isDirectory() ? sourcesUnder(p) : [p];
  });
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.pop() as string;
    const to = new Set<string>();
    const pkgs = new Set<string>();
    g.edges.set(rel(file), to);
    g.packages.set(rel(file), pkgs);
    for (const ref of importRefs(readFileSync(file, "utf8"))) {
      if (ref.typeOnly && opts.typeImports === false) continue;
      if (!ref.spec.startsWith(".")) {
        pkgs.add(ref.spec);
        continue;
      }
      const target = resolveRelative(file, ref.spec);
      if (target === undefined) {
        g.unresolved.push(`${rel(file)} → ${ref.spec}`);
        continue;
      }
      to.add(rel(target));
      if (opts.follow && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return g;
}

/** The strongly connected components with more than one file (Tarjan): each is an import cycle. */
export function importCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)?.has(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The edges that stay inside one set of files (a cycle's own edges), as `from → to` lines. */
export function edgesWithin(edges: ReadonlyMap<string, ReadonlySet<string>>, files: readonly string[]): string[] {
  const inside = new Set(files);
  const out: string[] = [];
  for (const f of files) for (const t of edges.get(f) ?? []) if (inside.has(t)) out.push(`${f} → ${t}`);
  return out.sort();
}

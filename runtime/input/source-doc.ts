/**
 * One parsed input document (YAML or JSON) that can answer "where in the file is this value?".
 * Validators work on plain values and ask for a span only when they report something, so the
 * JSON fast path never pays for a position-keeping parse unless the input is wrong.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from "yaml";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Pos, Span } from "../../common/span.js";
import { scanJsonPositions, type JsonPosNode } from "./json-positions.js";

export type PathSeg = string | number;
export type Path = readonly PathSeg[];

/** Which part of a mapping entry to underline: the key (`ips:`) or its value. */
export type Part = "key" | "value";

/** Line starts of a whole file, shared by every document cut from it. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(readonly text: string) {}

  pos(offset: number): Pos {
    const starts = (this.starts ??= lineStarts(this.text));
    const off = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - (starts[lo] ?? 0) + 1, offset: off };
  }
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) out.push(i + 1);
  return out;
}

type Locator =
  | { kind: "json"; start: number; end: number; tree?: JsonPosNode | null }
  | { kind: "yaml"; doc: Document }
  /** A value with no source text (built by a program, e.g. from command-line options). */
  | { kind: "none" };

export class SourceDoc {
  constructor(
    readonly file: string,
    readonly lines: LineIndex,
    /** The plain value (what `JSON.parse` or YAML `toJS` gave). */
    readonly value: unknown,
    private readonly locator: Locator,
  ) {}

  /** A span for `[start, end)` offsets of the file. */
  spanAt(start: number, end: number): Span {
    return { file: this.file, start: this.lines.pos(start), end: this.lines.pos(Math.max(start, end)) };
  }

  /**
   * The span of the value (or key) at `path`. A path that does not exist (a missing field) falls
   * back to its nearest existing ancestor, so "missing `ips`" points at the workload.
   */
  span(path: Path, part: Part = "value"): Span | undefined {
    if (this.locator.kind === "none") return undefined;
    const r = this.locator.kind === "json" ? this.jsonRange(path, part) : this.yamlRange(path, part);
    return this.spanAt(r[0], r[1]);
  }

  private jsonRange(path: Path, part: Part): [number, number] {
    const loc = this.locator as Extract<Locator, { kind: "json" }>;
    if (loc.tree === undefined) loc.tree = scanJsonPositions(this.lines.text, loc.start, loc.end) ?? null;
    let node: JsonPosNode | null = loc.tree;
    if (!node) return [loc.start, loc.start];
    for (const seg of path) {
      const next: JsonPosNode | undefined = typeof seg === "number" ? node.items?.[seg] : node.members?.get(seg);
      if (!next) return firstLine(this.lines.text, node.start, node.end);
      node = next;
    }
    if (part === "key" && node.keyStart !== undefined && node.keyEnd !== undefined) return [node.keyStart, node.keyEnd];
    return firstLine(this.lines.text, node.start, node.end);
  }

  private yamlRange(path: Path, part: Part): [number, number] {
    const doc = (this.locator as Extract<Locator, { kind: "yaml" }>).doc;
    let node: unknown = doc.contents;
    let key: unknown;
    for (const seg of path) {
      const step = yamlChild(node, seg);
      if (!step) break;
      node = step.node;
      key = step.key;
    }
    const target = part === "key" && key ? key : node;
    const range = (target as Node | null)?.range;
    if (!range) return [0, 0];
    return firstLine(this.lines.text, range[0], range[1]);
  }
}

/** One step down a YAML node tree: a mapping entry by key (last duplicate wins) or a list item. */
function yamlChild(node: unknown, seg: PathSeg): { node: unknown; key?: unknown } | undefined {
  if (isMap(node)) {
    let found: { node: unknown; key?: unknown } | undefined;
    for (const pair of node.items) {
      if (isPair(pair) && scalarKey(pair.key) === String(seg)) found = { node: pair.value ?? pair.key, key: pair.key };
    }
    return found;
  }
  if (isSeq(node) && typeof seg === "number") {
    const item: unknown = node.items[seg];
    return item ? { node: item } : undefined;
  }
  return undefined;
}

function scalarKey(k: unknown): string | undefined {
  if (isScalar(k)) return String(k.value);
  if (isAlias(k)) return k.source;
  return undefined;
}

/** Underline only the first line of a multi-line value: the renderer shows one line anyway. */
function firstLine(text: string, start: number, end: number): [number, number] {
  const nl = text.indexOf("\n", start);
  let e = nl >= 0 && nl < end ? nl : end;
  while (e > start && (text[e - 1] === "\r" || text[e - 1] === " ")) e--;
  return [start, Math.max(start, e)];
}

/** YAML marks some errors with one character; underline the whole word there (a duplicate key). */
function widen(text: string, start: number, end: number): number {
  if (end - start > 1) return end;
  const m = /^[^\s:,\[\]{}]+/.exec(text.slice(start, start + 200));
  return m ? start + m[0].length : end;
}

/** Lowercase first letter, no final period, no YAML's "at line…" tail: the house message style. */
export function houseMessage(m: string): string {
  const head = m.split(/ at line \d+, column \d+/)[0] ?? m;
  const one = head.split("\n")[0]?.trim().replace(/[.:]$/, "") ?? "";
  return one.charAt(0).toLowerCase() + one.slice(1);
}

/**
 * Parse a file into documents. Text that starts like JSON goes through `JSON.parse` (fast, and
 * positions are rebuilt only on demand); YAML, and JSON that `JSON.parse` rejects, goes through
 * the YAML parser, whose errors carry positions. A document with syntax errors is dropped: its
 * errors are reported under `syntaxCode` and none of its data is used.
 */
export function readDocuments(file: string, text: string, syntaxCode: string): { docs: SourceDoc[]; diagnostics: Diagnostic[] } {
  const lines = new LineIndex(text);
  const body = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const first = text.slice(body, body + 200).trimStart()[0];
  if (first === "{" || first === "[") {
    try {
      const value: unknown = JSON.parse(body ? text.slice(body) : text);
      return { docs: [new SourceDoc(file, lines, value, { kind: "json", start: body, end: text.length })], diagnostics: [] };
    } catch {
      // Not strict JSON: the YAML parser either accepts it (flow-style YAML) or locates the error.
    }
  }
  const docs: SourceDoc[] = [];
  const diagnostics: Diagnostic[] = [];
  const yamlDocs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  for (const doc of Array.isArray(yamlDocs) ? yamlDocs : []) {
    const src = new SourceDoc(file, lines, undefined, { kind: "yaml", doc });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        diagnostics.push({
          code: syntaxCode,
          severity: "error",
          message: `invalid YAML/JSON: ${houseMessage(e.message)}`,
          span: src.spanAt(e.pos[0], widen(text, e.pos[0], e.pos[1])),
          label: "syntax error here",
          help: "fix the syntax; this document was not loaded",
        });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const range = doc.contents?.range ?? [0, 0];
      diagnostics.push({
        code: syntaxCode,
        severity: "error",
        message: `invalid YAML: ${houseMessage(e instanceof Error ? e.message : String(e))}`,
        span: src.spanAt(range[0], range[0]),
        label: "in this document",
        help: "define every `*alias` with an `&anchor` first, and keep alias expansion small",
      });
      continue;
    }
    if (doc.contents === null && docs.length + diagnostics.length > 0) continue; // a trailing `---`
    docs.push(new SourceDoc(file, lines, value, { kind: "yaml", doc }));
  }
  return { docs, diagnostics };
}

/** A value that did not come from a file: diagnostics name `where` instead of a position. */
export function detachedDoc(where: string, value: unknown): SourceDoc {
  return new SourceDoc(where, new LineIndex(""), value, { kind: "none" });
}

/** One JSON value in `text[start, end)` (an NDJSON line), already parsed by the caller. */
export function jsonSlice(file: string, lines: LineIndex, value: unknown, start: number, end: number): SourceDoc {
  return new SourceDoc(file, lines, value, { kind: "json", start, end });
}

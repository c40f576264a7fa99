/**
 * Small typed readers over plain YAML/JSON values. Each reader reports what is wrong (with a span
 * into the file) and returns `undefined`, so a loader keeps going and reports every problem at once.
 */
import type { Diagnostic, Severity } from "../../common/diagnostics.js";
import type { Span } from "../../common/span.js";
import type { Part, Path, PathSeg, SourceDoc } from "./source-doc.js";

/**
 * A value's place: the document, the value, and how it was reached. Locations are built for every
 * field of every workload, so they are a parent-linked chain (one small object per step) and the
 * path array is only materialised when a diagnostic needs a span.
 */
export class Loc {
  private cached: PathSeg[] | undefined;
  constructor(
    readonly doc: SourceDoc,
    readonly value: unknown,
    readonly parent?: Loc,
    readonly seg?: PathSeg,
  ) {}

  get path(): Path {
    if (this.cached) return this.cached;
    const out: PathSeg[] = [];
    for (let l: Loc | undefined = this; l?.parent; l = l.parent) out.push(l.seg as PathSeg);
    return (this.cached = out.reverse());
  }
}

/** The root of a document. */
export function rootLoc(doc: SourceDoc): Loc {
  return new Loc(doc, doc.value);
}

export function at(loc: Loc, ...segs: PathSeg[]): Loc {
  let l = loc;
  for (const seg of segs) {
    const v = l.value;
    const child = v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, seg) ? (v as Record<string, unknown>)[seg as string] : undefined;
    l = new Loc(l.doc, child, l, seg);
  }
  return l;
}

export function spanOf(loc: Loc, part: Part = "value"): Span | undefined {
  return loc.doc.span(loc.path, part);
}

/** The text of the value at `loc` as written in the file (`1.10`, not the number 1.1). */
export function sourceText(loc: Loc): string | undefined {
  const span = spanOf(loc);
  const text = span ? loc.doc.lines.text.slice(span.start.offset, span.end.offset) : "";
  return text || undefined;
}

/** The value at `loc`. */
export function valueAt(loc: Loc): unknown {
  return loc.value;
}

/** How a path reads in a message: `workloads[3].ips[0]`. */
export function pathText(path: Path): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s ? `.${seg}` : seg;
  return s || "(document)";
}

export interface Report {
  label: string;
  help: string;
  part?: Part;
  related?: { span: Span; message: string }[];
}

/** A related note, when the place has a span (a detached value has none). */
export function relatedAt(loc: Loc, message: string): { span: Span; message: string }[] {
  const span = spanOf(loc);
  return span ? [{ span, message }] : [];
}

/**
 * The most errors an input file keeps; the rest are counted in one NV5004 error at the first left
 * out, so a 64 MiB inventory of bad entries holds 201 diagnostics, not millions (issue 10).
 */
export const MAX_INPUT_ERRORS_PER_FILE = 200;
export const TOO_MANY_ERRORS = "NV5004";

/** Collects diagnostics. Spans are computed when a problem is reported, never before. */
export class Sink {
  readonly diagnostics: Diagnostic[] = [];
  /** Every error reported, kept or not: a reader asks whether an item added one. */
  errorCount = 0;
  private readonly perFile = new Map<string, { kept: number; dropped: number; summary?: Diagnostic }>();

  report(severity: Severity, code: string, message: string, loc: Loc, r: Report): void {
    if (severity === "error" && this.full(loc.doc.file)) {
      // Left out: only its place is needed, for the count's location.
      this.push({ code, severity, message, ...(spanOf(loc, r.part) ? { span: spanOf(loc, r.part)! } : { file: loc.doc.file }) });
      return;
    }
    const d: Diagnostic = { code, severity, message, label: r.label, help: r.help };
    const span = spanOf(loc, r.part);
    if (span) d.span = span;
    else d.file = loc.doc.file;
    if (r.related) d.related = r.related;
    this.push(d);
  }

  private full(file: string): boolean {
    return (this.perFile.get(file)?.kept ?? 0) >= MAX_INPUT_ERRORS_PER_FILE;
  }

  /** Add one diagnostic, keeping at most MAX_INPUT_ERRORS_PER_FILE errors per file. */
  push(d: Diagnostic): void {
    if (d.severity !== "error") {
      this.diagnostics.push(d);
      return;
    }
    this.errorCount++;
    const file = d.span?.file ?? d.file ?? "";
    const n = this.perFile.get(file) ?? { kept: 0, dropped: 0 };
    this.perFile.set(file, n);
    if (n.kept < MAX_INPUT_ERRORS_PER_FILE) {
      n.kept++;
      this.diagnostics.push(d);
      return;
    }
    n.dropped++;
    const message = `too many errors in \`${file}\`: ${n.dropped} more not shown after the first ${MAX_INPUT_ERRORS_PER_FILE}`;
    if (n.summary) n.summary.message = message;
    else {
      n.summary = { code: TOO_MANY_ERRORS, severity: "error", message, label: "the first error not shown", help: "fix the errors shown and try again" };
      if (d.span) n.summary.span = d.span;
      else n.summary.file = file;
      this.diagnostics.push(n.summary);
    }
  }

  error(code: string, message: string, loc: Loc, r: Report): void {
    this.report("error", code, message, loc, r);
  }

  warn(code: string, message: string, loc: Loc, r: Report): void {
    this.report("warning", code, message, loc, r);
  }

  addAll(ds: readonly Diagnostic[]): void {
    for (const d of ds) this.push(d);
  }
}

/** Describes a value for "found …" in messages. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return "a boolean";
  return `a ${typeof v}`;
}

/** `out[k] = v` that stays a data property even for the key `__proto__`. */
export function setOwn<T>(out: Record<string, T>, k: string, v: T): void {
  if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Codes a reader needs from its caller: each input kind has its own NV5xxx block. */
export interface TypeCodes {
  type: string;
  missing: string;
  unknownKey: string;
}

export class Reader {
  constructor(
    readonly sink: Sink,
    readonly codes: TypeCodes,
  ) {}

  typeError(loc: Loc, what: string, expected: string, help: string): void {
    const found = kindOf(valueAt(loc));
    this.sink.error(this.codes.type, `${what} must be ${expected}, found ${found}`, loc, { label: `expected ${expected}`, help });
  }

  map(loc: Loc, what: string, help: string): Record<string, unknown> | undefined {
    const v = valueAt(loc);
    if (isRecord(v)) return v;
    this.typeError(loc, what, "a mapping", help);
    return undefined;
  }

  list(loc: Loc, what: string, help: string): unknown[] | undefined {
    const v = valueAt(loc);
    if (Array.isArray(v)) return v;
    this.typeError(loc, what, "a list", help);
    return undefined;
  }

  /** A present string field; numbers and booleans are refused (YAML turns `1.10` into 1.1). */
  string(loc: Loc, what: string, help: string, opts: { nonEmpty?: boolean } = {}): string | undefined {
    const v = valueAt(loc);
    if (typeof v === "string") {
      if (opts.nonEmpty && v.trim() === "") {
        this.sink.error(this.codes.type, `${what} must not be empty`, loc, { label: "empty", help });
        return undefined;
      }
      return v;
    }
    const quoteHelp = typeof v === "number" || typeof v === "boolean" ? `quote it: \`"${sourceText(loc) ?? String(v)}"\` (it was read as ${kindOf(v)})` : help;
    this.typeError(loc, what, "a string", quoteHelp);
    return undefined;
  }

  /** A required field: reports a missing key at the enclosing mapping. */
  required(obj: Record<string, unknown>, loc: Loc, key: string, what: string, help: string): boolean {
    if (obj[key] !== undefined && obj[key] !== null) return true;
    const where = key in obj ? at(loc, key) : loc;
    this.sink.error(this.codes.missing, `${what} is missing \`${key}\``, where, {
      label: key in obj ? "no value" : `\`${key}\` is required`,
      help,
      part: key in obj ? "key" : "value",
    });
    return false;
  }

  stringList(loc: Loc, what: string, help: string): string[] | undefined {
    const items = this.list(loc, what, help);
    if (!items) return undefined;
    const out: string[] = [];
    let ok = true;
    items.forEach((_, i) => {
      const s = this.string(at(loc, i), `each entry of ${what}`, help);
      if (s === undefined) ok = false;
      else out.push(s);
    });
    return ok ? out : undefined;
  }

  /** A mapping of string to string (labels); every bad entry is reported. */
  stringMap(loc: Loc, what: string, help: string): Record<string, string> | undefined {
    const m = this.map(loc, what, help);
    if (!m) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const k of Object.keys(m)) {
      const s = this.string(at(loc, k), `value of \`${k}\` in ${what}`, help);
      if (s === undefined) ok = false;
      else setOwn(out, k, s);
    }
    return ok ? out : undefined;
  }

  /** Report keys outside `allowed`, with a did-you-mean when one is close. */
  unknownKeys(obj: Record<string, unknown>, loc: Loc, allowed: readonly string[], where: string, severity: Severity, extraHelp = ""): void {
    for (const k of Object.keys(obj)) {
      if (allowed.includes(k)) continue;
      const guess = closest(k, allowed);
      const help = guess ? `did you mean \`${guess}\`?` : `${where} accepts ${allowed.map((a) => `\`${a}\``).join(", ")}${extraHelp}`;
      this.sink.report(severity, this.codes.unknownKey, `unknown key \`${k}\` in ${where}`, at(loc, k), {
        label: severity === "error" ? "unknown key" : "ignored",
        help,
        part: "key",
      });
    }
  }
}

/** The candidate within edit distance ≤ max(1, ⌊len/3⌋), if any (case-insensitive). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), bestD);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/**
 * Edit distance counting a swap of neighbours as one edit (`potr` → `port`), the commonest typo;
 * gives up (returning `limit`) once the distance cannot fall below `limit`.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= limit) return limit;
    prev2 = prev;
    prev = cur;
  }
  return Math.min(prev[b.length] ?? limit, limit);
}

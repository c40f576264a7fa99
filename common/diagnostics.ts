import { compareSpans, type Span } from "./span.js";

export type Severity = "error" | "warning";

/**
 * One finding. Codes are stable and grouped by phase (docs/diagnostics.md):
 * NV0xxx lex, NV1xxx parse, NV2xxx names/checks/lints, NV3xxx lower, NV4xxx emit,
 * NV5xxx runtime inputs (inventory, flows, tests, modules), NV6xxx NeuVector CRD import and export.
 * Messages start lowercase, have no final period and put user input in backticks.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  /** Where: absent only for errors that have no source location (e.g. a missing file). */
  span?: Span;
  /** Short text printed under the caret. */
  label?: string;
  /** One `help:` line: what to do about it. */
  help?: string;
  /** Secondary locations ("rule 20 is here"). */
  related?: { span: Span; message: string }[];
  /** A file name to print when there is no span. */
  file?: string;
}

/** Source texts by file name, for snippets. */
export type SourceTexts = ReadonlyMap<string, string>;

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  // Codes are NV and four digits: plain comparison orders them as a collation would, much faster.
  return [...ds].sort((a, b) => compareSpans(a.span, b.span) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === "error");
}

export interface RenderOptions {
  color?: boolean;
  /**
   * Show at most `perCode` warnings of one code (in order); the rest of that code become one
   * warning that counts them, points at the first and says `help`. Errors are all shown.
   */
  limitWarnings?: { perCode: number; help: string };
}

interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  bold(s: string): string;
}

const plain: Paint = { red: (s) => s, yellow: (s) => s, blue: (s) => s, bold: (s) => s };

function ansi(code: number): (s: string) => string {
  return (s) => `\x1b[${code}m${s}\x1b[0m`;
}

const colored: Paint = { red: ansi(31), yellow: ansi(33), blue: ansi(34), bold: ansi(1) };

/** Render rustc-style: header, `-->` location, numbered snippet line, caret underline, help. */
export function renderDiagnostic(d: Diagnostic, sources: SourceTexts, opts: RenderOptions = {}, lines = new Lines()): string {
  const p = opts.color ? colored : plain;
  const sev = d.severity === "error" ? p.red(`error[${d.code}]`) : p.yellow(`warning[${d.code}]`);
  const out = [p.bold(`${sev}: ${d.message}`)];
  if (d.span) {
    renderSnippet(out, d.span, d.label, sources, lines, p, d.severity === "error" ? p.red : p.yellow);
  } else if (d.file) {
    out.push(`  ${p.blue("-->")} ${d.file}`);
  }
  for (const r of d.related ?? []) {
    renderSnippet(out, r.span, r.message, sources, lines, p, p.blue, "note");
  }
  if (d.help) out.push(`   ${p.blue("=")} help: ${d.help}`);
  return out.join("\n");
}

/** Append a snippet's lines to `out`. */
function renderSnippet(
  out: string[],
  span: Span,
  label: string | undefined,
  sources: SourceTexts,
  lines: Lines,
  p: Paint,
  mark: (s: string) => string,
  kind?: string,
): void {
  const text = sources.get(span.file);
  const loc = `${span.file}:${span.start.line}:${span.start.col}`;
  if (kind) out.push(`${p.blue("note")}: ${label ?? ""}`);
  out.push(`  ${p.blue("-->")} ${loc}`);
  if (text === undefined) return;
  const full = lines.get(text, span.start.line).replace(/\r$/, "");
  const endCol = span.end.line === span.start.line ? span.end.col : full.length + 1;
  const w = snippetWindow(full.length, span.start.col, endCol);
  const lineText = (w.from > 0 ? "…" : "") + printable(full.slice(w.from, w.to)) + (w.to < full.length ? "…" : "");
  const num = String(span.start.line);
  const pad = " ".repeat(num.length);
  out.push(`${pad} ${p.blue("|")}`);
  out.push(`${p.blue(num)} ${p.blue("|")} ${lineText}`);
  const caret = " ".repeat(w.caretAt) + "^".repeat(w.width);
  out.push(`${pad} ${p.blue("|")} ${mark(caret + (label && !kind ? ` ${label}` : ""))}`);
}

/**
 * Lines of the source texts one render call shows, found through line starts computed once per
 * text: splitting the whole text for every snippet made rendering quadratic (100k warnings on a
 * 190k-line file took minutes).
 */
class Lines {
  private readonly starts = new Map<string, Uint32Array>();

  get(text: string, line: number): string {
    let starts = this.starts.get(text);
    if (starts === undefined) {
      let n = 1;
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
      starts = new Uint32Array(n);
      let k = 1;
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[k++] = i + 1;
      this.starts.set(text, starts);
    }
    if (line < 1 || line > starts.length) return "";
    const from = starts[line - 1] as number;
    return text.slice(from, line < starts.length ? (starts[line] as number) - 1 : text.length);
  }
}

/** The most characters of a source line a snippet shows; the caret line is clipped to the same window. */
export const SNIPPET_WIDTH = 400;

/**
 * Which part of a long line to show, so the snippet and the caret stay within SNIPPET_WIDTH
 * characters however far right the span starts: a 20 KB line with 2,000 errors printed 17.5 MB of
 * carets when only the snippet was clipped. `caretAt` counts the leading `…` when there is one.
 */
export function snippetWindow(lineLength: number, startCol: number, endCol: number): { from: number; to: number; caretAt: number; width: number } {
  const start = Math.max(0, startCol - 1);
  const from = lineLength <= SNIPPET_WIDTH || start < SNIPPET_WIDTH - 40 ? 0 : Math.min(start - 40, Math.max(0, lineLength - SNIPPET_WIDTH));
  const to = Math.min(lineLength, from + SNIPPET_WIDTH);
  const caretAt = start - from + (from > 0 ? 1 : 0);
  const visibleEnd = Math.min(endCol - 1, to) - from + (from > 0 ? 1 : 0);
  return { from, to, caretAt, width: Math.max(1, visibleEnd - caretAt) };
}

/** Keep snippets to one terminal line: tabs and control bytes would shift the caret. */
function printable(line: string): string {
  if (!/[\x00-\x1f\x7f]/.test(line)) return line;
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "\uFFFD").replace(/\t/g, " ");
}

export function renderAll(ds: readonly Diagnostic[], sources: SourceTexts, opts: RenderOptions = {}): string {
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.length - errors;
  const { shown, hidden } = opts.limitWarnings ? limitWarnings(ds, opts.limitWarnings.perCode, opts.limitWarnings.help) : { shown: ds, hidden: 0 };
  const lines = new Lines();
  const body = shown.map((d) => renderDiagnostic(d, sources, opts, lines)).join("\n\n");
  const summary = `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}` +
    (hidden > 0 ? ` (${count(hidden)} not shown)` : "");
  return body ? `${body}\n\n${summary}` : summary;
}

const count = (n: number) => n.toLocaleString("en-US");

/** The first `perCode` warnings of each code, then one warning per code counting the others. */
function limitWarnings(ds: readonly Diagnostic[], perCode: number, help: string): { shown: Diagnostic[]; hidden: number } {
  const seen = new Map<string, number>();
  const left = new Map<string, { first: Diagnostic; n: number }>();
  const shown: Diagnostic[] = [];
  for (const d of ds) {
    if (d.severity === "error") {
      shown.push(d);
      continue;
    }
    const n = (seen.get(d.code) ?? 0) + 1;
    seen.set(d.code, n);
    if (n <= perCode) {
      shown.push(d);
      continue;
    }
    const l = left.get(d.code);
    if (l) l.n++;
    else left.set(d.code, { first: d, n: 1 });
  }
  let hidden = 0;
  for (const [code, { first, n }] of left) {
    hidden += n;
    const more: Diagnostic = { code, severity: "warning", message: `and ${count(n)} more warning${n === 1 ? "" : "s"} with this code, not shown`, help };
    if (first.span) {
      more.span = first.span;
      more.label = n === 1 ? "this one" : "the first of them";
    } else if (first.file !== undefined) {
      more.file = first.file;
    }
    shown.push(more);
  }
  return { shown, hidden };
}

/** JSON form: stable field names, documented in docs/diagnostics.md. */
export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span?.file ?? d.file ?? null,
    line: d.span?.start.line ?? null,
    col: d.span?.start.col ?? null,
    endLine: d.span?.end.line ?? null,
    endCol: d.span?.end.col ?? null,
    label: d.label ?? null,
    help: d.help ?? null,
  };
}

/** SARIF 2.1.0, as GitHub code scanning reads it. */
export function toSarif(ds: readonly Diagnostic[], toolVersion: string, catalog: ReadonlyMap<string, string>): object {
  const codes = [...new Set(ds.map((d) => d.code))].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "nvp",
            version: toolVersion,
            rules: codes.map((c) => ({ id: c, shortDescription: { text: catalog.get(c) ?? c } })),
          },
        },
        results: ds.map((d) => ({
          ruleId: d.code,
          level: d.severity === "error" ? "error" : "warning",
          message: { text: d.help ? `${d.message}\nhelp: ${d.help}` : d.message },
          locations: d.span
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: d.span.file },
                    region: {
                      startLine: d.span.start.line,
                      startColumn: d.span.start.col,
                      endLine: d.span.end.line,
                      endColumn: d.span.end.col,
                    },
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
}

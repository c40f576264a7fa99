/**
 * The loader: entry files and everything they import, each read, decoded and parsed once. Imports
 * are `std/<name>` (the standard library shipped in stdlib/, shown as `std/<name>.nvp`) or a path
 * relative to the importing file (`.nvp` added when the name has no extension). Files come out
 * dependencies first (post-order), so the checker meets a library's declarations before the
 * importing file's, and reports a clash at the importer.
 */
import { readdirSync } from "node:fs";
import { INPUT_FILE_CODES, InputFileError, readInputFile } from "../../common/input-file.js";
import { join, posix } from "node:path";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Span } from "../../common/span.js";
import { parseSource, type ParseResult } from "../ast/parse.js";
import type { SourceFile } from "../ast/types.js";
import { decodeSource, MAX_SOURCE_BYTES } from "../source.js";
import { Diags, q } from "./diag.js";
import { importTarget, normalizePath, withExtension, defaultStdlibDir, isStdPath } from "./import-path.js";

export interface LoadFs {
  /**
   * The file's bytes, or undefined when it does not exist, or the reader's refusal (too large, a
   * directory, unreadable) to report as it is.
   */
  readFile(path: string): Uint8Array | undefined | InputFileError;
}

export interface LoadOptions {
  fs?: LoadFs;
  /** Where `std/<name>` imports are read from (default: the package's stdlib/). */
  stdlibDir?: string;
  /** The parser (default parseSource); compiler/pipeline.ts wraps it to time the parse stage. */
  parse?: (path: string, text: string) => ParseResult;
}

export interface LoadResult {
  /** Every loaded file, dependencies first. */
  files: SourceFile[];
  /** Source text by display path, for rendering diagnostics. */
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
}

export const nodeFs: LoadFs = {
  readFile(path) {
    try {
      // One byte over the source limit is enough for decodeSource to report NV0004 with the size.
      return readInputFile(path, { what: "policy file", limit: MAX_SOURCE_BYTES });
    } catch (e) {
      if (!(e instanceof InputFileError)) throw e;
      return e.code === INPUT_FILE_CODES.unreadable && e.errno === "ENOENT" ? undefined : e;
    }
  },
};

interface Target {
  /** The name in spans and diagnostics. */
  display: string;
  /** Where the bytes are read from. */
  real: string;
}

export function loadPolicy(entry: readonly string[], opts: LoadOptions = {}): LoadResult {
  const fs = opts.fs ?? nodeFs;
  const stdlibDir = opts.stdlibDir ?? defaultStdlibDir();
  const parse = opts.parse ?? parseSource;
  const out: LoadResult = { files: [], sources: new Map(), diagnostics: [] };
  const d = new Diags();
  const state = new Map<string, "loading" | "done">();
  const stack: string[] = [];

  const visit = (t: Target, from?: { span: Span; spec: string }): void => {
    const seen = state.get(t.display);
    if (seen === "done") return;
    if (seen === "loading") {
      const cycle = [...stack.slice(stack.indexOf(t.display)), t.display];
      d.error("NV2002", {
        span: from!.span,
        message: `import cycle: ${cycle.map((p) => q(p)).join(" -> ")}`,
        label: "this import closes the cycle",
        help: "move what the files share into a file each of them imports, and drop one of these imports",
      });
      return;
    }
    const bytes = fs.readFile(t.real);
    if (bytes === undefined || bytes instanceof InputFileError) {
      if (bytes === undefined) notFound(d, t, stdlibDir, from);
      else refused(d, t, bytes, from);
      state.set(t.display, "done");
      return;
    }
    state.set(t.display, "loading");
    stack.push(t.display);
    const decoded = decodeSource(t.display, bytes);
    out.diagnostics.push(...decoded.diagnostics);
    if (decoded.text !== undefined) {
      out.sources.set(t.display, decoded.text);
      const parsed = parse(t.display, decoded.text);
      out.diagnostics.push(...parsed.diagnostics);
      for (const item of parsed.file.items) {
        if (item.kind !== "import") continue;
        const target = resolveImport(t, item.path, stdlibDir);
        if ("error" in target) {
          d.error("NV2001", { span: item.pathSpan, message: target.error, label: "cannot import this", help: target.help });
          continue;
        }
        visit(target, { span: item.pathSpan, spec: item.path });
      }
      out.files.push(parsed.file);
    }
    stack.pop();
    state.set(t.display, "done");
  };

  for (const path of entry) {
    const display = normalizePath(path);
    visit({ display, real: path });
  }
  out.diagnostics.push(...d.list);
  return out;
}

function resolveImport(from: Target, spec: string, stdlibDir: string): Target | { error: string; help: string } {
  const t = importTarget(from.display, spec);
  if ("error" in t) return t;
  if (t.std !== undefined) return { display: t.display, real: join(stdlibDir, `${t.std}.nvp`) };
  const rel = withExtension(spec.replace(/\\/g, "/"));
  // The bytes are read relative to where the importing file was read from.
  const real = rel.startsWith("/") ? rel : posix.join(posix.dirname(from.real.replace(/\\/g, "/")), rel);
  return { display: t.display, real };
}

function notFound(d: Diags, t: Target, stdlibDir: string, from?: { span: Span; spec: string }): void {
  if (!from) {
    d.errorNoSpan("NV2001", `file ${q(t.display)} not found`, "check the path; it is read relative to the working directory", t.display);
    return;
  }
  if (isStdPath(t.display)) {
    d.error("NV2001", {
      span: from.span,
      message: `standard library module ${q(from.spec)} does not exist`,
      label: "no such module",
      help: stdModules(stdlibDir),
    });
    return;
  }
  d.error("NV2001", {
    span: from.span,
    message: `imported file ${q(t.display)} not found`,
    label: "no such file",
    help: "import paths are relative to the importing file; `std/<name>` imports the standard library",
  });
}

/** A path the reader refused: the reader's code and words, at the import when there is one. */
function refused(d: Diags, t: Target, e: InputFileError, from?: { span: Span; spec: string }): void {
  const code = e.code === INPUT_FILE_CODES.tooLarge ? "NV0004" : e.code;
  const message = e.message.replace(`\`${e.path}\``, q(t.display));
  if (!from) d.errorNoSpan(code, message, e.help, t.display);
  else d.error(code, { span: from.span, message, label: "cannot read this", help: e.help });
}

function stdModules(stdlibDir: string): string {
  let names: string[] = [];
  try {
    names = readdirSync(stdlibDir)
      .filter((f) => f.endsWith(".nvp"))
      .map((f) => `\`std/${f.slice(0, -4)}\``)
      .sort();
  } catch {
    // No readable stdlib directory: fall back to a generic hint.
  }
  return names.length > 0 ? `the standard library has ${names.join(", ")}` : "the standard library directory could not be read";
}

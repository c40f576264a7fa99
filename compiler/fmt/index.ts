/**
 * Formatting a file from its bytes, for `nvp fmt`: decode, parse, print. A file with errors is left
 * alone (its diagnostics are returned). The output is parsed again and compared with the input, so
 * `fmt -w` can never change what a policy means or drop a comment, whatever bug the printer has.
 */
import type { Diagnostic } from "../../common/diagnostics.js";
import { parseSource } from "../ast/parse.js";
import { stripSpans } from "../ast/strip.js";
import type { SourceFile } from "../ast/types.js";
import { decodeSource } from "../source.js";
import { formatSource } from "./format.js";
import { appText } from "./print.js";

export { formatSource } from "./format.js";

export interface FormatResult {
  /** The formatted text; absent when the file has errors (see diagnostics). */
  text?: string;
  /** The decoded input text (for `--check`: changed = text !== original). */
  original?: string;
  diagnostics: Diagnostic[];
  /** Source texts by file name, for rendering the diagnostics. */
  sources: Map<string, string>;
}

/** What formatting must preserve: the items up to spans and app-name spelling, and every comment's text. */
function meaning(file: SourceFile): string {
  const items = file.items.map((i) => (i.kind === "rule" ? { ...i, apps: i.apps.map((a) => ({ ...a, text: appText(a) })) } : i));
  return JSON.stringify({ items: stripSpans(items), comments: file.comments.map((c) => c.text.trimEnd()) });
}

/** True when `formatted` parses cleanly to the same meaning as `file`. */
export function formatPreserves(file: SourceFile, formatted: string): boolean {
  const again = parseSource(file.path, formatted);
  return again.diagnostics.length === 0 && meaning(again.file) === meaning(file);
}

export function formatText(path: string, bytes: Uint8Array): FormatResult {
  const decoded = decodeSource(path, bytes);
  const sources = new Map<string, string>();
  if (decoded.text === undefined) return { diagnostics: decoded.diagnostics, sources };
  const original = decoded.text;
  sources.set(path, original);
  const parsed = parseSource(path, original);
  if (parsed.diagnostics.length) return { original, diagnostics: parsed.diagnostics, sources };
  const text = formatSource(parsed.file);
  if (!formatPreserves(parsed.file, text)) {
    return {
      original,
      sources,
      diagnostics: [{
        code: "NV1098",
        severity: "error",
        message: `formatting \`${path}\` would change its meaning or lose a comment; the file is left unchanged`,
        file: path,
        help: "this is a bug in `nvp fmt`; please report it with the file",
      }],
    };
  }
  return { text, original, diagnostics: [], sources };
}

/** Diagnostics as tests compare them: code, message, the underlined source text, label and help. */
import type { Diagnostic } from "../../common/diagnostics.js";

export interface DiagView {
  code: string;
  severity: string;
  message: string;
  /** The source text under the caret (`undefined` when the diagnostic has no span). */
  at: string | undefined;
  line: number | undefined;
  label: string | undefined;
  help: string | undefined;
}

export function view(ds: readonly Diagnostic[], texts: Record<string, string>): DiagView[] {
  return ds.map((d) => {
    const text = d.span ? texts[d.span.file] : undefined;
    return {
      code: d.code,
      severity: d.severity,
      message: d.message,
      at: d.span && text !== undefined ? text.slice(d.span.start.offset, d.span.end.offset) : undefined,
      line: d.span?.start.line,
      label: d.label,
      help: d.help,
    };
  });
}

/** The only diagnostic with `code`; fails loudly when there is none or several. */
export function only(ds: readonly Diagnostic[], texts: Record<string, string>, code: string): DiagView {
  const hits = view(ds, texts).filter((d) => d.code === code);
  if (hits.length !== 1) throw new Error(`expected one ${code}, got ${hits.length}: ${JSON.stringify(view(ds, texts), null, 1)}`);
  return hits[0] as DiagView;
}

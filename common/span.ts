/** A position in a source file: 1-based line and column, 0-based UTF-16 offset. */
export interface Pos {
  line: number;
  col: number;
  offset: number;
}

/** A half-open source range `[start, end)` in one file. */
export interface Span {
  file: string;
  start: Pos;
  end: Pos;
}

export function spanFrom(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}

/** Compute line/col for an offset in `text` (used when only offsets are known). */
export function posAt(text: string, offset: number): Pos {
  let line = 1;
  let lineStart = 0;
  const limit = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < limit; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: limit - lineStart + 1, offset: limit };
}

export function compareSpans(a: Span | undefined, b: Span | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.start.offset - b.start.offset || a.end.offset - b.end.offset;
}

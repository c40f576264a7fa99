/**
 * Bytes → source text, before any lexing: refuses files that are too large, binary or not UTF-8, with
 * a diagnostic that says where, so the lexer only ever sees text. Strips a UTF-8 byte order mark.
 * Never throws.
 */
import type { Diagnostic } from "../common/diagnostics.js";
import type { Pos } from "../common/span.js";

export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

export interface DecodedSource {
  /** The text, absent when the file was refused. */
  text?: string;
  diagnostics: Diagnostic[];
}

/**
 * Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), or -1. TextDecoder's fatal mode says *that* a file is bad, not *where*.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) min = 0xa0; // overlong
      if (c === 0xed) max = 0x9f; // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) min = 0x90; // overlong
      if (c === 0xf4) max = 0x8f; // above U+10FFFF
    } else return i;
    // A broken or truncated sequence is reported at its lead byte: that is the character that is wrong.
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (x === undefined || x < lo || x > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Line and column (in UTF-16 units, as everywhere else) of byte `at`, decoding only the valid prefix.
 * TextDecoder drops a leading BOM, as decodeSource does, so offsets match the decoded text.
 */
function bytePos(b: Uint8Array, at: number): Pos {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const decoder = new TextDecoder("utf-8");
  const col = decoder.decode(b.subarray(lineStart, at)).length + 1;
  const offset = decoder.decode(b.subarray(0, at)).length;
  return { line, col, offset };
}

export function decodeSource(path: string, bytes: Uint8Array): DecodedSource {
  if (bytes.length > MAX_SOURCE_BYTES) {
    return {
      diagnostics: [{
        code: "NV0004",
        severity: "error",
        message: `file \`${path}\` is too large (${bytes.length} bytes; the limit is ${MAX_SOURCE_BYTES})`,
        file: path,
        help: "split the policy into several files and `import` them",
      }],
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return {
      diagnostics: [{
        code: "NV0002",
        severity: "error",
        message: `file \`${path}\` is not text`,
        file: path,
        label: `NUL byte at byte offset ${nul}`,
        help: "a .nvp policy is UTF-8 text; UTF-16 files must be converted to UTF-8",
      }],
    };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const at = bytePos(bytes, bad);
    const byte = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return {
      diagnostics: [{
        code: "NV0003",
        severity: "error",
        message: `file \`${path}\` is not valid UTF-8: byte 0x${byte} at byte offset ${bad} (line ${at.line}, column ${at.col})`,
        span: { file: path, start: at, end: { ...at, col: at.col + 1, offset: at.offset + 1 } },
        label: "invalid UTF-8 here",
        help: "save the file as UTF-8",
      }],
    };
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return { text: new TextDecoder("utf-8").decode(bytes.subarray(start)), diagnostics: [] };
}

/**
 * The .nvp scanner. Hand-written and pull-based (`next()`), so the driver can stop at the error cap
 * without ever materialising the tokens of a 10 MB garbage file. Linear in the input, no recursion.
 *
 * Comments are collected on the side; line breaks become `Newline` tokens (the item splitter keeps
 * only those inside `{…}`); lexical errors (NV0xxx) go to `diagnostics` and the scanner carries on.
 */
import type { IToken, TokenType } from "chevrotain";
import { createTokenInstance } from "./chevrotain.js";
import type { Diagnostic } from "../common/diagnostics.js";
import type { Pos, Span } from "../common/span.js";
import { classifyChunk, NAME_RE } from "./words.js";
import {
  Arrow, At, Caret, Comma, Eq, KEYWORDS, LCurly, Newline, NotEq, NotRegex, NotTilde, NumberLit, RCurly, Semi,
  StringLit, Tilde, VhPrefix, Word, type InterpPart, type TemplateParts,
} from "./tokens.js";

export interface LexedComment {
  /** Text after `#`, without the line break. */
  text: string;
  span: Span;
}

const SINGLE: ReadonlyMap<number, TokenType> = new Map([
  [0x7b, LCurly], [0x7d, RCurly], [0x2c, Comma], [0x3b, Semi], [0x3d, Eq], [0x40, At], [0x5e, Caret], [0x7e, Tilde],
]);

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'], ["\\", "\\"], ["n", "\n"], ["t", "\t"], ["r", "\r"], ["$", "$"],
]);

const ALL_DIGITS = /^[0-9]+$/;

function isChunkChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f ||
    c === 0x2e || c === 0x3a || c === 0x2f || c === 0x2a || c === 0x2d;
}

function isInterpNameChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f ||
    c === 0x2e || c === 0x2d;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

export class Scanner {
  readonly comments: LexedComment[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Stop scanning once this many lexical errors are reported (the per-file error cap). */
  maxDiagnostics = Infinity;
  /** True when scanning stopped at `maxDiagnostics` before the end of the text. */
  stopped = false;
  private i = 0;
  private line = 1;
  private lineStart = 0;

  constructor(readonly file: string, readonly text: string) {}

  /** Offset of the next unread character (for "stopped here" diagnostics). */
  get offset(): number {
    return this.i;
  }

  /** Position of `offset`, which must lie on the current line. */
  pos(offset: number): Pos {
    return { line: this.line, col: offset - this.lineStart + 1, offset };
  }

  private span(start: number, end: number): Span {
    return { file: this.file, start: this.pos(start), end: this.pos(end) };
  }

  private tok(type: TokenType, start: number, end: number, payload?: TemplateParts): IToken {
    const col = start - this.lineStart + 1;
    const t = createTokenInstance(type, this.text.slice(start, end), start, end - 1, this.line, this.line, col,
      col + (end - start) - 1);
    if (payload) t.payload = payload;
    return t;
  }

  private error(code: string, message: string, start: number, end: number, label: string, help?: string): void {
    const d: Diagnostic = { code, severity: "error", message, span: this.span(start, end), label };
    if (help) d.help = help;
    this.diagnostics.push(d);
  }

  /** The next token, or undefined at the end of the text. */
  next(): IToken | undefined {
    const s = this.text;
    const n = s.length;
    while (this.i < n) {
      if (this.diagnostics.length >= this.maxDiagnostics) {
        this.stopped = true;
        return undefined;
      }
      const start = this.i;
      const c = s.charCodeAt(start);
      if (isBlank(c)) {
        this.i++;
        continue;
      }
      if (c === 0x0a) {
        const t = this.tok(Newline, start, start + 1);
        this.i++;
        this.line++;
        this.lineStart = this.i;
        return t;
      }
      if (c === 0x23) {
        this.comment(start);
        continue;
      }
      if (c === 0x22) return this.string(start);
      const single = SINGLE.get(c);
      if (single) {
        this.i++;
        return this.tok(single, start, start + 1);
      }
      if (c === 0x21) {
        const op = this.bang(start);
        if (op) return op;
        continue;
      }
      if (c === 0x2d && s.charCodeAt(start + 1) === 0x3e) {
        this.i += 2;
        return this.tok(Arrow, start, start + 2);
      }
      if (s.startsWith("vh:", start)) {
        this.i += 3;
        return this.tok(VhPrefix, start, start + 3);
      }
      if ((isChunkChar(c) && c !== 0x2d) || (c === 0x24 && s.charCodeAt(start + 1) === 0x7b)) {
        const t = this.chunk(start);
        if (t) return t;
        continue;
      }
      this.unexpected(start);
    }
    return undefined;
  }

  private comment(start: number): void {
    const s = this.text;
    let end = s.indexOf("\n", start);
    if (end < 0) end = s.length;
    this.i = end;
    const textEnd = s.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    this.comments.push({ text: s.slice(start + 1, textEnd), span: this.span(start, textEnd) });
  }

  /** `!=`, `!~`, `!regex`; a lone `!` is an error. */
  private bang(start: number): IToken | undefined {
    const s = this.text;
    const c2 = s.charCodeAt(start + 1);
    if (c2 === 0x3d) {
      this.i += 2;
      return this.tok(NotEq, start, start + 2);
    }
    if (c2 === 0x7e) {
      this.i += 2;
      return this.tok(NotTilde, start, start + 2);
    }
    if (s.startsWith("regex", start + 1) && !isChunkChar(s.charCodeAt(start + 6))) {
      this.i += 6;
      return this.tok(NotRegex, start, start + 6);
    }
    this.i++;
    this.error("NV0010", "unexpected character `!`", start, start + 1, "not part of `!=`, `!~` or `!regex`",
      "negative operators are `!=`, `!~` and `!regex`");
    return undefined;
  }

  /** A run of characters that start no token: one diagnostic for the whole run. */
  private unexpected(start: number): void {
    const s = this.text;
    let j = start;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (isBlank(c) || c === 0x0a || c === 0x23 || c === 0x22 || c === 0x21 || SINGLE.has(c) ||
        (isChunkChar(c) && c !== 0x2d) || (c === 0x2d && s.charCodeAt(j + 1) === 0x3e) ||
        (c === 0x24 && s.charCodeAt(j + 1) === 0x7b)) break;
      j += c >= 0xd800 && c <= 0xdbff && j + 1 < s.length ? 2 : 1;
    }
    this.i = j;
    const run = s.slice(start, j);
    const shown = run.length > 20 ? run.slice(0, 20) + "…" : run;
    const plural = [...run].length > 1;
    this.error("NV0010", `unexpected character${plural ? "s" : ""} \`${shown}\``, start, j,
      plural ? "not valid here" : "not valid here", "quote text that is not a name, number, port or address");
  }

  /** A bare word, number, port, address or duration; `${name}` parts make it a template word. */
  private chunk(start: number): IToken | undefined {
    const s = this.text;
    // Made at the first `${…}`: most chunks have none.
    let parts: TemplateParts | undefined;
    // `shape` is the chunk with each `${…}` replaced by `x`, for classification.
    let shape = "";
    let litStart = start;
    let interpolated = false;
    let bad = false;
    // Only letters, digits and `_` so far: the common case, classified without regexes.
    let plain = true;
    let j = start;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x2d && s.charCodeAt(j + 1) === 0x3e) break;
      if (isChunkChar(c)) {
        if (c === 0x2e || c === 0x3a || c === 0x2f || c === 0x2a || c === 0x2d) plain = false;
        j++;
        continue;
      }
      if (c === 0x24 && s.charCodeAt(j + 1) === 0x7b) {
        const ref = this.interpolation(j);
        if (!ref) {
          bad = true;
          j = this.i;
          break;
        }
        parts ??= [];
        if (j > litStart) parts.push(s.slice(litStart, j));
        shape += s.slice(litStart, j) + "x";
        parts.push(ref);
        interpolated = true;
        j = litStart = ref.end;
        continue;
      }
      break;
    }
    this.i = j;
    if (bad) return undefined;
    if (!interpolated) {
      // No parameters: the token's image is its only part, so it carries no payload (the AST
      // builder reads the image); this keeps long runs of tokens cheap.
      const text = s.slice(start, j);
      if (plain && s.charCodeAt(start) > 0x39) return this.tok(KEYWORDS.get(text) ?? Word, start, j);
      if (plain && ALL_DIGITS.test(text)) return this.tok(NumberLit, start, j);
      shape = text;
    } else if (j > litStart) {
      parts?.push(s.slice(litStart, j));
      shape += s.slice(litStart, j);
    }
    const kind = classifyChunk(shape, interpolated);
    if (!kind.ok) {
      const text = s.slice(start, j);
      const shown = text.length > 40 ? text.slice(0, 40) + "…" : text;
      this.error("NV0014", `invalid token \`${shown}\``, start, j, kind.label, kind.help);
      return undefined;
    }
    return this.tok(kind.type, start, j, interpolated ? parts : undefined);
  }

  /** `${name}` at `start`; on error, reports it, leaves `this.i` after the damage and returns undefined. */
  private interpolation(start: number): InterpPart | undefined {
    const s = this.text;
    let j = start + 2;
    while (j < s.length && isInterpNameChar(s.charCodeAt(j))) j++;
    const name = s.slice(start + 2, j);
    if (s.charCodeAt(j) !== 0x7d) {
      this.i = j;
      this.error("NV0013", "unterminated `${`", start, j, "expected `}` to close the parameter reference",
        "parameter references look like `${ns}`; write `\\$` for a literal `$` in a string");
      return undefined;
    }
    if (!NAME_RE.test(name)) {
      this.i = j + 1;
      this.error("NV0013", `invalid parameter reference \`\${${name}}\``, start, j + 1,
        name ? "not a parameter name" : "empty parameter reference",
        "parameter references look like `${ns}`; write `\\$` for a literal `$` in a string");
      return undefined;
    }
    return { name, start, end: j + 1 };
  }

  /** `"…"`: escapes decoded, `${name}` parts split out; a string ends at its line. */
  private string(start: number): IToken {
    const s = this.text;
    const parts: TemplateParts = [];
    let lit = "";
    let j = start + 1;
    let closed = false;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x22) {
        closed = true;
        j++;
        break;
      }
      if (c === 0x0a || (c === 0x0d && s.charCodeAt(j + 1) === 0x0a)) break;
      if (c === 0x5c) {
        const e = s[j + 1];
        const decoded = e === undefined ? undefined : ESCAPES.get(e);
        if (decoded === undefined) {
          if (e !== undefined && e !== "\n" && e !== "\r") {
            this.error("NV0012", `unknown escape \`\\${e}\` in string`, j, j + 2, "not a known escape",
              'strings know `\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\$`');
            lit += e;
            j += 2;
          } else {
            j++;
          }
          continue;
        }
        lit += decoded;
        j += 2;
        continue;
      }
      if (c === 0x24 && s.charCodeAt(j + 1) === 0x7b) {
        const ref = this.interpolation(j);
        if (ref) {
          if (lit) parts.push(lit);
          lit = "";
          parts.push(ref);
          j = ref.end;
        } else {
          j = this.i;
        }
        continue;
      }
      lit += s[j];
      j++;
    }
    if (lit) parts.push(lit);
    this.i = j;
    if (!closed) {
      this.error("NV0011", "unterminated string", start, j, "this string is not closed",
        'close the string with `"` on the same line');
    }
    return this.tok(StringLit, start, j, parts);
  }
}

/** Lex a whole text at once (tests, tools); the compiler pulls tokens through `Scanner.next`. */
export function tokenize(file: string, text: string): { tokens: IToken[]; comments: LexedComment[]; diagnostics: Diagnostic[] } {
  const sc = new Scanner(file, text);
  const tokens: IToken[] = [];
  for (let t = sc.next(); t; t = sc.next()) tokens.push(t);
  return { tokens, comments: sc.comments, diagnostics: sc.diagnostics };
}

/**
 * Reading Chevrotain CST nodes for the AST builder: typed access to labelled children, spans, and the
 * conversion of word/string tokens into templates. A child that is missing, or that the parser
 * invented while recovering from an error, raises `Incomplete`: the builder then drops that piece
 * (an entry, or the whole item) instead of inventing AST from tokens the user never wrote.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Pos, Span } from "../../common/span.js";
import type { InterpPart, TemplateParts } from "../../grammar/tokens.js";
import type { Ident, ParamRef, Template } from "./types.js";

export class Incomplete extends Error {}

export interface BuildContext {
  file: string;
  diagnostics: Diagnostic[];
}

function isToken(e: CstElement): e is IToken {
  return (e as IToken).tokenType !== undefined;
}

export function isReal(t: IToken): boolean {
  return !t.isInsertedInRecovery && Number.isFinite(t.startOffset) && t.image !== "";
}

/** All real tokens under `key` (in source order). */
export function tokens(node: CstNode, key: string): IToken[] {
  const out: IToken[] = [];
  for (const e of node.children[key] ?? []) if (isToken(e) && isReal(e)) out.push(e);
  return out;
}

/** Like `tokens`, for a list the grammar requires to be non-empty: none left means the parser invented it. */
export function someTokens(node: CstNode, key: string): IToken[] {
  const ts = tokens(node, key);
  if (ts.length === 0) throw new Incomplete(key);
  return ts;
}

export function token(node: CstNode, key: string, i = 0): IToken {
  const t = node.children[key]?.[i];
  if (!t || !isToken(t) || !isReal(t)) throw new Incomplete(key);
  return t;
}

export function optToken(node: CstNode, key: string): IToken | undefined {
  const t = node.children[key]?.[0];
  return t && isToken(t) && isReal(t) ? t : undefined;
}

export function nodes(node: CstNode, key: string): CstNode[] {
  const out: CstNode[] = [];
  for (const e of node.children[key] ?? []) if (!isToken(e)) out.push(e);
  return out;
}

/** The i-th child node under `key`, without building the list (the builder's commonest lookup). */
function nthNode(node: CstNode, key: string, i: number): CstNode | undefined {
  const list = node.children[key];
  if (list === undefined) return undefined;
  for (const e of list) if (!isToken(e) && i-- === 0) return e;
  return undefined;
}

export function child(node: CstNode, key: string, i = 0): CstNode {
  const n = nthNode(node, key, i);
  if (!n) throw new Incomplete(key);
  return n;
}

export function optChild(node: CstNode, key: string): CstNode | undefined {
  return nthNode(node, key, 0);
}

export function startPos(t: IToken): Pos {
  return { line: t.startLine ?? 1, col: t.startColumn ?? 1, offset: t.startOffset };
}

export function endPos(t: IToken): Pos {
  return { line: t.endLine ?? 1, col: (t.endColumn ?? 0) + 1, offset: (t.endOffset ?? t.startOffset) + 1 };
}

export function tokSpan(ctx: BuildContext, t: IToken): Span {
  return { file: ctx.file, start: startPos(t), end: endPos(t) };
}

export function joinSpan(ctx: BuildContext, first: IToken, last: IToken): Span {
  return { file: ctx.file, start: startPos(first), end: endPos(last) };
}

/**
 * First and last real token of a node, iteratively (no recursion on untrusted depth). Used once per
 * item; entries know their first and last tokens and use joinSpan directly.
 */
export function tokenRange(node: CstNode): [IToken, IToken] | undefined {
  let first: IToken | undefined;
  let last: IToken | undefined;
  const stack: CstNode[] = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    for (const key in n.children) {
      for (const e of n.children[key] as CstElement[]) {
        if (!isToken(e)) {
          stack.push(e);
          continue;
        }
        if (!isReal(e)) continue;
        if (!first || e.startOffset < first.startOffset) first = e;
        if (!last || e.startOffset > last.startOffset) last = e;
      }
    }
  }
  return first && last ? [first, last] : undefined;
}

export function nodeSpan(ctx: BuildContext, node: CstNode): Span {
  const r = tokenRange(node);
  if (!r) throw new Incomplete(node.name);
  return joinSpan(ctx, r[0], r[1]);
}

/** Position of an offset inside a token (tokens never span lines). */
function posIn(t: IToken, offset: number): Pos {
  return { line: t.startLine ?? 1, col: (t.startColumn ?? 1) + (offset - t.startOffset), offset };
}

function payload(t: IToken): TemplateParts {
  return (t.payload as TemplateParts | undefined) ?? [t.image];
}

const NO_INTERPOLATIONS: readonly InterpPart[] = Object.freeze([]);

export function interpolations(t: IToken): readonly InterpPart[] {
  // Tokens without parameters carry no payload (the lexer's common case): nothing to allocate.
  if (t.payload === undefined) return NO_INTERPOLATIONS;
  return payload(t).filter((p): p is InterpPart => typeof p !== "string");
}

/**
 * A word, string or literal token as a template; only words and strings can interpolate. `span`,
 * when the caller already made the token's span, is shared rather than built again.
 */
export function template(ctx: BuildContext, t: IToken, quoted: boolean, span: Span = tokSpan(ctx, t)): Template {
  const p = t.payload as TemplateParts | undefined;
  const parts: (string | ParamRef)[] = p === undefined
    ? [t.image]
    : p.map((x) =>
        typeof x === "string"
          ? x
          : { kind: "param-ref", name: x.name, span: { file: ctx.file, start: posIn(t, x.start), end: posIn(t, x.end) } },
      );
  return { kind: "template", quoted, parts, span };
}

/** A string token's text; `${…}` is reported (`what` cannot use parameters) and kept as written. */
export function plainString(ctx: BuildContext, t: IToken, what: string): string {
  const refs = interpolations(t);
  if (refs.length) reportInterpolation(ctx, t, refs, what, "write `\\${` for a literal `${`");
  return payload(t).map((p) => (typeof p === "string" ? p : "${" + p.name + "}")).join("");
}

/** A declared name: a plain word; `${…}` in it is an error. */
export function ident(ctx: BuildContext, t: IToken, what: string): Ident {
  const refs = interpolations(t);
  if (refs.length) {
    reportInterpolation(ctx, t, refs, what, "declared names are fixed; parameters belong in selectors and values");
  }
  return { text: t.image, span: tokSpan(ctx, t) };
}

function reportInterpolation(ctx: BuildContext, t: IToken, refs: readonly InterpPart[], what: string, help: string): void {
  const first = refs[0] as InterpPart;
  ctx.diagnostics.push({
    code: "NV1010",
    severity: "error",
    message: `${what} cannot use parameters`,
    span: { file: ctx.file, start: posIn(t, first.start), end: posIn(t, first.end) },
    label: "parameter reference not allowed here",
    help,
  });
}

export function syntaxError(
  ctx: BuildContext, code: string, message: string, span: Span, label: string, help?: string,
  related?: { span: Span; message: string }[],
): void {
  const d: Diagnostic = { code, severity: "error", message, span, label };
  if (help) d.help = help;
  if (related) d.related = related;
  ctx.diagnostics.push(d);
}

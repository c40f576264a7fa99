/**
 * The two commonest item shapes without the parser: a rule, and a group holding one address list.
 * Policies of 100k rules are almost only these, and the CST Chevrotain builds for them (and then
 * throws away) was most of the parse time and memory. Here they are recognised straight from the
 * item's tokens and built with the builder's own functions (build.ts, build-rule.ts).
 *
 * The fast path accepts only a subset of the grammar, and only when building reported nothing: any
 * other shape, or any diagnostic (a parameter in a name, a duplicate option, a word that is not a
 * port, a number too large), returns undefined and the item goes through the parser and builder as
 * before. test/grammar/fast-items.test.ts checks that both give the same AST, spans included.
 *
 *   rule NUMBER allow|deny WORD (, WORD)* -> WORD (, WORD)* option*
 *     option: (app|apps) WORD (, WORD)* | (port|ports) PORT (, PORT)* | learned | STRING
 *   group WORD { SEP* address ITEM (, NEWLINE* ITEM)* SEP* }     ITEM: vh:? (STRING | WORD | ADDRESS)
 */
import type { IToken, TokenType } from "chevrotain";
import type { Span } from "../../common/span.js";
import type { ItemRule } from "../../grammar/parser.js";
import {
  Address, AddressLit, Allow, App, Apps, Arrow, Comma, Deny, LCurly, Learned, Newline, NumberLit, NumRange, Port, Ports,
  PortSpec, RCurly, Semi, StringLit, VhPrefix, Word,
} from "../../grammar/tokens.js";
import { addressItem, addressListOf, groupDecl } from "./build.js";
import { addOption, groupRef, newRule, type OptionKind, type RuleOption, wholeNumber } from "./build-rule.js";
import { type BuildContext, ident, Incomplete, joinSpan, tokSpan } from "./cst.js";
import type { AddressItem, GroupDecl, Item, RuleDecl } from "./types.js";

/** The item built from `tokens` (all of one item, its keyword first), or undefined: use the parser. */
export function fastItem(file: string, rule: ItemRule, tokens: readonly IToken[]): Item | undefined {
  if (rule !== "ruleDecl" && rule !== "groupDecl") return undefined;
  const ctx: BuildContext = { file, diagnostics: [] };
  try {
    const span = joinSpan(ctx, tokens[0] as IToken, tokens[tokens.length - 1] as IToken);
    const item = rule === "ruleDecl" ? fastRule(ctx, tokens, span) : fastGroup(ctx, tokens, span);
    return ctx.diagnostics.length === 0 ? item : undefined;
  } catch (e) {
    if (e instanceof Incomplete) return undefined;
    throw e;
  }
}

const type = (tokens: readonly IToken[], i: number): TokenType | undefined => tokens[i]?.tokenType;

/** `WORD (, WORD)*` from `at` into `out`; returns where the list ends, or -1 when there is none. */
function words(tokens: readonly IToken[], at: number, out: IToken[]): number {
  if (type(tokens, at) !== Word) return -1;
  out.push(tokens[at] as IToken);
  let i = at + 1;
  while (type(tokens, i) === Comma && type(tokens, i + 1) === Word) {
    out.push(tokens[i + 1] as IToken);
    i += 2;
  }
  return i;
}

function isPort(t: TokenType | undefined): boolean {
  return t === PortSpec || t === NumberLit || t === NumRange || t === Word;
}

function fastRule(ctx: BuildContext, tokens: readonly IToken[], span: Span): RuleDecl | undefined {
  const idTok = tokens[1];
  const action = tokens[2];
  if (idTok?.tokenType !== NumberLit || !action || (action.tokenType !== Allow && action.tokenType !== Deny)) return undefined;
  const from: IToken[] = [];
  let i = words(tokens, 3, from);
  if (i < 0 || type(tokens, i) !== Arrow) return undefined;
  const to: IToken[] = [];
  i = words(tokens, i + 1, to);
  if (i < 0) return undefined;
  const options: RuleOption[] = [];
  while (i < tokens.length) {
    const t = tokens[i] as IToken;
    const kind: OptionKind | undefined =
      t.tokenType === App || t.tokenType === Apps ? "app"
      : t.tokenType === Port || t.tokenType === Ports ? "port"
      : t.tokenType === Learned ? "learned"
      : t.tokenType === StringLit ? "comment"
      : undefined;
    if (kind === undefined) return undefined;
    if (kind === "learned" || kind === "comment") {
      options.push({ kind, items: [t] });
      i++;
      continue;
    }
    const items: IToken[] = [];
    if (kind === "app") {
      i = words(tokens, i + 1, items);
      if (i < 0) return undefined;
    } else {
      i++;
      if (!isPort(type(tokens, i))) return undefined;
      items.push(tokens[i++] as IToken);
      while (type(tokens, i) === Comma && isPort(type(tokens, i + 1))) {
        items.push(tokens[i + 1] as IToken);
        i += 2;
      }
    }
    options.push({ kind, keyword: t, items });
  }
  const idSpan = tokSpan(ctx, idTok);
  const rule = newRule(wholeNumber(ctx, idTok.image, idSpan, "rule id"), idSpan, action, from.map((t) => groupRef(ctx, t)),
    to.map((t) => groupRef(ctx, t)), span);
  const seen = new Map<OptionKind, Span>();
  for (const o of options) addOption(ctx, rule, seen, o);
  return rule;
}

const isSep = (t: TokenType | undefined) => t === Newline || t === Semi;
const isAddress = (t: TokenType | undefined) => t === StringLit || t === Word || t === AddressLit;

function fastGroup(ctx: BuildContext, tokens: readonly IToken[], span: Span): GroupDecl | undefined {
  const name = tokens[1];
  if (name?.tokenType !== Word || type(tokens, 2) !== LCurly) return undefined;
  let i = 3;
  while (isSep(type(tokens, i))) i++;
  const kw = tokens[i];
  if (kw?.tokenType !== Address) return undefined;
  i++;
  const items: AddressItem[] = [];
  for (;;) {
    const vh = type(tokens, i) === VhPrefix ? (tokens[i++] as IToken) : undefined;
    if (!isAddress(type(tokens, i))) return undefined;
    items.push(addressItem(ctx, vh, tokens[i++] as IToken));
    if (type(tokens, i) !== Comma) break;
    i++;
    while (type(tokens, i) === Newline) i++;
  }
  while (isSep(type(tokens, i))) i++;
  if (type(tokens, i) !== RCurly || i !== tokens.length - 1) return undefined;
  return groupDecl(ident(ctx, name, "a group name"), [addressListOf(ctx, kw, items)], span);
}

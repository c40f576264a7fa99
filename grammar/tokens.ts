/**
 * Token types of the .nvp language. The lexer (lexer.ts) is hand-written, because names, templates,
 * IPv6 addresses and port specs overlap in ways a regex-per-token lexer cannot tell apart; it builds
 * Chevrotain token instances of these types so the CstParser can consume them.
 *
 * Every type has a `LABEL` used in messages ("expected `->`"), never its internal name.
 */
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

/** Any reserved word: lets a label key be `app`, `port`, `service`… (`label app = "web"`). */
export const Keyword = createToken({ name: "Keyword", pattern: Lexer.NA, label: "a keyword" });

function kw(word: string): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: Lexer.NA, label: `\`${word}\``, categories: [Keyword] });
}

// Item keywords: a top-level item starts with one of these.
export const Policy = kw("policy");
export const Import = kw("import");
export const Param = kw("param");
export const Service = kw("service");
export const Group = kw("group");
export const Rule = kw("rule");
export const Settings = kw("settings");
// Rule words.
export const Allow = kw("allow");
export const Deny = kw("deny");
export const App = kw("app");
export const Apps = kw("apps");
export const Port = kw("port");
export const Ports = kw("ports");
export const Learned = kw("learned");
// Body words.
export const Mode = kw("mode");
export const Address = kw("address");
// Criterion operators written as words.
export const Contains = kw("contains");
export const Prefix = kw("prefix");
export const Regex = kw("regex");

/** Reserved words by spelling. Everything else that looks like a name is a `Word`. */
export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(
  [Policy, Import, Param, Service, Group, Rule, Settings, Allow, Deny, App, Apps, Port, Ports, Learned, Mode, Address,
    Contains, Prefix, Regex].map((t) => [t.name.slice(3), t] as const),
);

/** The words that start a top-level item (and where error recovery resynchronises). */
export const ITEM_KEYWORDS: ReadonlySet<TokenType> = new Set([Policy, Import, Param, Service, Group, Rule, Settings]);

/**
 * A bare word: `web`, `nv.web.${ns}`, `db-1.example.com`, `syn-flood.threshold`. Its payload is the
 * template parts (see WordPayload); a word without `${…}` is a plain name.
 */
export const Word = createToken({ name: "Word", pattern: Lexer.NA, label: "a name" });
/** `"…"` with escapes and `${param}`; payload = decoded parts. */
export const StringLit = createToken({ name: "StringLit", pattern: Lexer.NA, label: "a string" });
export const NumberLit = createToken({ name: "NumberLit", pattern: Lexer.NA, label: "a number" });
/** `8000-8080` (a bare port range). */
export const NumRange = createToken({ name: "NumRange", pattern: Lexer.NA, label: "a port range" });
/** `5s`, `500ms`, `2m`, `1h`. */
export const Duration = createToken({ name: "Duration", pattern: Lexer.NA, label: "a duration" });
/** `tcp/80`, `udp/53-60`, `tcp/any` (protocol case-insensitive). */
export const PortSpec = createToken({ name: "PortSpec", pattern: Lexer.NA, label: "a port" });
/** An address that is not a name: `10.0.0.0/8`, `10.0.0.1-10.0.0.9`, `fe80::1`, `*.example.com`, `1.example.com`. */
export const AddressLit = createToken({ name: "AddressLit", pattern: Lexer.NA, label: "an address" });
/** The `vh:` prefix of a virtual-host address item. */
export const VhPrefix = createToken({ name: "VhPrefix", pattern: Lexer.NA, label: "`vh:`" });

export const LCurly = createToken({ name: "LCurly", pattern: Lexer.NA, label: "`{`" });
export const RCurly = createToken({ name: "RCurly", pattern: Lexer.NA, label: "`}`" });
export const Comma = createToken({ name: "Comma", pattern: Lexer.NA, label: "`,`" });
/** An entry separator inside `{…}`: `;` or a line break. */
export const Sep = createToken({ name: "Sep", pattern: Lexer.NA, label: "`;` or a new line" });
export const Semi = createToken({ name: "Semi", pattern: Lexer.NA, label: "`;`", categories: [Sep] });
/** Line breaks matter only inside `{…}` bodies (entry separators); the item splitter drops the others. */
export const Newline = createToken({ name: "Newline", pattern: Lexer.NA, label: "a new line", categories: [Sep] });
export const Arrow = createToken({ name: "Arrow", pattern: Lexer.NA, label: "`->`" });

// Criterion operators written as symbols: `=`, `!=`, and the NeuVector UI shorthands.
export const Eq = createToken({ name: "Eq", pattern: Lexer.NA, label: "`=`" });
export const NotEq = createToken({ name: "NotEq", pattern: Lexer.NA, label: "`!=`" });
export const At = createToken({ name: "At", pattern: Lexer.NA, label: "`@`" });
export const Caret = createToken({ name: "Caret", pattern: Lexer.NA, label: "`^`" });
export const Tilde = createToken({ name: "Tilde", pattern: Lexer.NA, label: "`~`" });
export const NotTilde = createToken({ name: "NotTilde", pattern: Lexer.NA, label: "`!~`" });
export const NotRegex = createToken({ name: "NotRegex", pattern: Lexer.NA, label: "`!regex`" });

export const ALL_TOKENS: TokenType[] = [
  Keyword, ...KEYWORDS.values(), Word, StringLit, NumberLit, NumRange, Duration, PortSpec, AddressLit, VhPrefix,
  LCurly, RCurly, Comma, Sep, Semi, Newline, Arrow, Eq, NotEq, At, Caret, Tilde, NotTilde, NotRegex,
];

/** One `${name}` inside a word or string; offsets are absolute UTF-16 offsets in the file. */
export interface InterpPart {
  name: string;
  start: number;
  end: number;
}

/** Payload of Word and StringLit tokens: literal text (escapes decoded) and parameter references. */
export type TemplateParts = (string | InterpPart)[];

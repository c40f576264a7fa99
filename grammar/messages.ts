/**
 * Syntax error messages. Chevrotain's own messages dump token-type names; ours say what was expected in
 * the user's terms ("expected `->` after the rule's source groups, found `api`"), with a label and a
 * `help:` line chosen by the grammar rule the parser was in.
 *
 * The provider runs inside the parser and only knows the rule and tokens, so it returns a small JSON
 * record; `syntaxDiagnostic` completes it with what was found and where, once the item is known.
 */
import { portFormHint } from "../common/port-forms.js";
import type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
import { EOF } from "./chevrotain.js";
import type { Diagnostic } from "../common/diagnostics.js";
import type { Pos, Span } from "../common/span.js";
import { Keyword, LCurly, Newline, Semi, Word } from "./tokens.js";

interface Expected {
  /** What the parser wanted, as a phrase: "`->`", "a group name". */
  what: string;
  /** A better "where" than "after `web`": " after the rule's source groups", or "". */
  after: string;
  /** A name was expected (for the reserved-word hint). */
  wantsName: boolean;
  /** The item was complete and more followed (Chevrotain reports this as "expected EOF" while recovering). */
  tail?: boolean;
}

/** What a bare name means in each rule, so "expected a name" becomes "expected a group name". */
const WORD_NOUN: Record<string, string> = {
  policyDecl: "a policy name",
  paramDecl: "a parameter name",
  serviceDecl: "a service alias",
  modeProp: "a mode (`discover`, `monitor` or `protect`)",
  groupDecl: "a group name",
  groupRefs: "a group name",
  appOption: "an application name",
  criterion: "a criterion key",
};

const BODY_END = "`;`, a new line or `}`";

const TOKEN_NOUN: Record<string, Record<string, string>> = {
  ruleDecl: { NumberLit: "a rule id (a number)" },
  groupBody: { RCurly: BODY_END },
  serviceBody: { RCurly: BODY_END },
  settingsBody: { RCurly: BODY_END },
  importDecl: { StringLit: 'a quoted path such as `"std/net"`' },
};

/** Phrases that read better than "after `web`". */
const AFTER: Record<string, Record<string, string>> = {
  ruleDecl: { Arrow: " after the rule's source groups" },
};

function noun(rule: string, t: TokenType): string {
  if (t === Word) return WORD_NOUN[rule] ?? "a name";
  // Where a keyword is accepted as a name (`param port`), it is still just "a parameter name".
  if (t === Keyword && WORD_NOUN[rule]) return WORD_NOUN[rule];
  return TOKEN_NOUN[rule]?.[t.name] ?? t.LABEL ?? t.name;
}

/**
 * Only the grammar-specific phrase: Chevrotain's `previous` token is stale after an in-rule resync,
 * so "after `x`" is computed from the item's own tokens in `syntaxDiagnostic`.
 */
function afterPhrase(rule: string, expected: TokenType | undefined): string {
  return (expected && AFTER[rule]?.[expected.name]) ?? "";
}

function oneOf(items: string[]): string {
  const u = [...new Set(items)];
  return u.length <= 1 ? (u[0] ?? "something else") : `${u.slice(0, -1).join(", ")} or ${u[u.length - 1]}`;
}

function encode(e: Expected): string {
  return JSON.stringify(e);
}

function firstTokens(paths: TokenType[][]): TokenType[] {
  return paths.map((p) => p[0]).filter((t): t is TokenType => t !== undefined);
}

export const messageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, ruleName }) {
    if (expected === EOF) return encode({ what: "", after: "", wantsName: false, tail: true });
    return encode({
      what: noun(ruleName, expected),
      after: afterPhrase(ruleName, expected),
      wantsName: expected === Word || expected === Keyword,
    });
  },
  buildNotAllInputParsedMessage() {
    return encode({ what: "", after: "", wantsName: false, tail: true });
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, customUserDescription, ruleName }) {
    const firsts = firstTokens(expectedPathsPerAlt.flat());
    return encode({
      what: customUserDescription ?? oneOf(firsts.map((t) => noun(ruleName, t))),
      after: afterPhrase(ruleName, undefined),
      wantsName: firsts.includes(Word),
    });
  },
  buildEarlyExitMessage({ expectedIterationPaths, customUserDescription, ruleName }) {
    const firsts = firstTokens(expectedIterationPaths);
    return encode({
      what: customUserDescription ?? oneOf(firsts.map((t) => noun(ruleName, t))),
      after: afterPhrase(ruleName, undefined),
      wantsName: firsts.includes(Word),
    });
  },
};

/** Help lines by grammar rule, innermost first. */
const HELP: Record<string, string> = {
  portItem: "ports look like `tcp/80`, `udp/53-60`, `tcp/any`, `icmp`, `any` or a bare `8080`",
  portOption: "ports look like `port tcp/80` or `ports tcp/80, udp/53`",
  appOption: "applications are listed by name: `app http` or `apps redis, http`",
  criterion: 'criteria look like `label tier = "front"`, `domain = ns` or `image prefix "registry.local/"`',
  criterionOp: 'criteria look like `label tier = "front"`, `domain = ns` or `image prefix "registry.local/"`',
  criterionValue: 'criterion values are strings (`"front"`), parameter names (`ns`) or numbers',
  labelKey: 'criteria look like `label tier = "front"`, `domain = ns` or `image prefix "registry.local/"`',
  addressItem: "addresses look like `10.0.0.0/8`, `10.0.0.1-10.0.0.9`, `fd00::/8`, `db.example.com`, `*.example.com` or `vh:shop.example.com`",
  addressList: "address lists look like `address 10.0.0.0/8, db.example.com`",
  modeProp: "modes look like `mode protect` or `mode network protect`",
  groupEntry: 'group entries are criteria (`label tier = "front"`), `address …` lists or `mode …`, separated by `;` or new lines',
  groupBody: 'group entries are criteria (`label tier = "front"`), `address …` lists or `mode …`, separated by `;` or new lines',
  groupDecl: 'groups look like: group frontends { label tier = "front" }',
  setting: "settings look like: settings { xff on; contention strict }",
  settingValue: "setting values are words, numbers, strings or durations such as `5s`",
  settingsBody: "settings look like: settings { xff on; contention strict }",
  settingsDecl: "settings look like: settings { xff on; contention strict }",
  groupRefs: "rules look like: rule 10 allow web -> api port tcp/80",
  ruleOption: 'a rule may end with `app …`, `port …`, `learned` and a "comment", in any order',
  ruleDecl: "rules look like: rule 10 allow web -> api port tcp/80",
  serviceBody: "services look like: service web = nv.web.${ns} { mode protect }",
  serviceDecl: "services look like: service web = nv.web.${ns} { mode protect }",
  paramDefault: 'parameters look like: param ns = "shop-dev"',
  paramDecl: 'parameters look like: param ns = "shop-dev"',
  importDecl: 'imports look like: import "std/net"',
  policyDecl: "the header looks like: policy shop",
};

/** What a body holds, for "expected a group entry or `}`". */
const BODY_ENTRY: Record<string, string> = {
  groupBody: "a group entry",
  serviceBody: "`mode …`",
  settingsBody: "a setting",
};

/** Item nouns, for "unexpected `x` after the rule". */
const ITEM_NOUN: Record<string, string> = {
  policyDecl: "the policy header",
  importDecl: "the import",
  paramDecl: "the parameter",
  serviceDecl: "the service",
  groupDecl: "the group",
  ruleDecl: "the rule",
  settingsDecl: "the settings block",
};

const ITEM_TAIL_HELP: Record<string, string> = {
  ruleDecl: 'a rule may end with `app …`, `port …`, `learned` and a "comment"; start the next item on its own line',
  serviceDecl: "a service's mode goes in braces: service web = nv.web.${ns} { mode protect }",
};

export function quote(image: string): string {
  const shown = image.length > 40 ? image.slice(0, 40) + "…" : image;
  return "`" + shown.replace(/`/g, "'") + "`";
}

/** Where an item ends, to describe "found the end of …" errors. */
export interface ItemEnd {
  file: string;
  /** The item rule that was parsed. */
  rule: string;
  /** The token that starts the next item, if any: errors at the item's end point at it. */
  next?: IToken;
  /** Just after the item's last token (for errors at the end of the file). */
  endPos: Pos;
  /** The item's first `{`, to point at when its `}` is missing. */
  open?: IToken;
  /** The item's tokens, in order. */
  tokens: readonly IToken[];
}

/** The item's last token before `offset` (or its last token), unless that is a line break. */
function previousToken(tokens: readonly IToken[], offset: number | undefined): IToken | undefined {
  let lo = 0;
  let hi = tokens.length;
  if (offset !== undefined) {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tokens[mid] as IToken).startOffset < offset) lo = mid + 1;
      else hi = mid;
    }
  }
  const prev = tokens[(offset === undefined ? tokens.length : lo) - 1];
  return prev && prev.tokenType !== Newline ? prev : undefined;
}

export function tokenSpan(file: string, t: IToken): Span {
  return {
    file,
    start: { line: t.startLine ?? 1, col: t.startColumn ?? 1, offset: t.startOffset },
    end: { line: t.endLine ?? 1, col: (t.endColumn ?? 0) + 1, offset: (t.endOffset ?? t.startOffset) + 1 },
  };
}

/** One Chevrotain recognition error as an NV1xxx diagnostic. */
export function syntaxDiagnostic(err: IRecognitionException, at: ItemEnd): Diagnostic {
  let e: Expected;
  try {
    e = JSON.parse(err.message) as Expected;
  } catch {
    e = { what: "", after: "", wantsName: false };
  }
  const stack = err.context?.ruleStack ?? [];
  const atEnd = !err.token || err.token.tokenType === EOF || !Number.isFinite(err.token.startOffset);
  const found = atEnd ? at.next : err.token;
  const foundText = !found
    ? "the end of the file"
    : found.tokenType === Newline
      ? "the end of the line"
      : quote(found.image);
  const span: Span = found
    ? tokenSpan(at.file, found)
    : { file: at.file, start: at.endPos, end: at.endPos };
  let help: string | undefined;
  if (!atEnd && found && e.wantsName && found.tokenType.CATEGORIES?.includes(Keyword)) {
    help = `${quote(found.image)} is a reserved word; choose another name`;
  }
  if (e.tail) {
    // `port TCP 80`: the number after a bare protocol is the port, written apart.
    const prev = found ? previousToken(at.tokens, found.startOffset) : undefined;
    const port = prev && found ? portFormHint(`${prev.image} ${found.image}`) : undefined;
    return {
      code: "NV1002",
      severity: "error",
      message: `unexpected ${foundText} after ${ITEM_NOUN[at.rule] ?? "the item"}`,
      span,
      label: "not expected here",
      help: port ?? ITEM_TAIL_HELP[at.rule] ?? HELP[at.rule] ?? "start each item on its own line",
    };
  }
  help ??= [...stack].reverse().map((r) => HELP[r]).find((h) => h !== undefined);
  let related: Diagnostic["related"];
  if (atEnd && e.what === BODY_END) {
    // The item ran into the next one (or the end of the file): the `}` is missing, not a separator.
    e.what = "`}`";
    e.after = "";
    if (at.open) {
      help = at.next ? "close the `{` before starting the next item" : "add the missing `}`";
      related = [{ span: tokenSpan(at.file, at.open), message: "this `{` is not closed" }];
    }
  }
  const prev = previousToken(at.tokens, atEnd ? undefined : err.token.startOffset);
  if (!e.after && prev) e.after = ` after ${quote(prev.image)}`;
  const body = stack[stack.length - 1] ?? "";
  if (!atEnd && e.what === BODY_END && BODY_ENTRY[body] && (!prev || prev.tokenType === LCurly || prev.tokenType === Semi)) {
    // Right after `{` or `;` an entry could come as well as `}`; a separator could not.
    e.what = `${BODY_ENTRY[body]} or \`}\``;
  }
  const d: Diagnostic = {
    code: "NV1001",
    severity: "error",
    message: `expected ${e.what}${e.after}, found ${foundText}`,
    span,
    // The label sits under the caret: keep it short, the message has the details.
    label: `expected ${e.what.replace(/ \(.*\)$/, "")}`,
  };
  if (help) d.help = help;
  if (related) d.related = related;
  return d;
}

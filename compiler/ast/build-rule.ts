/**
 * CST → AST for `rule` items: source and destination groups, and the options that may follow them in
 * any order (`app`/`apps`, `port`/`ports`, `learned`, one "comment"), each at most once.
 */
import type { CstNode, IToken } from "chevrotain";
import type { Span } from "../../common/span.js";
import {
  child, ident, Incomplete, joinSpan, nodes, optChild, optToken, plainString, someTokens, syntaxError, template, token,
  tokSpan, type BuildContext,
} from "./cst.js";
import type { GroupRef, Ident, PortItem, RuleDecl } from "./types.js";

const PORT_HELP = "ports look like `tcp/80`, `udp/53-60`, `tcp/any`, `icmp`, `any` or a bare `8080`";

/**
 * A number as written. Beyond 2^53 a JavaScript number no longer holds it exactly, so such numbers are
 * syntax errors here rather than silently rounded values for the checker to bound.
 */
export function wholeNumber(ctx: BuildContext, text: string, span: Span, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    syntaxError(ctx, "NV1017", `${what} \`${text.length > 30 ? text.slice(0, 30) + "…" : text}\` is too large`, span,
      "too large", `${what}s are at most ${Number.MAX_SAFE_INTEGER}; the checker narrows the range further`);
    throw new Incomplete(what);
  }
  return n;
}

function groupRefs(ctx: BuildContext, node: CstNode): GroupRef[] {
  return someTokens(node, "ref").map((t) => groupRef(ctx, t));
}

/** `tcp/80`, `udp/53-60`, `tcp/any`, `8080`, `8000-8080`, `icmp`, `any`. */
export function portItem(ctx: BuildContext, t: IToken): PortItem {
  const span = tokSpan(ctx, t);
  const text = t.image;
  const lower = text.toLowerCase();
  const range = (spec: string, proto: PortItem["proto"]): PortItem => {
    const [lo, hi] = spec.split("-");
    const item: PortItem = { proto, any: false, lo: wholeNumber(ctx, lo ?? "", span, "port number"), span };
    if (hi !== undefined) item.hi = wholeNumber(ctx, hi, span, "port number");
    return item;
  };
  switch (t.tokenType.name) {
    case "PortSpec": {
      const slash = lower.indexOf("/");
      const proto = lower.slice(0, slash) as "tcp" | "udp";
      const spec = lower.slice(slash + 1);
      return spec === "any" ? { proto, any: true, span } : range(spec, proto);
    }
    case "NumberLit":
    case "NumRange":
      return range(text, null);
  }
  if (lower === "icmp") return { proto: "icmp", any: false, span };
  if (lower === "any") return { proto: "any", any: true, span };
  const hint = lower === "tcp" || lower === "udp" ? `\`${text}\` needs a port, joined by \`/\`: \`${lower}/80\` or \`${lower}/any\`` : PORT_HELP;
  syntaxError(ctx, "NV1020", `\`${text}\` is not a port`, span, "expected a port", hint);
  throw new Incomplete("port");
}

export type OptionKind = "app" | "port" | "learned" | "comment";

/**
 * One rule option as tokens, however they were found (the CST here, or fast-items.ts): its keyword
 * (`app`, `ports`…; none for `learned` and a comment) and its items (the only token for those two).
 */
export interface RuleOption {
  kind: OptionKind;
  keyword?: IToken;
  items: IToken[];
}

function optionKind(opt: CstNode): OptionKind {
  if (optChild(opt, "apps")) return "app";
  if (optChild(opt, "ports")) return "port";
  if (optToken(opt, "learned")) return "learned";
  if (optToken(opt, "comment")) return "comment";
  throw new Incomplete("ruleOption");
}

function optionTokens(opt: CstNode): RuleOption {
  const kind = optionKind(opt);
  if (kind === "learned" || kind === "comment") return { kind, items: [token(opt, kind)] };
  const list = child(opt, kind === "app" ? "apps" : "ports");
  const items = kind === "app" ? someTokens(list, "app") : nodes(list, "port").map((p) => token(p, "value"));
  if (items.length === 0) throw new Incomplete(kind);
  return { kind, keyword: token(list, "keyword"), items };
}

const DUPLICATE: Record<OptionKind, { message: string; help: string }> = {
  app: { message: "the rule lists applications twice", help: "merge the lists: `apps http, redis`" },
  port: { message: "the rule lists ports twice", help: "merge the lists: `ports tcp/80, tcp/443`" },
  learned: { message: "`learned` is given twice", help: "write `learned` once" },
  comment: { message: "the rule has two comments", help: "a rule has at most one \"comment\"; join them" },
};

/** A group reference: its name as a template, sharing the token's span. */
export function groupRef(ctx: BuildContext, t: IToken): GroupRef {
  const span = tokSpan(ctx, t);
  return { name: template(ctx, t, false, span), span };
}

/** The rule without its options; `addOption` adds them. */
export function newRule(id: number, idSpan: Span, action: IToken, from: GroupRef[], to: GroupRef[], span: Span): RuleDecl {
  return {
    kind: "rule",
    id,
    idSpan,
    action: action.image === "deny" ? "deny" : "allow",
    from,
    to,
    apps: [],
    ports: [],
    learned: false,
    span,
  };
}

/**
 * Add one option to the rule; one given twice is reported (from its keyword, or its only token, to
 * its last item) and left out. `seen` holds the options added so far.
 */
export function addOption(ctx: BuildContext, rule: RuleDecl, seen: Map<OptionKind, Span>, o: RuleOption): void {
  const last = o.items[o.items.length - 1] as IToken;
  const optSpan = o.keyword ? joinSpan(ctx, o.keyword, last) : tokSpan(ctx, last);
  const first = seen.get(o.kind);
  if (first) {
    syntaxError(ctx, "NV1018", DUPLICATE[o.kind].message, optSpan, "given again here", DUPLICATE[o.kind].help,
      [{ span: first, message: "first given here" }]);
    return;
  }
  seen.set(o.kind, optSpan);
  if (o.kind === "app") {
    rule.apps = o.items.map((t): Ident => ident(ctx, t, "an application name"));
  } else if (o.kind === "port") {
    rule.ports = o.items.map((t) => portItem(ctx, t));
  } else if (o.kind === "learned") {
    rule.learned = true;
  } else {
    rule.comment = plainString(ctx, last, "a rule comment");
  }
}

export function buildRule(ctx: BuildContext, node: CstNode, span: Span): RuleDecl {
  const idTok = token(node, "id");
  const idSpan = tokSpan(ctx, idTok);
  const id = wholeNumber(ctx, idTok.image, idSpan, "rule id");
  const action = token(node, "action");
  const from = groupRefs(ctx, child(node, "from"));
  const rule = newRule(id, idSpan, action, from, groupRefs(ctx, child(node, "to")), span);
  const seen = new Map<OptionKind, Span>();
  for (const opt of nodes(node, "option")) addOption(ctx, rule, seen, optionTokens(opt));
  return rule;
}

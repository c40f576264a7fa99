/**
 * CST → AST (compiler/ast/types.ts), one item at a time, with exact spans. Checks that belong to the
 * syntax but not to the LL grammar are made here as NV1xxx errors: declared names without `${…}`,
 * criterion keys, label keys, mode scopes, duplicate rule options, numbers too large to hold.
 *
 * On a CST the parser had to repair, the builder keeps what the user actually wrote: a group keeps
 * its complete entries, an item missing a required part is dropped (see cst.ts, Incomplete).
 */
import type { CstNode, IToken } from "chevrotain";
import type { Span } from "../../common/span.js";
import type { ItemRule } from "../../grammar/parser.js";
import { buildRule } from "./build-rule.js";
import {
  child, ident, Incomplete, interpolations, nodes, nodeSpan, optChild, optToken, plainString, syntaxError, template,
  startPos, token, tokSpan, joinSpan, type BuildContext,
} from "./cst.js";
import {
  CRITERION_KEYS, type AddressItem, type AddressList, type Criterion, type CriterionKey, type CriterionOp,
  type GroupDecl, type GroupEntry, type Ident, type Item, type ModeProp, type ModeScope, type ServiceDecl, type Setting,
  type SettingValue, type SettingsDecl, type Template, type Value,
} from "./types.js";

export type { BuildContext } from "./cst.js";

/** Operators as written → the AST's canonical operator (`@` contains, `^` prefix, `~` regex, `!~` !regex). */
const OPS: Record<string, CriterionOp> = {
  "=": "=", "!=": "!=", contains: "contains", "@": "contains", prefix: "prefix", "^": "prefix",
  regex: "regex", "~": "regex", "!regex": "!regex", "!~": "!regex",
};

function quoted(t: IToken): boolean {
  return t.tokenType.name === "StringLit";
}

function modeProp(ctx: BuildContext, node: CstNode): ModeProp {
  const first = token(node, "first");
  const second = optToken(node, "second");
  const span = joinSpan(ctx, token(node, "Kw_mode"), second ?? first);
  if (!second) return withParam(ctx, { kind: "mode", scope: "all", mode: modeWord(ctx, first), span }, first);
  if (first.image !== "network" && first.image !== "process") {
    syntaxError(ctx, "NV1013", `unknown mode scope \`${first.image}\``, tokSpan(ctx, first), "expected `network` or `process`",
      "modes look like `mode protect`, `mode network protect` or `mode process monitor`");
  }
  return withParam(ctx, { kind: "mode", scope: first.image as ModeScope, mode: modeWord(ctx, second), span }, second);
}

/** A mode is a word (`protect`) or a parameter (`${env_mode}`), so one policy serves DEV, QA and PROD. */
function modeWord(ctx: BuildContext, t: IToken): Ident {
  return interpolations(t).length ? { text: t.image, span: tokSpan(ctx, t) } : ident(ctx, t, "a mode");
}

function withParam(ctx: BuildContext, m: ModeProp, t: IToken): ModeProp {
  if (interpolations(t).length) m.param = template(ctx, t, false);
  return m;
}

/** A criterion value: a string or number is a template; a bare name is a parameter; a word with `${…}` a template. */
function value(ctx: BuildContext, t: IToken): Value {
  if (t.tokenType.name === "Word" && interpolations(t).length === 0) {
    return { kind: "param-ref", name: t.image, span: tokSpan(ctx, t) };
  }
  return template(ctx, t, quoted(t));
}

function criterion(ctx: BuildContext, node: CstNode): Criterion {
  const keyTok = token(node, "key");
  const keySpan = tokSpan(ctx, keyTok);
  const key = keyTok.image as CriterionKey;
  if (!CRITERION_KEYS.includes(key)) {
    syntaxError(ctx, "NV1014", `unknown criterion key \`${keyTok.image}\``, keySpan, "not a criterion key",
      `criterion keys are ${CRITERION_KEYS.map((k) => `\`${k}\``).join(", ")}`);
    throw new Incomplete("criterion key");
  }
  const labelNode = optChild(node, "labelKey");
  const opTok = token(child(node, "op"), "op");
  const valueTok = token(child(node, "value"), "value");
  const c: Criterion = {
    kind: "criterion",
    key,
    keySpan,
    op: OPS[opTok.image] ?? "=",
    opSpan: tokSpan(ctx, opTok),
    value: value(ctx, valueTok),
    span: joinSpan(ctx, keyTok, valueTok),
  };
  const takesLabel = key === "label" || key === "ns-label";
  if (labelNode) {
    const lt = token(labelNode, "key");
    if (!takesLabel) {
      syntaxError(ctx, "NV1015", `\`${key}\` takes no label name`, tokSpan(ctx, lt), "unexpected label name",
        `only \`label\` and \`ns-label\` name a label; write \`${key} ${opTok.image} …\``);
    }
    c.labelKey = template(ctx, lt, quoted(lt));
  } else if (takesLabel) {
    syntaxError(ctx, "NV1016", `\`${key}\` needs a label name`, keySpan, "no label name",
      `${key} criteria look like: ${key} tier = "front"`);
  }
  return c;
}

/** One address item: `vh:` (when given) and its value. */
export function addressItem(ctx: BuildContext, vh: IToken | undefined, v: IToken): AddressItem {
  const value = template(ctx, v, quoted(v));
  return { vh: vh !== undefined, value, span: vh ? { file: ctx.file, start: startPos(vh), end: value.span.end } : value.span };
}

/** An address list from its keyword and items; spans share positions with the items' spans. */
export function addressListOf(ctx: BuildContext, kw: IToken, items: AddressItem[]): AddressList {
  const last = items[items.length - 1] as AddressItem;
  return { kind: "address", items, span: { file: ctx.file, start: startPos(kw), end: last.span.end } };
}

function addressList(ctx: BuildContext, node: CstNode): AddressList {
  const itemNodes = nodes(node, "item");
  if (itemNodes.length === 0) throw new Incomplete("address");
  const kw = token(node, "Kw_address");
  return addressListOf(ctx, kw, itemNodes.map((n) => addressItem(ctx, optToken(n, "vh"), token(n, "value"))));
}

function groupEntry(ctx: BuildContext, node: CstNode): GroupEntry {
  const m = optChild(node, "modeProp");
  if (m) return modeProp(ctx, m);
  const a = optChild(node, "addressList");
  if (a) return addressList(ctx, a);
  return criterion(ctx, child(node, "criterion"));
}

/** Entries of a body; an entry the parser had to repair is left out, the others are kept. */
function entries<T>(body: CstNode | undefined, build: (n: CstNode) => T): T[] {
  const out: T[] = [];
  for (const n of body ? nodes(body, "entry") : []) {
    try {
      out.push(build(n));
    } catch (e) {
      if (!(e instanceof Incomplete)) throw e;
    }
  }
  return out;
}

function settingValue(ctx: BuildContext, t: IToken): SettingValue {
  const span = tokSpan(ctx, t);
  switch (t.tokenType.name) {
    case "StringLit":
      return { kind: "string", text: plainString(ctx, t, "a setting value"), span };
    case "NumberLit":
      return { kind: "number", text: t.image, span };
    case "Duration":
      return { kind: "duration", text: t.image, span };
    default:
      if (interpolations(t).length) plainString(ctx, t, "a setting value");
      return { kind: "word", text: t.image, span };
  }
}

function nonEmpty<T>(xs: T[]): T[] {
  if (xs.length === 0) throw new Incomplete("list");
  return xs;
}

function setting(ctx: BuildContext, node: CstNode): Setting {
  const key = token(node, "key");
  const valueToks = nonEmpty(nodes(node, "value")).map((v) => token(v, "value"));
  return {
    key: ident(ctx, key, "a setting name"),
    values: valueToks.map((t) => settingValue(ctx, t)),
    span: joinSpan(ctx, key, valueToks[valueToks.length - 1] as IToken),
  };
}

function paramDefault(ctx: BuildContext, node: CstNode): Template {
  const t = token(node, "value");
  return template(ctx, t, quoted(t));
}

export function groupDecl(name: Ident, entries: GroupEntry[], span: Span): GroupDecl {
  return { kind: "group", name, entries, span };
}

function item(ctx: BuildContext, rule: ItemRule, node: CstNode, span: Span): Item {
  switch (rule) {
    case "policyDecl":
      return { kind: "policy", name: ident(ctx, token(node, "name"), "a policy name"), span };
    case "importDecl": {
      const p = token(node, "path");
      return { kind: "import", path: plainString(ctx, p, "an import path"), pathSpan: tokSpan(ctx, p), span };
    }
    case "paramDecl": {
      const d = optChild(node, "default");
      const name = ident(ctx, token(node, "name"), "a parameter name");
      return d ? { kind: "param", name, default: paramDefault(ctx, d), span } : { kind: "param", name, span };
    }
    case "serviceDecl": {
      const sel = token(node, "selector");
      const s: ServiceDecl = {
        kind: "service",
        name: ident(ctx, token(node, "name"), "a service alias"),
        selector: template(ctx, sel, quoted(sel)),
        props: entries(optChild(node, "body"), (n) => modeProp(ctx, n)),
        span,
      };
      return s;
    }
    case "groupDecl": {
      const body = child(node, "body");
      return groupDecl(ident(ctx, token(node, "name"), "a group name"), entries(body, (n) => groupEntry(ctx, n)), span);
    }
    case "ruleDecl":
      return buildRule(ctx, node, span);
    case "settingsDecl": {
      const s: SettingsDecl = { kind: "settings", entries: entries(child(node, "body"), (n) => setting(ctx, n)), span };
      return s;
    }
  }
}

/**
 * Build the AST of one parsed item. Returns undefined when a required part is missing (the parser
 * reported why); `ctx.diagnostics` receives the builder's own NV1xxx errors. `span`, the item's
 * span when the caller knows it, saves a walk over the CST.
 */
export function buildItem(ctx: BuildContext, rule: ItemRule, node: CstNode, span?: Span): Item | undefined {
  try {
    return item(ctx, rule, node, span ?? nodeSpan(ctx, node));
  } catch (e) {
    if (e instanceof Incomplete) return undefined;
    throw e;
  }
}

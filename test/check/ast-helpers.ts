/**
 * Small constructors for AST nodes, so checker tests can state a policy without the parser.
 * Every node gets a distinct span (increasing offsets, one line each) so diagnostics sort
 * deterministically; `file()` stamps its path on every span below it.
 */
import type { Span } from "../../common/span.js";
import type {
  AddressItem,
  AddressList,
  Criterion,
  CriterionKey,
  CriterionOp,
  GroupDecl,
  GroupEntry,
  GroupRef,
  Ident,
  Item,
  ModeProp,
  ModeScope,
  ParamDecl,
  ParamRef,
  PolicyDecl,
  PortItem,
  RuleDecl,
  ServiceDecl,
  Setting,
  SettingsDecl,
  SourceFile,
  Template,
} from "../../compiler/ast/types.js";

let counter = 0;

export function span(): Span {
  const n = ++counter;
  return { file: "test.nvp", start: { line: n, col: 1, offset: n * 100 }, end: { line: n, col: 10, offset: n * 100 + 9 } };
}

export function ident(text: string): Ident {
  return { text, span: span() };
}

/** `nv.api.${ns}` → parts ["nv.api.", {param ns}]. */
export function tpl(text: string, quoted = false): Template {
  const parts: Template["parts"] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ kind: "param-ref", name: m[1]!, span: span() });
    last = m.index + m[0].length;
  }
  if (last < text.length || parts.length === 0) parts.push(text.slice(last));
  return { kind: "template", quoted, parts, span: span() };
}

export function pref(name: string): ParamRef {
  return { kind: "param-ref", name, span: span() };
}

export function file(path: string, items: Item[]): SourceFile {
  const f: SourceFile = { kind: "file", path, items, comments: [] };
  stamp(f, path);
  return f;
}

function stamp(node: unknown, path: string): void {
  if (Array.isArray(node)) {
    for (const x of node) stamp(x, path);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === "span" || k.endsWith("Span")) && v && typeof v === "object" && "start" in v) (v as Span).file = path;
    else stamp(v, path);
  }
}

export function policy(name: string): PolicyDecl {
  return { kind: "policy", name: ident(name), span: span() };
}

export function param(name: string, def?: string): ParamDecl {
  const p: ParamDecl = { kind: "param", name: ident(name), span: span() };
  if (def !== undefined) p.default = tpl(def, true);
  return p;
}

export function mode(m: string, scope: ModeScope = "all"): ModeProp {
  return { kind: "mode", scope, mode: ident(m), span: span() };
}

export function service(name: string, selector: string, props: ModeProp[] = []): ServiceDecl {
  return { kind: "service", name: ident(name), selector: tpl(selector), props, span: span() };
}

export function group(name: string, entries: GroupEntry[] = []): GroupDecl {
  return { kind: "group", name: ident(name), entries, span: span() };
}

/** `crit("label", "=", "web", "app")`; a value written `@ns` is a bare parameter reference. */
export function crit(key: CriterionKey, op: CriterionOp, value: string, labelKey?: string): Criterion {
  const c: Criterion = {
    kind: "criterion",
    key,
    keySpan: span(),
    op,
    opSpan: span(),
    value: value.startsWith("@") ? pref(value.slice(1)) : tpl(value, true),
    span: span(),
  };
  if (labelKey !== undefined) c.labelKey = tpl(labelKey);
  return c;
}

export function addr(...items: string[]): AddressList {
  const list: AddressItem[] = items.map((t) => {
    const vh = t.startsWith("vh:");
    return { vh, value: tpl(vh ? t.slice(3) : t), span: span() };
  });
  return { kind: "address", items: list, span: span() };
}

/** `tcp/80`, `udp/53-60`, `8080`, `any`, `tcp/any`, `icmp`. */
export function port(text: string): PortItem {
  const p: PortItem = { proto: null, any: false, span: span() };
  let rest = text;
  const slash = text.indexOf("/");
  if (slash >= 0) {
    p.proto = text.slice(0, slash) as PortItem["proto"];
    rest = text.slice(slash + 1);
  } else if (text === "icmp") {
    p.proto = "icmp";
    rest = "";
  }
  if (rest === "any") {
    p.any = true;
    if (slash < 0) p.proto = "any";
  } else if (rest !== "") {
    const [lo, hi] = rest.split("-");
    p.lo = Number(lo);
    if (hi !== undefined) p.hi = Number(hi);
  }
  return p;
}

export interface RuleOpts {
  apps?: string[];
  ports?: string[];
  learned?: boolean;
  comment?: string;
}

export function rule(id: number, action: "allow" | "deny", from: string[], to: string[], o: RuleOpts = {}): RuleDecl {
  const refs = (names: string[]): GroupRef[] => names.map((n) => ({ name: tpl(n), span: span() }));
  const r: RuleDecl = {
    kind: "rule",
    id,
    idSpan: span(),
    action,
    from: refs(from),
    to: refs(to),
    apps: (o.apps ?? []).map(ident),
    ports: (o.ports ?? []).map(port),
    learned: o.learned ?? false,
    span: span(),
  };
  if (o.comment !== undefined) r.comment = o.comment;
  return r;
}

export function settings(...entries: [string, ...string[]][]): SettingsDecl {
  const list: Setting[] = entries.map(([key, ...values]) => ({
    key: ident(key),
    values: values.map((text) => ({ kind: /^\d+$/.test(text) ? ("number" as const) : ("word" as const), text, span: span() })),
    span: span(),
  }));
  return { kind: "settings", entries: list, span: span() };
}

/**
 * The .nvp abstract syntax tree: what the source says, before names are resolved and values
 * checked. Produced from the CST by compiler/ast/build.ts, printed back by compiler/fmt/.
 * Every node has a span; spans are ignored when two trees are compared for equality.
 */
import type { Span } from "../../common/span.js";

export interface Node {
  span: Span;
}

export interface Ident extends Node {
  text: string;
}

/** `${name}` inside a template, or a bare parameter name used as a value. */
export interface ParamRef extends Node {
  kind: "param-ref";
  name: string;
}

/**
 * A piece of text that may interpolate parameters: `"shop-${env}"` (quoted) or a bare word such as
 * `nv.web.${ns}` (unquoted). `parts` alternate literal text and parameter references.
 */
export interface Template extends Node {
  kind: "template";
  quoted: boolean;
  parts: (string | ParamRef)[];
}

/** A criterion value: a template, a number written bare, or a bare parameter name (`domain = ns`). */
export type Value = Template | ParamRef;

export interface Comment extends Node {
  /** The text after `#`, without the line break. */
  text: string;
}

export interface SourceFile {
  kind: "file";
  path: string;
  items: Item[];
  /** All comments in source order, for the formatter. */
  comments: Comment[];
}

export type Item = PolicyDecl | ImportDecl | ParamDecl | ServiceDecl | GroupDecl | RuleDecl | SettingsDecl;

/** `policy shop` */
export interface PolicyDecl extends Node {
  kind: "policy";
  name: Ident;
}

/** `import "std/net"` or `import "./base.nvp"` */
export interface ImportDecl extends Node {
  kind: "import";
  path: string;
  pathSpan: Span;
}

/** `param ns = "shop-dev"`; no default = must be given with `--set`. */
export interface ParamDecl extends Node {
  kind: "param";
  name: Ident;
  default?: Template;
}

export type ModeScope = "all" | "network" | "process";

/** `mode protect`, `mode network protect`, `mode process monitor` */
export interface ModeProp extends Node {
  kind: "mode";
  scope: ModeScope;
  /** As written (checked against discover|monitor|protect by the checker). */
  mode: Ident;
  /** Present when the mode is a parameter, `mode ${env_mode}`: substituted by the checker. */
  param?: Template;
}

/** `service web = nv.web.${ns} { mode protect }` names NeuVector's auto group nv.<service>.<namespace>. */
export interface ServiceDecl extends Node {
  kind: "service";
  name: Ident;
  selector: Template;
  props: ModeProp[];
}

export const CRITERION_KEYS = [
  "namespace",
  "domain",
  "service",
  "label",
  "ns-label",
  "image",
  "node",
  "container",
] as const;
export type CriterionKey = (typeof CRITERION_KEYS)[number];

/** `!~` and `!regex` are the same operator; `~` = regex, `@` = contains, `^` = prefix (UI shorthand). */
export const CRITERION_OPS = ["=", "!=", "contains", "prefix", "regex", "!regex"] as const;
export type CriterionOp = (typeof CRITERION_OPS)[number];

/** `label tier = "front"`, `image prefix "registry.local/"`, `domain = ns` */
export interface Criterion extends Node {
  kind: "criterion";
  key: CriterionKey;
  keySpan: Span;
  /** The label name for `label` and `ns-label`. */
  labelKey?: Template;
  op: CriterionOp;
  opSpan: Span;
  value: Value;
}

/** One entry of an `address` list, kept as written; the checker classifies and parses it. */
export interface AddressItem extends Node {
  /** `vh:` prefix present. */
  vh: boolean;
  /** Text after any `vh:` prefix: an IP, CIDR, range, DNS name or `*.` wildcard, possibly templated. */
  value: Template;
}

/** `address 10.0.0.0/8, "db.example.com", vh:shop.example.com` */
export interface AddressList extends Node {
  kind: "address";
  items: AddressItem[];
}

export type GroupEntry = Criterion | AddressList | ModeProp;

/** `group frontends { domain = ns; label tier = "front" }` */
export interface GroupDecl extends Node {
  kind: "group";
  name: Ident;
  entries: GroupEntry[];
}

/**
 * A port item. `proto` null = written bare (`8080`, `8000-8080`: tcp). `any` true for `tcp/any`,
 * `udp/any` and the lone `any`. Numbers are as written; the checker bounds them.
 */
export interface PortItem extends Node {
  proto: "tcp" | "udp" | "icmp" | "any" | null;
  any: boolean;
  lo?: number;
  hi?: number;
}

/** A group reference in a rule: a declared name, a built-in, or `nv.<svc>.<ns>` (may be templated). */
export interface GroupRef extends Node {
  name: Template;
}

/** `rule 20 allow api -> db-ext app postgresql port tcp/5432 learned "comment"` */
export interface RuleDecl extends Node {
  kind: "rule";
  id: number;
  idSpan: Span;
  action: "allow" | "deny";
  from: GroupRef[];
  to: GroupRef[];
  apps: Ident[];
  ports: PortItem[];
  /** Learned by Discover mode (nvp learn); affects mode contention. */
  learned: boolean;
  comment?: string;
}

/** A setting value: a bare word (`on`, `strict`), a number, a string or a duration (`5s`). */
export interface SettingValue extends Node {
  kind: "word" | "number" | "string" | "duration";
  text: string;
}

export interface Setting extends Node {
  key: Ident;
  values: SettingValue[];
}

/** `settings { xff on; contention strict }` */
export interface SettingsDecl extends Node {
  kind: "settings";
  entries: Setting[];
}

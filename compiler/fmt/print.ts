/**
 * The canonical text of AST pieces, without comments or layout (format.ts adds those). Printing is
 * the inverse of parsing: parse(print(x)) gives x back, up to spans; the only deliberate changes are
 * spellings that mean the same (see docs/language.md, "Formatting").
 */
import { findApp } from "../../common/apps.js";
import type {
  AddressList, Criterion, GroupEntry, Ident, ModeProp, ParamRef, PortItem, RuleDecl, Setting, SettingValue, Template, Value,
} from "../ast/types.js";

/** Integers as digits: `String(1e21)` would print an exponent the lexer cannot read back. */
export function intText(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : Number.isFinite(n) ? BigInt(Math.trunc(n)).toString() : "0";
}

/** Escape for a `"…"` string: the lexer's escapes, and `\${` so literal text never turns into a parameter. */
function escapeLiteral(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, "\\${");
}

/** Adjacent literal parts joined, empty ones dropped: `"a" "${x}"` prints as one run. */
function runs(parts: readonly (string | ParamRef)[]): (string | ParamRef)[] {
  const out: (string | ParamRef)[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === "string") {
      if (p === "") continue;
      if (typeof last === "string") out[out.length - 1] = last + p;
      else out.push(p);
    } else {
      out.push(p);
    }
  }
  return out;
}

export function quoteString(s: string): string {
  return `"${escapeLiteral(s)}"`;
}

export function templateText(t: Template): string {
  if (!t.quoted) return runs(t.parts).map((p) => (typeof p === "string" ? p : `\${${p.name}}`)).join("");
  return `"${runs(t.parts).map((p) => (typeof p === "string" ? escapeLiteral(p) : `\${${p.name}}`)).join("")}"`;
}

export function valueText(v: Value): string {
  return v.kind === "param-ref" ? v.name : templateText(v);
}

/** Known applications in NeuVector's spelling (`postgresql` → `PostgreSQL`); aliases and unknown names as written. */
export function appText(app: Ident): string {
  const info = findApp(app.text);
  if (!info) return app.text;
  return info.name.toLowerCase() === app.text.toLowerCase() ? info.name : app.text.toLowerCase();
}

export function portText(p: PortItem): string {
  const range = `${intText(p.lo ?? 0)}${p.hi === undefined ? "" : `-${intText(p.hi)}`}`;
  switch (p.proto) {
    case null:
      return range;
    case "any":
      return "any";
    case "icmp":
      return "icmp";
    default:
      return `${p.proto}/${p.any ? "any" : range}`;
  }
}

export function modeText(m: ModeProp): string {
  return m.scope === "all" ? `mode ${m.mode.text}` : `mode ${m.scope} ${m.mode.text}`;
}

export function criterionText(c: Criterion): string {
  const label = c.labelKey ? ` ${templateText(c.labelKey)}` : "";
  return `${c.key}${label} ${c.op} ${valueText(c.value)}`;
}

export function addressItems(a: AddressList): string[] {
  return a.items.map((i) => `${i.vh ? "vh:" : ""}${templateText(i.value)}`);
}

export function entryText(e: GroupEntry): string {
  switch (e.kind) {
    case "criterion":
      return criterionText(e);
    case "address":
      return `address ${addressItems(e).join(", ")}`;
    case "mode":
      return modeText(e);
  }
}

function settingValueText(v: SettingValue): string {
  return v.kind === "string" ? quoteString(v.text) : v.text;
}

export function settingText(s: Setting): string {
  return `${s.key.text} ${s.values.map(settingValueText).join(", ")}`;
}

/** `rule 25 allow web, api -> db apps redis, http ports tcp/6379, udp/53 learned "why"` */
export function ruleText(r: RuleDecl): string {
  const out = [`rule ${intText(r.id)} ${r.action} ${r.from.map((g) => templateText(g.name)).join(", ")} ->`,
    r.to.map((g) => templateText(g.name)).join(", ")];
  if (r.apps.length) out.push(`${r.apps.length > 1 ? "apps" : "app"} ${r.apps.map(appText).join(", ")}`);
  if (r.ports.length) out.push(`${r.ports.length > 1 ? "ports" : "port"} ${r.ports.map(portText).join(", ")}`);
  if (r.learned) out.push("learned");
  if (r.comment !== undefined) out.push(quoteString(r.comment));
  return out.join(" ");
}

/**
 * The name pass: what the files declare, gathered across all files in load order, with duplicates,
 * reserved group names and conflicting policy names reported. Later passes see only the first
 * declaration of each name, so one mistake yields one error.
 */
import type { Span } from "../../common/span.js";
import type { GroupDecl, ParamDecl, PolicyDecl, RuleDecl, ServiceDecl, SettingsDecl, SourceFile } from "../ast/types.js";
import { BUILTIN_GROUPS } from "../model.js";
import { type Diags, q } from "./diag.js";

export interface Declarations {
  policy?: PolicyDecl;
  params: ParamDecl[];
  groups: (GroupDecl | ServiceDecl)[];
  rules: RuleDecl[];
  settings: SettingsDecl[];
}

export function collectDeclarations(files: readonly SourceFile[], d: Diags): Declarations {
  const out: Declarations = { params: [], groups: [], rules: [], settings: [] };
  const paramNames = new Map<string, Span>();
  const groupNames = new Map<string, GroupDecl | ServiceDecl>();
  for (const file of files) {
    for (const item of file.items) {
      switch (item.kind) {
        case "policy":
          if (!out.policy) out.policy = item;
          else if (out.policy.name.text !== item.name.text) {
            d.error("NV2106", {
              span: item.name.span,
              message: `policy is named both ${q(out.policy.name.text)} and ${q(item.name.text)}`,
              label: "second policy name",
              help: "all files of a policy share one name: keep one `policy` line (library files need none)",
              related: [{ span: out.policy.name.span, message: "first named here" }],
            });
          }
          break;
        case "param": {
          const first = paramNames.get(item.name.text);
          if (first) {
            duplicate(d, "parameter", item.name.text, item.name.span, first);
            break;
          }
          paramNames.set(item.name.text, item.name.span);
          out.params.push(item);
          break;
        }
        case "group":
        case "service": {
          const name = item.name.text;
          const first = groupNames.get(name);
          if (first) {
            duplicate(d, item.kind, name, item.name.span, first.name.span);
            break;
          }
          groupNames.set(name, item);
          if (reserved(item, d)) break;
          out.groups.push(item);
          break;
        }
        case "rule":
          out.rules.push(item);
          break;
        case "settings":
          out.settings.push(item);
          break;
        case "import":
          break;
      }
    }
  }
  return out;
}

function duplicate(d: Diags, what: string, name: string, span: Span, first: Span): void {
  d.error("NV2101", {
    span,
    message: `${what} ${q(name)} is defined twice`,
    label: "second definition",
    help:
      what === "parameter"
        ? "rename one of them; parameter names are unique across all files"
        : "rename one of them; group and service names share one namespace across all files",
    related: [{ span: first, message: `${q(name)} is first defined here` }],
  });
}

function reserved(item: GroupDecl | ServiceDecl, d: Diags): boolean {
  const name = item.name.text;
  const builtin = (BUILTIN_GROUPS as readonly string[]).includes(name);
  if (!builtin && !name.startsWith("nv.")) return false;
  d.error("NV2105", {
    span: item.name.span,
    message: `${q(name)} is a reserved group name`,
    label: builtin ? "built-in group" : "reserved prefix `nv.`",
    help: builtin
      ? `\`${name}\` is built in and can be used in rules as is; pick another name for this ${item.kind}`
      : `names starting with \`nv.\` are NeuVector's service groups; declare \`service <name> = ${name} { ... }\` instead`,
  });
  return true;
}

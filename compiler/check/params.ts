/**
 * Parameters: declared defaults, `--set` overrides, and substitution of `${name}` in every template
 * (selectors, group references, criteria values, label keys, address items). A default may refer to
 * other parameters; a cycle is reported once. A failed substitution yields undefined so callers skip
 * the value without piling a second error on top of the first.
 */
import type { ParamDecl, Template, Value } from "../ast/types.js";
import { Diags, q, suggest } from "./diag.js";

/** The longest value a parameter or template may expand to (NV2111): far above any selector or name. */
export const MAX_PARAM_VALUE = 65_536;

export class Params {
  private readonly decls = new Map<string, ParamDecl>();
  private readonly resolved = new Map<string, string | undefined>();
  private readonly visiting = new Set<string>();

  constructor(
    decls: readonly ParamDecl[],
    private readonly overrides: Readonly<Record<string, string>>,
    private readonly d: Diags,
  ) {
    // Duplicates were reported by the name pass; the first declaration wins.
    for (const p of decls) if (!this.decls.has(p.name.text)) this.decls.set(p.name.text, p);
    const declared = [...this.decls.keys()].sort();
    for (const key of Object.keys(overrides).sort()) {
      if (this.decls.has(key)) continue;
      const list = declared.length > 0 ? `declared parameters: ${declared.map((n) => `\`${n}\``).join(", ")}` : "the policy declares no parameters";
      this.d.errorNoSpan("NV2107", `\`--set ${key}\` names a parameter the policy does not declare`, list);
    }
    for (const p of this.decls.values()) this.resolve(p.name.text);
  }

  has(name: string): boolean {
    return this.decls.has(name);
  }

  /** Final values of every parameter that has one, for the model. */
  values(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...this.decls.keys()].sort()) {
      const v = this.resolved.get(name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private resolve(name: string): string | undefined {
    if (this.resolved.has(name)) return this.resolved.get(name);
    const decl = this.decls.get(name);
    if (!decl) return undefined;
    let value: string | undefined;
    if (Object.hasOwn(this.overrides, name)) {
      value = this.overrides[name];
    } else if (decl.default) {
      this.visiting.add(name);
      value = this.subst(decl.default);
      this.visiting.delete(name);
    } else {
      this.d.error("NV2108", {
        span: decl.name.span,
        message: `parameter ${q(name)} has no default and is not set`,
        label: "required parameter",
        help: `give it a value with \`--set ${name}=<value>\`, or a default: \`param ${name} = "..."\``,
      });
    }
    this.resolved.set(name, value);
    return value;
  }

  /** Substitute every `${name}` in a template; undefined when a parameter is unknown or unset. */
  subst(t: Template): string | undefined {
    // Fast path: most templates are one literal (100k-rule policies reference groups by plain name).
    if (t.parts.length === 1 && typeof t.parts[0] === "string") return t.parts[0];
    let out = "";
    let ok = true;
    for (const part of t.parts) {
      if (typeof part === "string") {
        out += part;
        continue;
      }
      const v = this.lookup(part.name, part.span, false);
      if (v === undefined) ok = false;
      else if (out.length + v.length > MAX_PARAM_VALUE) {
        // Checked before concatenating: 40 chained doublings would otherwise build a 2^40-character string.
        this.d.error("NV2111", {
          span: part.span,
          message: `expanding ${q("${" + part.name + "}")} makes a value longer than ${MAX_PARAM_VALUE} characters`,
          label: `${out.length + v.length} characters`,
          help: "parameters that refer to each other grow with every reference; shorten the defaults or the chain",
        });
        return undefined;
      } else out += v;
    }
    return ok ? out : undefined;
  }

  /** A criterion value: a template, or a bare parameter name (`domain = ns`). */
  value(v: Value): string | undefined {
    if (v.kind === "template") return this.subst(v);
    // A bare `any` reads as the literal match-everything value unless a parameter is called so.
    if (v.name === "any" && !this.decls.has("any")) return "any";
    return this.lookup(v.name, v.span, true);
  }

  private lookup(name: string, span: ParamDecl["span"], bare: boolean): string | undefined {
    if (!this.decls.has(name)) {
      const fallback = bare
        ? `to use the text itself, quote it: \`"${name}"\`; or declare \`param ${name} = "..."\``
        : `declare it with \`param ${name} = "..."\``;
      this.d.error("NV2104", {
        span,
        message: `parameter ${q(name)} is not defined`,
        label: "unknown parameter",
        help: suggest(name, this.decls.keys(), fallback),
      });
      return undefined;
    }
    if (this.visiting.has(name)) {
      this.d.error("NV2109", {
        span,
        message: `the default of parameter ${q(name)} refers to itself`,
        label: "cycle through this reference",
        help: "give one of the parameters in the cycle a literal default",
      });
      return undefined;
    }
    return this.resolve(name);
  }
}

/**
 * Workload criteria values, checked the way NeuVector's controller validates group criteria
 * (validateGroupConfigCriteria): regexes must be valid RE2, glob values with `=`/`!=` cannot also
 * carry `^`/`$` anchors (EqualMatch), and only `=`/`!=` take an empty value. `domain` is folded into
 * `namespace` because both match the workload namespace.
 */
import type { Criterion } from "../ast/types.js";
import type { CriterionKeyModel, CriterionModel } from "../model.js";
import { type Diags, q } from "./diag.js";
import type { Params } from "./params.js";
import { checkRegex } from "./regex-re2.js";

export function checkCriterion(c: Criterion, params: Params, d: Diags): CriterionModel | undefined {
  const value = params.value(c.value);
  let labelKey: string | undefined;
  if (c.labelKey) {
    labelKey = params.subst(c.labelKey);
    if (labelKey === undefined) return undefined;
    if (labelKey.length === 0) {
      d.error("NV2209", {
        span: c.labelKey.span,
        message: `${c.key} criterion has an empty label name`,
        label: "empty label name",
        help: `name the label: \`${c.key} app = "web"\``,
      });
      return undefined;
    }
  }
  if (value === undefined) return undefined;
  const span = c.value.span;
  if (value === "" && c.op !== "=" && c.op !== "!=") {
    d.error("NV2209", {
      span,
      message: `operator ${q(c.op)} needs a non-empty value`,
      label: "empty value",
      help: "only `=` and `!=` accept an empty value (an unset or empty attribute)",
    });
    return undefined;
  }
  if (c.op === "regex" || c.op === "!regex") {
    const r = checkRegex(value);
    if (!r.ok) {
      d.error("NV2207", { span, message: r.error, label: "not valid RE2", help: r.help });
      return undefined;
    }
  }
  if ((c.op === "=" || c.op === "!=") && /[*?]/.test(value) && /[\^$]/.test(value)) {
    d.error("NV2208", {
      span,
      message: `glob value ${q(value)} contains \`^\` or \`$\``,
      label: "anchors in a glob",
      help: "`=` and `!=` globs are always anchored; drop `^`/`$`, or use `regex` for a regular expression",
    });
    return undefined;
  }
  const key: CriterionKeyModel = c.key === "domain" ? "namespace" : c.key;
  const m: CriterionModel = { key, op: c.op, value };
  if (labelKey !== undefined) m.labelKey = labelKey;
  return m;
}

/** Negative operators: within a key class, criteria are AND'd only when all are negative. */
export function isNegative(op: CriterionModel["op"]): boolean {
  return op === "!=" || op === "!regex";
}

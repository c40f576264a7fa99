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

// Negative operators (AND'd within a key class only when all are negative): one definition for the
// checker, the reference evaluator and the runtime.
export { isNegative } from "../../common/criteria.js";

/**
 * Criteria regexes run as JavaScript here and as Go RE2 in NeuVector. A pattern is accepted only if
 * JavaScript compiles it and it means the same in both: no backreferences or lookaround (RE2 lacks
 * them), no letter escapes the two read differently (JavaScript takes an unknown `\A` as a plain
 * `A`; RE2 anchors or rejects it), no class starting with `]` (`[]a]` is empty-class-then-`a]` in
 * JavaScript, the class {`]`,`a`} in RE2). The scan skips escapes and character classes.
 */
export type RegexCheck = { ok: true } | { ok: false; error: string; help: string };

/** Letter escapes with one meaning in both dialects (`\x` is followed by two hex digits). */
const SHARED_LETTER_ESCAPES = new Set(["f", "n", "r", "t", "v", "d", "D", "s", "S", "w", "W", "b", "B", "x"]);

export function checkRegex(source: string): RegexCheck {
  try {
    new RegExp(source);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "") : String(e);
    return {
      ok: false,
      error: `regular expression \`${source}\` does not compile: ${why.charAt(0).toLowerCase()}${why.slice(1)}`,
      help: /\(\?P</.test(source)
        ? "write named groups as `(?<name>...)`"
        : "fix the pattern; it is matched unanchored, like Go's regexp.MatchString",
    };
  }
  const bad = firstUnsupported(source);
  if (bad) {
    return {
      ok: false,
      error: `regular expression \`${source}\` uses ${bad}`,
      help: "NeuVector evaluates regexes with Go RE2: write them without backreferences, lookaround and unusual escapes",
    };
  }
  return { ok: true };
}

function firstUnsupported(s: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      const n = s[i + 1] ?? "";
      if (/[1-9]/.test(n)) return `a backreference \`\\${n}\`, which RE2 does not support`;
      if (n === "k" && s[i + 2] === "<") return "a named backreference `\\k<...>`, which RE2 does not support";
      if (/[a-zA-Z]/.test(n) && !SHARED_LETTER_ESCAPES.has(n)) return `\`\\${n}\`, which JavaScript and RE2 read differently`;
      if (n === "x" && !/^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) return "`\\x` without two hex digits, which JavaScript and RE2 read differently";
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      const first = s[i + 1] === "^" ? s[i + 2] : s[i + 1];
      if (first === "]") return "a class starting with `]`, which JavaScript and RE2 read differently (escape it: `\\]`)";
      continue;
    }
    if (c === "(" && s[i + 1] === "?") {
      const rest = s.slice(i + 2, i + 4);
      if (rest.startsWith("=")) return "a lookahead `(?=`, which RE2 does not support";
      if (rest.startsWith("!")) return "a negative lookahead `(?!`, which RE2 does not support";
      if (rest === "<=") return "a lookbehind `(?<=`, which RE2 does not support";
      if (rest === "<!") return "a negative lookbehind `(?<!`, which RE2 does not support";
    }
  }
  return undefined;
}

/**
 * Warnings about policies that check but probably do not say what their author meant (all but the
 * shadow lint, which has its own file): NeuVector's label OR surprise, groups that match nothing or
 * are never used, `any -> any` allows, and Discover mode left on.
 */
import type { Span } from "../../common/span.js";
import type { ModeProp } from "../ast/types.js";
import { type Diags, q } from "./diag.js";
import { emptyReason } from "./group-facts.js";
import type { GroupInfo } from "./groups.js";
import type { CheckedRule } from "./rules.js";
import type { CheckedSettings } from "./settings.js";
import { isNegative } from "./criteria.js";
import { isStdPath } from "./import-path.js";

export function lintGroups(groups: readonly GroupInfo[], d: Diags): void {
  for (const g of groups) {
    if (!g.decl || g.broken) continue;
    lintLabelOr(g, "label", d);
    lintLabelOr(g, "ns-label", d);
    const why = emptyReason(g.model);
    if (why !== undefined) {
      d.warn("NV2303", {
        span: g.decl.name.span,
        message: `group ${q(g.model.name)} can match nothing`,
        label: "matches no endpoint",
        help: `${why}; rules naming it never match`,
      });
    }
    if (!g.used && !g.library && g.model.kind !== "service") {
      d.warn("NV2306", {
        span: g.decl.name.span,
        message: `group ${q(g.model.name)} is never used`,
        label: "no rule names it",
        help: "use it in a rule or remove it",
      });
    }
  }
}

/**
 * NeuVector treats all pod-label criteria as one key: two positive criteria on different label
 * names select workloads carrying either label, which reads like "both" but is "either".
 */
function lintLabelOr(g: GroupInfo, key: "label" | "ns-label", d: Diags): void {
  const criteria = g.model.criteria ?? [];
  let first: { name: string; value: string; span: Span } | undefined;
  for (let i = 0; i < criteria.length; i++) {
    const c = criteria[i]!;
    if (c.key !== key || isNegative(c.op) || c.labelKey === undefined) continue;
    const span = g.criterionSpans[i]!;
    if (!first) {
      first = { name: c.labelKey, value: c.value, span };
      continue;
    }
    if (c.labelKey === first.name) continue;
    d.warn("NV2301", {
      span,
      message: `${key} criteria on ${q(first.name)} and ${q(c.labelKey)} are OR'd, not AND'd`,
      label: `selects workloads with either ${key}`,
      help: `NeuVector combines all ${key} criteria of a group with OR, so this selects ${first.name}=${first.value} or ${c.labelKey}=${c.value}; to require both, select on one ${key} (a regex can cover several values) and narrow with another key such as namespace or service, or split it into two groups`,
      related: [{ span: first.span, message: `first ${key} criterion` }],
    });
    return;
  }
}

export function lintRules(rules: readonly CheckedRule[], groups: readonly GroupInfo[], d: Diags): void {
  const isAny = (i: number) => groups[i]?.model.builtin === "any";
  for (const r of rules) {
    const m = r.model;
    if (m.action !== "allow" || !m.from.some(isAny) || !m.to.some(isAny)) continue;
    const narrowed = m.ports.length > 0 || m.apps.length > 0;
    d.warn("NV2304", {
      span: r.decl.span,
      message: `rule ${m.id} allows \`any\` to \`any\``,
      label: narrowed ? "every source to every destination on these ports/apps" : "allows all traffic",
      help: "every workload, node and outside address is in `any`; name the groups that need this traffic",
    });
  }
}

export function lintDiscover(groups: readonly GroupInfo[], settings: CheckedSettings, d: Diags): void {
  for (const g of groups) {
    if (g.modeProp && g.model.mode === "discover" && !isStdPath(g.modeProp.span.file)) discoverWarning(g.modeProp, `service ${q(g.model.name)} is in Discover mode`, d);
  }
  for (const key of ["default-mode", "nodes-mode"]) {
    const s = settings.explicit.get(key);
    if (s?.value !== "discover") continue;
    const whom = key === "default-mode" ? "service groups without a mode are" : "`nodes` is";
    d.warn("NV2305", {
      span: s.entry.span,
      message: `${whom} in Discover mode`,
      label: "Discover mode",
      help: "Discover allows and learns every unmatched connection; use `monitor` to report or `protect` to block once rules are in place",
    });
  }
}

function discoverWarning(prop: ModeProp, message: string, d: Diags): void {
  d.warn("NV2305", {
    span: prop.span,
    message,
    label: "Discover mode",
    help: "Discover allows and learns every unmatched connection; switch to `mode monitor` to report or `mode protect` to block",
  });
}

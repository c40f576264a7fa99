/**
 * Rules: ids unique across every file and in range, group references resolved, ports and
 * applications normalized. The result is in evaluation order (ascending id). Rules are handled in
 * id order so implicit groups get their model indexes in evaluation order, whatever the file order.
 */
import type { RuleDecl } from "../ast/types.js";
import type { RuleModel } from "../model.js";
import { type Diags, q } from "./diag.js";
import type { GroupTable } from "./groups.js";
import { checkApps, checkPorts } from "./ports-apps.js";

/** Rule ids travel as u32 in the decision table and events; 0 is the implicit rule. */
export const MAX_RULE_ID = 0xffffffff;

export interface CheckedRule {
  decl: RuleDecl;
  model: RuleModel;
}

export function checkRules(decls: readonly RuleDecl[], groups: GroupTable, d: Diags): CheckedRule[] {
  const sorted = [...decls].sort((a, b) => a.id - b.id);
  const out: CheckedRule[] = [];
  let prev: RuleDecl | undefined;
  for (const r of sorted) {
    const errorsBefore = d.errors;
    if (prev && prev.id === r.id) {
      // The sort is stable, so `prev` is the first definition in file order.
      d.error("NV2102", {
        span: r.idSpan,
        message: `rule id ${q(String(r.id))} is used twice`,
        label: "duplicate id",
        help: "rule ids decide evaluation order and must be unique across all files; renumber one of them",
        related: [{ span: prev.idSpan, message: `rule ${r.id} is first defined here` }],
      });
    } else if (!Number.isSafeInteger(r.id) || r.id < 1 || r.id > MAX_RULE_ID) {
      d.error("NV2110", {
        span: r.idSpan,
        message: `rule id ${q(String(r.id))} is out of range`,
        label: "invalid id",
        help: `rule ids are 1..${MAX_RULE_ID}; 0 is the implicit rule`,
      });
    }
    if (!prev || prev.id !== r.id) prev = r;
    if (r.learned && r.action === "deny") {
      // Discover mode learns allow rules only (reference §1); mode contention reads `learned` on allows.
      d.error("NV2219", {
        span: r.span,
        message: `deny rule ${r.id} is marked \`learned\``,
        label: "only allow rules are learned",
        help: "Discover mode learns allow rules only: drop `learned`, or make the rule an allow",
      });
    }
    const from = resolveAll(r.from, groups);
    const to = resolveAll(r.to, groups);
    const ports = checkPorts(r.ports, d);
    const apps = checkApps(r.apps, d);
    if (d.errors > errorsBefore || !from || !to || !ports || !apps) continue;
    const model: RuleModel = { id: r.id, action: r.action, learned: r.learned, from, to, apps, ports, span: r.span };
    if (r.comment !== undefined) model.comment = r.comment;
    out.push({ decl: r, model });
  }
  return out;
}

/** Group indexes, deduplicated in first-mention order; undefined if any reference failed. */
function resolveAll(refs: RuleDecl["from"], groups: GroupTable): number[] | undefined {
  // One reference is the common case: an exact one-element array (the model keeps it, and a
  // pushed-to empty array would keep room for 17).
  if (refs.length === 1) {
    const i = groups.resolve(refs[0] as RuleDecl["from"][number]);
    return i === undefined ? undefined : [i];
  }
  const out: number[] = [];
  let ok = true;
  for (const ref of refs) {
    const i = groups.resolve(ref);
    if (i === undefined) ok = false;
    else if (!out.includes(i)) out.push(i);
  }
  return ok ? out : undefined;
}

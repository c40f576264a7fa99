/** Shared by the engine tests: the reference verdict reduced to what the engine reports. */
import type { LookupResult, Verdict } from "../../common/schema.js";
import type { Decision } from "../../runtime/index.js";

function lookup(r: LookupResult): LookupResult {
  const out: LookupResult = { action: r.action, rule: r.rule };
  if (r.mode !== undefined) out.mode = r.mode;
  if (r.awaiting !== undefined) out.awaiting = r.awaiting;
  return out;
}

export function referenceDecision(v: Verdict): Decision {
  const d: Decision = lookup(v);
  if (v.xff) d.xff = lookup(v.xff);
  return d;
}

/**
 * S4: policy modes, group mode contention and the action table. Written as the table in
 * docs/semantics.md reads, so every cell of NeuVector's contention table (reference §1) can be
 * checked against it line by line.
 */
import { MODE_RANK, type Action, type Mode } from "../../common/schema.js";
import type { PolicyModel, RuleModel } from "../model.js";
import type { Endpoint } from "./endpoints.js";

/**
 * A workload's mode: the declared mode of its service group nv.<service>.<namespace> (the first
 * such group that declares one), else `default-mode`. Nodes, internal and external endpoints are
 * unmanaged: undefined. (NeuVector gives the `nodes` group a mode for process and file profiles
 * only; fillAddrForGroup puts no PolicyMode on host addresses, so adjustAction treats them as "".)
 */
export function endpointMode(model: PolicyModel, ep: Endpoint): Mode | undefined {
  const w = ep.workload;
  if (!w) return undefined;
  const declared = model.groups.find(
    (g) =>
      g.kind === "service" &&
      g.mode !== undefined &&
      g.service?.service === w.service &&
      g.service.namespace === w.namespace,
  );
  return declared?.mode ?? model.settings.defaultMode;
}

export interface EffectiveMode {
  /** The mode the action table uses. */
  mode: Mode;
  /** False when neither side is managed: the verdict then reports no mode. */
  reported: boolean;
  /** How it was chosen, for the trace. */
  why: string;
}

export function effectiveMode(model: PolicyModel, src: Mode | undefined, dst: Mode | undefined): EffectiveMode {
  const { contention, defaultMode } = model.settings;
  if (src === undefined && dst === undefined) {
    return { mode: defaultMode, reported: false, why: `both sides unmanaged: default-mode ${defaultMode}` };
  }
  if (src === undefined || dst === undefined) {
    const m = (src ?? dst) as Mode;
    return { mode: m, reported: true, why: `only the ${src ? "source" : "destination"} is managed: ${m}` };
  }
  // Basic: the less restrictive wins; strict: the more restrictive wins.
  const srcWins = contention === "basic" ? MODE_RANK[src] <= MODE_RANK[dst] : MODE_RANK[src] >= MODE_RANK[dst];
  const m = srcWins ? src : dst;
  return {
    mode: m,
    reported: true,
    why: `${contention} contention of source ${src} and destination ${dst}: ${m}`,
  };
}

const IMPLICIT: Record<Mode, Action> = { discover: "learn", monitor: "violate", protect: "deny" };

/**
 * The action table of S4 (before the nodes rule). `rule` undefined = the implicit rule.
 * Pending is decided by the caller before modes matter.
 */
export function ruleAction(
  rule: RuleModel | undefined,
  eff: Mode,
  src: Mode | undefined,
  dst: Mode | undefined,
): { action: Action; why: string } {
  if (rule === undefined) {
    return { action: IMPLICIT[eff], why: `implicit rule in ${eff} mode: ${IMPLICIT[eff]}` };
  }
  if (rule.action === "deny") {
    const action: Action = eff === "protect" ? "deny" : "violate";
    return { action, why: `deny rule ${rule.id} in ${eff} mode: ${action}` };
  }
  if (rule.learned) {
    const discover = src === "discover" || dst === "discover";
    const action: Action = discover ? "learn" : "allow";
    return {
      action,
      why: `learned allow rule ${rule.id}${discover ? " with a side in discover" : ""}: ${action}`,
    };
  }
  return { action: "allow", why: `allow rule ${rule.id}: allow` };
}

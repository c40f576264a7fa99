/**
 * NV2307: rules that name traffic NeuVector's data path opens before any rule (docs/semantics.md
 * S3.1), so part of what they say can never take effect. Users write rules for cloud metadata
 * (std/net's `cloud-metadata`), which is link-local: without `link-local-policy on` such a rule is
 * dead for those addresses, and the warning names one as a witness.
 */
import { formatIp } from "../../common/ip.js";
import { groupsRulesName, LINK_LOCAL } from "../reference/carve-outs.js";
import { type Diags, q } from "./diag.js";
import type { GroupInfo } from "./groups.js";
import type { CheckedRule } from "./rules.js";
import type { CheckedSettings } from "./settings.js";

/** The lowest link-local address of an address group's IP entries, if any. */
function linkLocalWitness(g: GroupInfo): bigint | undefined {
  let best: bigint | undefined;
  for (const a of g.model.addresses ?? []) {
    if (a.kind !== "ip" || a.hi < LINK_LOCAL.lo || a.lo > LINK_LOCAL.hi) continue;
    const w = a.lo > LINK_LOCAL.lo ? a.lo : LINK_LOCAL.lo;
    if (best === undefined || w < best) best = w;
  }
  return best;
}

/**
 * NV2308: on kubernetes with basic contention a flow to a Service cluster IP is open at the
 * client (S3.1: ApplyPolicyAtIngress, and no check_sgm), so a rule whose every destination is an
 * `nv.ip.<svc>.<ns>` group never decides anything — typically a rule carried over from OpenShift.
 */
export function lintServiceIpRules(rules: readonly CheckedRule[], groups: readonly GroupInfo[], settings: CheckedSettings, d: Diags): void {
  if (settings.model.extra.platform === "openshift" || settings.model.contention === "strict") return;
  // Most policies have no service-IP group: skip the per-rule walk (100k rules: 100k arrays).
  if (!groups.some((g) => g && g.model.kind === "service-ip")) return;
  // A cluster IP that a DNS name of a group some rule names resolves to is checked at the client (`ipv4_ent`).
  const named = groupsRulesName(rules.map((r) => r.model));
  if (groups.some((g, i) => g && !g.broken && named.has(i) && (g.model.addresses ?? []).some((e) => e.kind === "dns" || e.kind === "vh"))) return;
  for (const r of rules) {
    const to = r.model.to.map((i) => groups[i]);
    if (to.length === 0 || !to.every((g) => g && !g.broken && g.model.kind === "service-ip")) continue;
    d.warn("NV2308", {
      span: r.decl.span,
      message: `rule ${r.model.id} can never take effect: its destinations are Service cluster IPs`,
      label: "flows to cluster IPs are open at the client on kubernetes",
      help: "NeuVector's Kubernetes flavour decides east-west traffic at the destination pod (ApplyPolicyAtIngress): name the service group `nv.<svc>.<ns>` instead, or set `settings { platform openshift }` if the cluster is OpenShift",
    });
  }
}

export function lintLinkLocal(rules: readonly CheckedRule[], groups: readonly GroupInfo[], settings: CheckedSettings, d: Diags): void {
  if (settings.model.extra["link-local-policy"] === "on") return;
  // Each group's witness once (null: none), not once per rule naming it: a 100k-rule ClassBench
  // set names 88k address groups 200k times.
  const witnesses = groups.map((g) => (g && !g.broken ? (linkLocalWitness(g) ?? null) : null));
  for (const r of rules) {
    for (const side of [r.model.from, r.model.to]) {
      const at = side.find((i) => witnesses[i] != null);
      if (at === undefined) continue;
      const hit = groups[at] as GroupInfo;
      const witness = formatIp(witnesses[at] as bigint);
      d.warn("NV2307", {
        span: r.decl.span,
        message: `rule ${r.model.id} cannot take effect for ${q(hit.model.name)}'s link-local addresses`,
        label: `a flow with ${witness} is open before any rule`,
        help: "NeuVector opens 169.254.0.0/16 peers before looking at rules (dpi_policy_lookup_by_key); add `settings { link-local-policy on }` to police them",
      });
      break;
    }
  }
}

/**
 * S3.1: NeuVector's carve-outs, read from its data path — traffic it never matches against rules.
 * `dpi_policy_lookup` looks up TCP, UDP and ICMP only; `dpi_policy_lookup_by_key` opens link-local
 * peers first; with ICMP policy off (`CTRL_EN_ICMP_POLICY` unset) `dpi_policy_cfg` expands
 * protocol-less rules to TCP and UDP alone and `dpi_add_default_policy` lets other ICMP pass.
 */
import { isV4, parseIpRange, type IpRange } from "../../common/ip.js";
import type { PolicyModel, RuleModel } from "../model.js";
import type { FlowProto } from "./flow-input.js";
import type { DnsTable } from "../../common/schema.js";
import { resolvesFrom } from "./addresses.js";

const parsed = parseIpRange("169.254.0.0/16");
/** IS_IN_LINKLOCAL (dp/utils/helper.h): IPv4 only, as NeuVector's policy lookup is. */
export const LINK_LOCAL: IpRange = "error" in parsed ? { lo: 0n, hi: -1n } : parsed;

function setting(model: PolicyModel, key: "icmp-policy" | "link-local-policy"): boolean {
  return model.settings.extra[key] === "on";
}

/**
 * S3.1, `platform kubernetes` (NeuVector's ApplyPolicyAtIngress): a flow to a Service's cluster IP
 * is east-west egress to an internal address, which `dpi_policy_lookup_by_key` opens at the client
 * — the server's enforcer decides the connection kube-proxy delivers to a backend pod — unless
 * strict contention makes a Protect client check it too (`check_sgm`: strict and the client's
 * default action is deny, i.e. Protect and interceptable). `srcProtect`: the source is such a workload.
 */
export function serviceIpOpen(model: PolicyModel, srcProtect: boolean): boolean {
  if (model.settings.extra.platform === "openshift") return false;
  return !(model.settings.contention === "strict" && srcProtect);
}

/**
 * S3.1, `platform kubernetes`: `dpi_policy_lookup_by_key` opens a workload's egress to any
 * internal address, not only a cluster IP (row 39 of the fidelity table) — except an address
 * that a name of the policy's FQDN (DNS or vh:) groups resolved to (its `ipv4_ent` lookup in
 * `fqdn_ipv4_map`, which `snooped_fqdn_ipv4_mapping` fills for policy names only). Policy names are
 * those of the rules the enforcer is given (`dpi_policy_cfg` → `config_fqdn_ipv4_mapping`): a
 * group no rule names contributes none.
 */
export function fqdnResolved(model: PolicyModel, dns: DnsTable, ip: bigint): boolean {
  const named = namedGroups(model);
  return model.groups.some((g) => named.has(g.index) && (g.addresses ?? []).some((e) => (e.kind === "dns" || e.kind === "vh") && resolvesFrom(dns, ip, e)));
}

/** Indexes of the groups some rule names, as `from` or `to`: those whose DNS names the enforcer learns. */
export function groupsRulesName(rules: readonly Pick<RuleModel, "from" | "to">[]): Set<number> {
  return new Set(rules.flatMap((r) => [...r.from, ...r.to]));
}

const namedCache = new WeakMap<PolicyModel, ReadonlySet<number>>();

/** groupsRulesName once per model: the reference asks per flow. */
function namedGroups(model: PolicyModel): ReadonlySet<number> {
  let named = namedCache.get(model);
  if (!named) {
    named = groupsRulesName(model.rules);
    namedCache.set(model, named);
  }
  return named;
}

/**
 * S3.1, `platform openshift` (ApplyPolicyAtIngress false): `dpi_policy_lookup_by_key` opens
 * east-west ingress from an internal address into a workload ("east-west ingress traffic is
 * always allowed"), and no enforcer checks a node's or an internal-subnet address's egress, so
 * such a lookup is open — unless strict contention has a Protect destination check it (`check_sgm`).
 */
export function openshiftIngressOpen(model: PolicyModel, srcKind: string, dstKind: string, dstProtect: boolean): boolean {
  if (model.settings.extra.platform !== "openshift" || dstKind !== "workload") return false;
  if (srcKind !== "node" && srcKind !== "internal") return false;
  return !(model.settings.contention === "strict" && dstProtect);
}

/** Is ICMP under network rules (`any` covers it, and unmatched ICMP takes the implicit rule)? */
export function icmpPoliced(model: PolicyModel): boolean {
  return setting(model, "icmp-policy");
}

export function isLinkLocal(ip: bigint): boolean {
  return isV4(ip) && ip >= LINK_LOCAL.lo && ip <= LINK_LOCAL.hi;
}

/** Why a lookup between `src` and `dst` is open before any rule, or undefined when it is not. */
export function openReason(model: PolicyModel, proto: FlowProto, src: bigint, dst: bigint): string | undefined {
  if (typeof proto === "number") return `ip protocol ${proto} is not policed (NeuVector looks up TCP, UDP and ICMP only): open`;
  if (setting(model, "link-local-policy")) return undefined;
  const which = isLinkLocal(src) ? "source" : isLinkLocal(dst) ? "destination" : undefined;
  return which && `link-local ${which} (169.254.0.0/16) is open before any rule; \`link-local-policy on\` polices it`;
}

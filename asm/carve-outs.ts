// NeuVector's carve-outs (docs/semantics.md S3.1): traffic its data path never matches against the
// rules. Only TCP, UDP and ICMP are looked up (dpi_policy_lookup), link-local peers are opened
// first (dpi_policy_lookup_by_key), and with ICMP policy off unmatched ICMP meets the default pass
// rule (dpi_add_default_policy). Settings opt a policy into policing the last two.
import { KIND_INTERNAL, KIND_NODE, KIND_WORKLOAD, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "./abi";
import { isV4 } from "./intervals";
import { icmpPolicy, linkLocalPolicy, openshift, strict } from "./table";

@inline function isIcmp(proto: u32): bool {
  return proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

/** IS_IN_LINKLOCAL: 169.254.0.0/16, stored IPv4-mapped (the low 32 bits are the address). */
@inline function linkLocal(ip: usize): bool {
  const lo = load<u64>(ip);
  return isV4(lo, load<u64>(ip, 8)) && (<u32>lo & 0xffff0000) == 0xa9fe0000;
}

/** Is a lookup between the addresses at `src` and `dst` open before any rule? */
export function openBeforeRules(proto: u32, src: usize, dst: usize): bool {
  if (proto != PROTO_TCP && proto != PROTO_UDP && !isIcmp(proto)) return true;
  return !linkLocalPolicy && (linkLocal(src) || linkLocal(dst));
}

/**
 * A flow to a Service cluster IP on kubernetes: NeuVector decides east-west traffic at the
 * destination (ApplyPolicyAtIngress), so `dpi_policy_lookup_by_key` opens it at the client, unless
 * strict contention has a Protect client check it too (`check_sgm`). `srcProtect`: the source is
 * a workload in Protect that can be intercepted.
 */
export function serviceIpOpen(srcProtect: bool): bool {
  return !openshift && !(strict && srcProtect);
}

/**
 * Row 39 of the fidelity table: on kubernetes `dpi_policy_lookup_by_key` opens a workload's egress
 * to any internal address ("east-west egress traffic is always allowed"), not only to a cluster
 * IP — unless the address is one a policy FQDN name resolved to (`ipv4_ent`), or strict
 * contention has a Protect client check it (`check_sgm`). A cluster IP is opened for any source
 * (services.yaml); an internal-subnet address for a workload source, the client NeuVector checks.
 */
export function internalEgressOpen(dstKind: u32, dstSvcIp: bool, dstDns: bool, srcKind: u32, srcProtect: bool): bool {
  if (dstKind != KIND_INTERNAL || dstDns || (!dstSvcIp && srcKind != KIND_WORKLOAD)) return false;
  return serviceIpOpen(srcProtect);
}

/**
 * `platform openshift` applies policy at the source only, so `dpi_policy_lookup_by_key` opens
 * east-west ingress from an internal address (a node or an internal-subnet address, which no
 * enforcer checks on the way out) into a workload — unless strict contention has a Protect
 * destination check it too (`check_sgm`). `dstProtect`: the destination is such a workload.
 */
export function openshiftIngressOpen(srcKind: u32, dstKind: u32, dstProtect: bool): bool {
  return openshift && dstKind == KIND_WORKLOAD && (srcKind == KIND_NODE || srcKind == KIND_INTERNAL) && !(strict && dstProtect);
}

/** Does an ICMP flow no rule matches pass (icmp-policy off) instead of taking the implicit rule? */
@inline export function icmpPasses(proto: u32): bool {
  return !icmpPolicy && isIcmp(proto);
}

/** Can the flow skip the carve-outs (the fast path has none of them)? */
export function plainLookup(proto: u32, src: usize, dst: usize): bool {
  return !icmpPasses(proto) && !openBeforeRules(proto, src, dst);
}

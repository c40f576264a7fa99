/**
 * S1: resolve an address to an endpoint by scanning the inventory in the documented order —
 * workload, node, Service cluster IP, internal subnet, external. Inventory entries that do not parse never match
 * (the inventory loader reports them; the oracle must not crash on them).
 */
import { formatIp, parseIp, parseIpRange } from "../../common/ip.js";
import type { EndpointKind, Inventory, InventoryNode, InventoryService, Workload } from "../../common/schema.js";
import { parseAddress } from "./flow-input.js";

export interface Endpoint {
  kind: EndpointKind;
  workload?: Workload;
  node?: InventoryNode;
  /** A Service's cluster IP: an internal endpoint in the service's `nv.ip.<svc>.<ns>` groups. */
  service?: InventoryService;
}

function listsIp(ips: readonly string[], ip: bigint): boolean {
  return ips.some((text) => parseIp(text.trim()) === ip);
}

/** True when `ip` lies in one of the inventory's internal subnets (CIDR, range or single IP). */
export function isInternal(inv: Inventory, ip: bigint): boolean {
  return inv.internalSubnets.some((text) => {
    const r = parseIpRange(text.trim());
    return !("error" in r) && ip >= r.lo && ip <= r.hi;
  });
}

/** S1 on a parsed address. Several workloads listing one IP: the first in inventory order wins. */
export function resolveEndpointIp(inv: Inventory, ip: bigint): Endpoint {
  const workload = inv.workloads.find((w) => listsIp(w.ips, ip));
  if (workload) return { kind: "workload", workload };
  const node = inv.nodes.find((n) => listsIp(n.ips, ip));
  if (node) return { kind: "node", node };
  const service = (inv.services ?? []).find((s) => listsIp(s.ips, ip));
  if (service) return { kind: "internal", service };
  return { kind: isInternal(inv, ip) ? "internal" : "external" };
}

/** S1: what an address is. Throws FlowError when `ip` is not an IPv4 or IPv6 address. */
export function resolveEndpoint(inv: Inventory, ip: string): { kind: EndpointKind; workload?: Workload; node?: InventoryNode } {
  return resolveEndpointIp(inv, parseAddress(ip, "address"));
}

/** One line for the trace: `10.0.0.5: workload shop/web-1`. */
export function describeEndpoint(ip: bigint, ep: Endpoint): string {
  const where = ep.workload
    ? `workload ${ep.workload.namespace}/${ep.workload.name}`
    : ep.node
      ? `node ${ep.node.name}`
      : ep.service
        ? `Service ${ep.service.namespace}/${ep.service.name} (cluster IP, unmanaged)`
        : ep.kind === "internal"
        ? "internal address (unmanaged)"
        : "external address (unmanaged)";
  return `${formatIp(ip)}: ${where}`;
}

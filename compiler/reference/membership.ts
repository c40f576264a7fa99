/**
 * S2: which groups an endpoint belongs to. Every group of the model is checked in index order;
 * the result lists only the groups the endpoint is in ("yes") or may be in ("maybe": a vh: group
 * whose address matched while the virtual host is not yet known).
 */
import type { DnsTable, Inventory } from "../../common/schema.js";
import type { GroupModel, PolicyModel } from "../model.js";
import { addressGroupMatch, type Membership } from "./addresses.js";
import { namespaceSelected, workloadSelected } from "./criteria.js";
import type { Endpoint } from "./endpoints.js";
import { parseAddress } from "./flow-input.js";

export interface EvalContext {
  inventory: Inventory;
  dns: DnsTable;
}

export type { Membership };

/**
 * Is the endpoint in one group? undefined = no. `openshiftDst`: the endpoint is a destination
 * under `platform openshift`, where custom groups also hold their namespaces' cluster IPs (S2.10).
 */
export function groupMembership(
  g: GroupModel,
  ctx: EvalContext,
  ip: bigint,
  ep: Endpoint,
  host: string | undefined,
  openshiftDst = false,
): Membership | undefined {
  switch (g.kind) {
    case "builtin":
      switch (g.builtin) {
        case "any":
          return "yes";
        case "containers":
          return ep.kind === "workload" ? "yes" : undefined;
        case "nodes":
          // A host-network workload's address is a host interface too (fillAddrForGroup's nodes entry).
          return ep.kind === "node" || ep.workload?.hostNetwork === true ? "yes" : undefined;
        case "external":
          // Internal-subnet, node and workload addresses are never external (S2.4).
          return ep.kind === "external" ? "yes" : undefined;
        default:
          return undefined;
      }
    case "service": {
      const w = ep.workload;
      const s = g.service;
      return w && s && w.service === s.service && w.namespace === s.namespace ? "yes" : undefined;
    }
    case "service-ip": {
      // S2.10: NeuVector's nv.ip.<svc>.<ns> holds the Service's cluster IPs (createServiceIPGroup).
      const svc = ep.service;
      const s = g.service;
      return svc && s && svc.name === s.service && svc.namespace === s.namespace ? "yes" : undefined;
    }
    case "workload":
      if (openshiftDst && ep.service && namespaceSelected(ep.service.namespace, g.criteria ?? [])) return "yes";
      return ep.workload && workloadSelected(ep.workload, g.criteria ?? []) ? "yes" : undefined;
    case "address":
      // Address entries apply to every endpoint kind: a group may name workload or node IPs.
      return addressGroupMatch(g.addresses ?? [], ip, ctx.dns, host);
  }
}

/** S2 on a parsed address. */
export function membershipsIp(
  model: PolicyModel,
  ctx: EvalContext,
  ip: bigint,
  ep: Endpoint,
  host: string | undefined,
  asDestination = false,
): Map<number, Membership> {
  const out = new Map<number, Membership>();
  const openshiftDst = asDestination && model.settings.extra.platform === "openshift";
  for (const g of model.groups) {
    const m = groupMembership(g, ctx, ip, ep, host, openshiftDst);
    if (m !== undefined) out.set(g.index, m);
  }
  return out;
}

/**
 * S2: group index → "yes" | "maybe" for every group the endpoint is (or may be) in.
 * `endpoint` is resolveEndpoint's answer for `ip`; `host` is the flow's virtual host
 * (undefined = not yet known, "" = none). Throws FlowError when `ip` does not parse.
 */
export function memberships(
  model: PolicyModel,
  ctx: EvalContext,
  ip: string,
  endpoint: Endpoint,
  host: string | undefined,
): Map<number, Membership> {
  return membershipsIp(model, ctx, parseAddress(ip, "address"), endpoint, host);
}

/** Group names for EndpointInfo.groups and the trace; a maybe is marked with `?`. */
export function groupNames(model: PolicyModel, ms: ReadonlyMap<number, Membership>): string[] {
  const names: string[] = [];
  for (const [index, m] of ms) {
    const g = model.groups[index];
    if (g) names.push(m === "maybe" ? `${g.name}?` : g.name);
  }
  return names;
}

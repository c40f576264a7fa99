/**
 * S1.1: host-port mappings, read from NeuVector's controller and agent.
 *
 * - `getMappedPort` (controller/cache/policy.go) turns a rule's ports for a workload into the
 *   host ports that publish them ("the mapping is not ip specific, so ip is ignored"), and
 *   `fillPortsForWorkloadAddress` puts them, with the rule's applications, in the workload
 *   address's `NatPortApp`; `getWorkloadAddress` gives it `NatIP` = every interface address of
 *   the workload's host.
 * - `createWorkloadRule` (agent/policy/network.go) then writes, for the same rule and the same
 *   action (`adjustAction` with the workload as `to`), an IP rule from the source to each NatIP on
 *   those host ports (`createIPRule`), beside the rules the node's own groups give; the data path
 *   takes the first in rule order (`_dpi_policy_lookup_by_key`).
 *
 * So a flow to a node address on a mapped host port meets each rule twice: as the flow to the
 * node, and as the flow to the mapped workload on its container port.
 */
import { parseIp } from "../../common/ip.js";
import type { Inventory, Workload } from "../../common/schema.js";
import type { PolicyModel } from "../model.js";
import { resolveEndpointIp } from "./endpoints.js";
import type { FlowProto } from "./flow-input.js";
import { evaluationOrder, type RuleCheck } from "./rule-match.js";

export interface MappedTarget {
  workload: Workload;
  /** The first of the workload's addresses that resolves to it (S1). */
  ip: bigint;
  containerPort: number;
  hostPort: number;
}

/** A workload's host-port addresses: its node's (by `node` name) and its `hostIP`. */
function hostAddresses(inv: Inventory, w: Workload): bigint[] {
  const node = w.node === "" ? undefined : inv.nodes.find((n) => n.name === w.node);
  const texts = [...(node?.ips ?? []), ...(w.hostIP !== undefined ? [w.hostIP] : [])];
  return texts.map((t) => parseIp(String(t).trim())).filter((ip): ip is bigint => ip !== null);
}

/**
 * The workload whose host port `proto/port` is published on address `dst`: the first in
 * inventory order, among workloads that own an address (a workload without one cannot be the
 * destination of anything). TCP and UDP only, as Kubernetes' host ports that NeuVector polices.
 */
export function mappedWorkload(inv: Inventory, dst: bigint, proto: FlowProto, port: number | undefined): MappedTarget | undefined {
  if ((proto !== "tcp" && proto !== "udp") || port === undefined) return undefined;
  for (const w of inv.workloads) {
    const m = (w.hostPorts ?? []).find((h) => h.protocol === proto && h.hostPort === port);
    if (!m || !hostAddresses(inv, w).includes(dst)) continue;
    const ip = w.ips.map((t) => parseIp(String(t).trim())).find((a) => a !== null && resolveEndpointIp(inv, a).workload === w);
    if (ip === undefined || ip === null) continue;
    return { workload: w, ip, containerPort: m.containerPort, hostPort: port };
  }
  return undefined;
}

/**
 * Which of the two first matches decides: the earlier rule in evaluation order. When it is the
 * same rule both ways, a yes beats a maybe, and the workload's reading wins a tie (the rule was
 * written for the workload; NeuVector's NAT rule carries its mode).
 */
export function pickMapped(model: PolicyModel, node: RuleCheck | undefined, mapped: RuleCheck | undefined): "node" | "mapped" {
  if (!mapped) return "node";
  if (!node) return "mapped";
  if (node.rule !== mapped.rule) {
    const order = evaluationOrder(model);
    return order.indexOf(node.rule) < order.indexOf(mapped.rule) ? "node" : "mapped";
  }
  return mapped.result === "yes" || node.result !== "yes" ? "mapped" : "node";
}

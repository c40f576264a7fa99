/**
 * The inventory's Service externalIPs as the engine holds them (common/abi-packet.ts PH_EXT_IPS):
 * parsed, distinct, sorted ascending as 128-bit addresses, at most the `externalIps` setting. A
 * workload opening a flow to one of them raises k8s-mitm (CVE-2020-8554, docs/threats.md).
 */
import { parseIp } from "../../common/ip.js";
import type { Inventory } from "../../common/schema.js";
import { MODULE_CODES, NvpRuntimeError } from "../errors.js";

export function externalIpList(inv: Inventory, cap: number): bigint[] {
  const ips = new Set<bigint>();
  for (const text of inv.serviceExternalIps ?? []) {
    const ip = parseIp(String(text).trim());
    if (ip !== null) ips.add(ip);
  }
  if (ips.size > cap) {
    throw new NvpRuntimeError(
      MODULE_CODES.inventory,
      `the inventory has ${ips.size} Service externalIPs, more than the packet setting \`externalIps\` (${cap})`,
      "raise the packet setting `externalIps`",
    );
  }
  return [...ips].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

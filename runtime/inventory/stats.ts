/**
 * Counts for the CLI's one-line summary after loading an inventory. Skipped pods are not in the
 * Inventory itself, so the loader passes them in.
 */
import type { Inventory } from "../../common/schema.js";
import type { SkippedPods } from "./collect.js";

export interface InventoryStats {
  workloads: number;
  nodes: number;
  /** Distinct namespaces that have workloads. */
  namespaces: number;
  /** Addresses of workloads and nodes. */
  ips: number;
  skippedPods: SkippedPods & { total: number };
}

export function inventoryStats(inv: Inventory, skipped: SkippedPods = { hostNetwork: 0, noIp: 0, finished: 0 }): InventoryStats {
  let ips = 0;
  const namespaces = new Set<string>();
  for (const w of inv.workloads) {
    ips += w.ips.length;
    namespaces.add(w.namespace);
  }
  for (const n of inv.nodes) ips += n.ips.length;
  return {
    workloads: inv.workloads.length,
    nodes: inv.nodes.length,
    namespaces: namespaces.size,
    ips,
    skippedPods: { ...skipped, total: skipped.hostNetwork + skipped.noIp + skipped.finished },
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `12 workloads in 3 namespaces, 2 nodes; skipped 3 pods (1 host-network, 1 without an IP, 1 finished)` */
export function formatInventoryStats(s: InventoryStats): string {
  const head = `${plural(s.workloads, "workload")} in ${plural(s.namespaces, "namespace")}, ${plural(s.nodes, "node")}`;
  const k = s.skippedPods;
  if (k.total === 0) return head;
  const parts = [
    k.hostNetwork ? `${k.hostNetwork} host-network` : "",
    k.noIp ? `${k.noIp} without an IP` : "",
    k.finished ? `${k.finished} finished` : "",
  ].filter(Boolean);
  return `${head}; skipped ${plural(k.total, "pod")} (${parts.join(", ")})`;
}

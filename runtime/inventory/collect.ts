/**
 * What the format readers collect before merging: entries that still remember where they came
 * from, so the merge can name both places of a duplicate, and owner links that can only be
 * resolved once every source is read.
 */
import { formatIp, parseIp, parseIpv4 } from "../../common/ip.js";
import type { InventoryNode, Workload } from "../../common/schema.js";
import { INVENTORY } from "../../common/codes/input.js";
import { at, Reader, type Loc, type Sink } from "../input/reader.js";
import type { OwnerRef } from "./service-name.js";

export interface WorkloadEntry {
  /** Everything but the fields the merge derives (service when not given, nsLabels). */
  workload: Omit<Workload, "service" | "nsLabels"> & { service?: string };
  owner?: OwnerRef;
  /** Namespace labels given on the workload itself; they replace the namespace's. */
  nsLabels?: Record<string, string>;
  loc: Loc;
  /** Where each of `workload.ips` was written, index for index. */
  ipLocs: Loc[];
  /** Where each of `workload.hostPorts` was written. */
  hostPortLocs?: Loc[];
}

export interface NodeEntry {
  node: InventoryNode;
  loc: Loc;
  ipLocs: Loc[];
}

export interface ServiceEntry {
  name: string;
  namespace: string;
  /** Cluster IPs, canonical text. */
  ips: string[];
  /** Backend addresses given on the service itself (nvp's format). */
  endpoints: string[];
  loc: Loc;
  ipLocs: Loc[];
}

/** An EndpointSlice's addresses, joined to its Service (label kubernetes.io/service-name) on merge. */
export interface SliceEntry {
  service: string;
  namespace: string;
  ips: string[];
}

export interface NamespaceEntry {
  name: string;
  labels: Record<string, string>;
  loc: Loc;
}

/** Pods the kubectl reader leaves out on purpose (reported as a note, not an error). */
export interface SkippedPods {
  /** Host-network pods share their node's IPs: they are the node, as far as addresses go. */
  hostNetwork: number;
  /** Pending pods with no IP yet. */
  noIp: number;
  /** Succeeded/Failed pods: their IPs may already belong to another pod. */
  finished: number;
}

export interface Collected {
  workloads: WorkloadEntry[];
  nodes: NodeEntry[];
  namespaces: NamespaceEntry[];
  internalSubnets: { text: string; loc: Loc }[];
  serviceExternalIps: { ip: string; loc: Loc }[];
  services: ServiceEntry[];
  slices: SliceEntry[];
  /** `namespace/Kind/name` → owner, from ReplicaSet and Job objects. */
  owners: Map<string, OwnerRef>;
  skipped: SkippedPods;
}

export function emptyCollected(): Collected {
  return {
    workloads: [],
    nodes: [],
    namespaces: [],
    internalSubnets: [],
    serviceExternalIps: [],
    services: [],
    slices: [],
    owners: new Map(),
    skipped: { hostNetwork: 0, noIp: 0, finished: 0 },
  };
}

export function inventoryReader(sink: Sink): Reader {
  return new Reader(sink, { type: INVENTORY.type, missing: INVENTORY.missing, unknownKey: INVENTORY.unknownKey });
}

/**
 * Validate one address; returns its canonical text (so `fd00:0::1` and `fd00::1` compare equal
 * downstream) or undefined after reporting it.
 */
export function readIp(r: Reader, loc: Loc, what: string): string | undefined {
  const text = r.string(loc, what, "write an IPv4 or IPv6 address, e.g. `10.0.1.5` or `fd00::1:5`");
  if (text === undefined) return undefined;
  // Fast path: strict IPv4 text is already canonical, and skips the 128-bit formatting.
  if (parseIpv4(text) !== null) return text;
  const ip = parseIp(text.trim());
  if (ip === null) {
    const help = text.includes("/") ? "write a single address here; subnets belong in `internalSubnets`" : "write an IPv4 or IPv6 address, e.g. `10.0.1.5` or `fd00::1:5`";
    r.sink.error(INVENTORY.badIp, `\`${text}\` is not an IP address`, loc, { label: "not an IP address", help });
    return undefined;
  }
  return formatIp(ip);
}

/**
 * A list of addresses. Every bad entry is reported; `ok` is false if there was one, so the owner
 * (a workload, a node) is left out rather than kept with part of its addresses.
 */
export function readIpList(r: Reader, loc: Loc, what: string): { ips: string[]; locs: Loc[]; ok: boolean } | undefined {
  const items = r.list(loc, what, "write a list of addresses, e.g. `[10.0.1.5, fd00::1:5]`");
  if (!items) return undefined;
  const ips: string[] = [];
  const locs: Loc[] = [];
  let ok = true;
  items.forEach((_, i) => {
    const l = at(loc, i);
    const ip = readIp(r, l, `each entry of ${what}`);
    if (ip === undefined) ok = false;
    else {
      ips.push(ip);
      locs.push(l);
    }
  });
  return { ips, locs, ok };
}

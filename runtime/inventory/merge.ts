/**
 * Merge what every source contributed into one Inventory: derive service names (owner links may
 * come from another file), attach namespace labels, and refuse ambiguity — one IP address must
 * resolve to exactly one endpoint, or the policy's verdicts would depend on load order.
 */
import type { Inventory, Workload } from "../../common/schema.js";
import { INVENTORY } from "../../common/codes/input.js";
import { relatedAt, type Loc, type Sink } from "../input/reader.js";
import type { Collected, NodeEntry, ServiceEntry, WorkloadEntry } from "./collect.js";
import { deriveService } from "./service-name.js";
import { checkHostPorts } from "./host-ports.js";

interface Claim {
  what: string;
  loc: Loc;
}

export function mergeCollected(c: Collected, sink: Sink): Inventory {
  const workloads = uniqueBy(c.workloads, (e) => `${e.workload.namespace}/${e.workload.name}`, "workload", sink);
  const nodes = uniqueBy(c.nodes, (e) => e.node.name, "node", sink);
  const nsLabels = new Map<string, Record<string, string>>();
  for (const ns of uniqueBy(c.namespaces, (e) => e.name, "namespace", sink)) nsLabels.set(ns.name, ns.labels);

  const services = uniqueBy(c.services, (e) => `${e.namespace}/${e.name}`, "service", sink);
  shareHostNetwork(workloads, c);
  checkIps(workloads, nodes, services, sink);
  checkHostPorts(workloads, sink);
  // EndpointSlices (possibly from another file) add their addresses to their Service's own.
  const backends = new Map(services.map((e) => [`${e.namespace}/${e.name}`, e.endpoints]));
  for (const sl of c.slices) {
    const list = backends.get(`${sl.namespace}/${sl.service}`);
    if (list) for (const ip of sl.ips) if (!list.includes(ip)) list.push(ip);
  }

  const out: Workload[] = workloads.map((e) => {
    const w = e.workload;
    const service = w.service ?? deriveService(w.name, w.namespace, w.labels, e.owner, c.owners);
    return {
      name: w.name,
      namespace: w.namespace,
      service,
      labels: w.labels,
      nsLabels: e.nsLabels ?? nsLabels.get(w.namespace) ?? {},
      images: w.images,
      containers: w.containers,
      node: w.node,
      ips: w.ips,
      ...(w.interceptable === false ? { interceptable: false } : {}),
      ...(w.hostNetwork === true ? { hostNetwork: true } : {}),
      ...(w.hostPorts && w.hostPorts.length > 0 ? { hostPorts: w.hostPorts } : {}),
      ...(w.hostIP !== undefined ? { hostIP: w.hostIP } : {}),
    };
  });
  return {
    workloads: out,
    nodes: nodes.map((e) => e.node),
    ...(services.length > 0 ? { services: services.map((e) => ({ name: e.name, namespace: e.namespace, ips: e.ips, endpoints: e.endpoints })) } : {}),
    internalSubnets: [...new Set(c.internalSubnets.map((s) => s.text))],
    serviceExternalIps: [...new Set(c.serviceExternalIps.map((s) => s.ip))],
  };
}

/** Keep the first of each key; report every later one with a pointer back to the first. */
function uniqueBy<T extends { loc: Loc }>(items: T[], key: (t: T) => string, what: string, sink: Sink): T[] {
  const first = new Map<string, T>();
  const out: T[] = [];
  for (const it of items) {
    const k = key(it);
    const prev = first.get(k);
    if (!prev) {
      first.set(k, it);
      out.push(it);
      continue;
    }
    sink.error(INVENTORY.duplicateName, `${what} \`${k}\` is defined twice`, it.loc, {
      label: "second definition",
      help: `keep one definition of ${what} \`${k}\` (was the same file loaded twice?)`,
      related: relatedAt(prev.loc, "first defined here"),
    });
  }
  return out;
}

/**
 * Host-network pods all carry their node's addresses: each address resolves to the first of them
 * (S1), the later ones lose it silently, and one left with no address is counted as skipped.
 */
function shareHostNetwork(workloads: WorkloadEntry[], c: Collected): void {
  const taken = new Set<string>();
  for (let i = 0; i < workloads.length; i++) {
    const e = workloads[i]!;
    if (!e.workload.hostNetwork) continue;
    const keep = e.workload.ips.map((ip, j) => [ip, j] as const).filter(([ip]) => !taken.has(ip));
    keep.forEach(([ip]) => taken.add(ip));
    if (keep.length === e.workload.ips.length) continue;
    if (keep.length === 0) {
      workloads.splice(i--, 1);
      c.skipped.hostNetwork++;
      continue;
    }
    e.ipLocs = keep.map(([, j]) => e.ipLocs[j]!);
    e.workload.ips = keep.map(([ip]) => ip);
  }
}

/**
 * Report addresses used twice; an address listed twice for one endpoint is kept once. A node
 * shares its addresses with the host-network workloads on it (the workload resolves first, S1).
 */
function checkIps(workloads: WorkloadEntry[], nodes: NodeEntry[], services: ServiceEntry[], sink: Sink): void {
  const claims = new Map<string, Claim>();
  /** False for a repeat within the same endpoint (reported, then dropped). */
  const claim = (ip: string, what: string, loc: Loc): boolean => {
    const prev = claims.get(ip);
    if (!prev) {
      claims.set(ip, { what, loc });
      return true;
    }
    const message = prev.what === what ? `IP \`${ip}\` is listed twice for ${what}` : `IP \`${ip}\` belongs to both ${prev.what} and ${what}`;
    sink.error(INVENTORY.duplicateIp, message, loc, {
      label: "address already used",
      help: "an address must identify one endpoint; remove it from one of the two",
      related: relatedAt(prev.loc, `used by ${prev.what} here`),
    });
    return prev.what !== what;
  };
  for (const e of workloads) {
    const what = `workload \`${e.workload.namespace}/${e.workload.name}\``;
    e.workload.ips = e.workload.ips.filter((ip, i) => claim(ip, what, e.ipLocs[i] ?? e.loc));
  }
  const hostNet = new Set(workloads.filter((e) => e.workload.hostNetwork).flatMap((e) => e.workload.ips));
  for (const e of nodes) {
    const what = `node \`${e.node.name}\``;
    e.node.ips = e.node.ips.filter((ip, i) => hostNet.has(ip) || claim(ip, what, e.ipLocs[i] ?? e.loc));
  }
  for (const e of services) {
    const what = `service \`${e.namespace}/${e.name}\``;
    e.ips = e.ips.filter((ip, i) => claim(ip, what, e.ipLocs[i] ?? e.loc));
  }
}

/**
 * The inventory region (common/abi.ts I_*): every workload and node IP with its endpoint class,
 * and the internal subnets. A class folds everything static about an address into one from-set
 * and one to-set: the built-ins of its kind, its workload's service and criteria groups, and the
 * address groups whose IP entries cover it — so a workload costs the engine one set per side.
 */
import * as A from "../../common/abi.js";
import { SetPool } from "../../common/abi-sets.js";
import { parseIp, parseIpRange } from "../../common/ip.js";
import { MODE_RANK, type Inventory } from "../../common/schema.js";
import type { MembershipMatcher } from "./membership.js";
import { type IpEntry, type RegionFields, RegionWriter, rangeMap, RuleUnion, v4Part } from "./region-parts.js";
import type { TableView } from "./table-view.js";

const INVENTORY_FIELDS: RegionFields = {
  magic: A.I_MAGIC,
  len: A.I_LEN,
  hcap: A.I_HCAP,
  hash: A.I_HASH,
  nsets: A.I_NSETS,
  setOffs: A.I_SET_OFFS,
  setsLo: A.I_SETS_LO,
  setsHi: A.I_SETS_HI,
};

export interface InventoryImage {
  bytes: Uint8Array<ArrayBuffer>;
  /** Distinct endpoint classes and addresses, for stats. */
  classes: number;
  addresses: number;
}

export function buildInventoryRegion(
  inv: Inventory,
  table: TableView,
  matcher: MembershipMatcher,
  addrClass: (ip: bigint) => number,
): InventoryImage {
  const pool = new SetPool(table.geo);
  const union = new RuleUnion(table.geo.nRules);
  const classIndex = new Map<string, number>();
  const classes: { from: number; to: number }[] = [];
  const entries: IpEntry[] = [];
  const seen = new Set<bigint>();

  type Kind = "workload" | "node" | "internal" | "external";
  /** `alsoNode`: a host-network workload's address is a host interface, so the node built-ins apply too. */
  const classOf = (key: string, kind: Kind, groups: readonly number[], ip: bigint, alsoNode = false, toOnly: readonly number[] = []): number => {
    const cls = addrClass(ip);
    const full = `${key}|${cls}`;
    let idx = classIndex.get(full);
    if (idx === undefined) {
      idx = classes.length;
      classIndex.set(full, idx);
      const side = (s: 0 | 1) =>
        pool.add(
          union.of([
            table.kindRules(kind, s),
            ...(alsoNode ? [table.kindRules("node", s)] : []),
            ...table.addrClassRules(cls, s),
            ...groups.map((g) => table.groupRules(g, s)),
            ...(s === 1 ? toOnly.map((g) => table.groupRules(g, s)) : []),
          ]),
        );
      classes.push({ from: side(0), to: side(1) });
    }
    return idx;
  };

  // S1 order: a workload's IP wins over a node's, the first workload listing an IP over later ones.
  /** Each workload's first address that resolves to it: the engine finds a mapped workload by it. */
  const ownIp = new Map<object, bigint>();
  for (const w of inv.workloads) {
    const m = matcher.of(w);
    const hostNet = w.hostNetwork === true;
    const key = `w${hostNet ? "h" : ""}:${m.groups.join(",")}`;
    // A host-network pod cannot be intercepted (NeuVector: capIntcp = !hostMode) and is matched by port only.
    const flags = (w.interceptable === false || hostNet ? A.IEF_NO_INTERCEPT : 0) | (hostNet ? A.IEF_HOST_NET : 0);
    for (const text of w.ips) {
      const ip = parseIp(String(text).trim());
      if (ip === null || seen.has(ip)) continue;
      seen.add(ip);
      if (!ownIp.has(w)) ownIp.set(w, ip);
      entries.push({ ip, value: classOf(key, "workload", m.groups, ip, hostNet) + 1, kind: A.KIND_WORKLOAD, mode: MODE_RANK[m.mode] + 1, flags });
    }
  }
  for (const n of inv.nodes) {
    for (const text of n.ips) {
      const ip = parseIp(String(text).trim());
      if (ip === null || seen.has(ip)) continue;
      seen.add(ip);
      entries.push({ ip, value: classOf("n", "node", [], ip) + 1, kind: A.KIND_NODE, mode: 0 });
    }
  }
  // Service cluster IPs: internal, unmanaged, in their nv.ip.<svc>.<ns> groups (S2.10); the flag
  // lets the engine open them at the client on kubernetes (S3.1).
  const openshift = (table.settings() & A.SET_OPENSHIFT) !== 0;
  for (const s of inv.services ?? []) {
    const groups = matcher.serviceIpsOf(s.name, s.namespace);
    // OpenShift: custom groups selecting the namespace hold its cluster IPs as destinations.
    const toOnly = openshift ? matcher.openshiftServiceIpGroups(s.namespace) : [];
    for (const text of s.ips) {
      const ip = parseIp(String(text).trim());
      if (ip === null || seen.has(ip)) continue;
      seen.add(ip);
      entries.push({ ip, value: classOf(`s:${groups.join(",")}|${toOnly.join(",")}`, "internal", groups, ip, false, toOnly) + 1, kind: A.KIND_INTERNAL, mode: 0, flags: A.IEF_SVC_IP });
    }
  }
  const ranges = inv.internalSubnets.flatMap((text) => {
    const r = parseIpRange(String(text).trim());
    return "error" in r ? [] : [r];
  });
  // Service externalIPs outside the cluster's addresses: external endpoints the engine must know
  // (NeuVector's DP_IPTYPE_EXTIP, which dpi_policy_lookup_by_key checks only when not internal).
  for (const text of inv.serviceExternalIps) {
    const ip = parseIp(String(text).trim());
    if (ip === null || seen.has(ip) || ranges.some((r) => ip >= r.lo && ip <= r.hi)) continue;
    seen.add(ip);
    entries.push({ ip, value: classOf("x", "external", [], ip) + 1, kind: A.KIND_EXTERNAL, mode: 0, flags: A.IEF_SVC_EXTIP });
  }

  const region = new RegionWriter(A.I_HEADER_SIZE, INVENTORY_FIELDS);
  const w = region.w;
  region.ipHash(entries);
  const hp = hostPortEntries(inv, ownIp);
  if (hp.length > 0) {
    region.section(A.I_HP_N, A.I_HP, hp.length);
    for (const e of hp) {
      w.u128(e.ip);
      w.u32(e.key);
      w.u16(e.containerPort);
      w.u16(0);
      w.u128(e.workloadIp);
    }
  }
  w.align(8);
  region.put(A.I_NCLS, classes.length);
  region.put(A.I_CLS, w.length);
  for (const c of classes) {
    w.u32(c.from);
    w.u32(c.to);
  }
  if (ranges.length > 0) {
    const map = rangeMap(ranges);
    const v4 = v4Part(map);
    w.align(8);
    region.put(A.I_INT4_N, v4.length);
    region.put(A.I_INT4, w.length);
    for (const e of v4) w.u32(e.start);
    for (const e of v4) w.u32(e.value);
    w.align(8);
    region.put(A.I_INT6_N, map.length);
    region.put(A.I_INT6, w.length);
    for (const e of map) w.u128(e.start);
    for (const e of map) w.u32(e.value);
  }
  return { bytes: region.finish(pool, A.INVENTORY_MAGIC), classes: classes.length, addresses: entries.length };
}

interface HostPortEntry {
  ip: bigint;
  /** protocol << 16 | host port (HP_KEY). */
  key: number;
  containerPort: number;
  workloadIp: bigint;
}

/**
 * S1.1: (node address, protocol, host port) → the mapped workload (by an address of its own) and
 * container port. A workload's host-port addresses are its node's (by name) and its `hostIP`, as
 * NeuVector's NatIP lists every interface of the host; the first workload in inventory order
 * keeps a key. Sorted by address, then key, for the engine's binary search.
 */
function hostPortEntries(inv: Inventory, ownIp: Map<object, bigint>): HostPortEntry[] {
  const byKey = new Map<string, HostPortEntry>();
  for (const wl of inv.workloads) {
    const workloadIp = ownIp.get(wl);
    if (workloadIp === undefined || !wl.hostPorts) continue;
    const node = wl.node === "" ? undefined : inv.nodes.find((n) => n.name === wl.node);
    const addrs = [...(node?.ips ?? []), ...(wl.hostIP !== undefined ? [wl.hostIP] : [])]
      .map((t) => parseIp(String(t).trim()))
      .filter((ip): ip is bigint => ip !== null);
    for (const m of wl.hostPorts) {
      const key = ((m.protocol === "udp" ? A.PROTO_UDP : A.PROTO_TCP) << 16) | m.hostPort;
      for (const ip of addrs) {
        const k = `${ip}|${key}`;
        if (!byKey.has(k)) byKey.set(k, { ip, key, containerPort: m.containerPort, workloadIp });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.key - b.key));
}

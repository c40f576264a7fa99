/**
 * `nvp diff`, step 2: the partition of flow space the diff enumerates. Each dimension is cut at
 * every boundary either policy draws, and one concrete representative stands for each piece:
 *  - addresses: the elementary intervals between all IP, CIDR and range boundaries of both
 *    policies' address groups (one address per interval that some group covers, plus one outside
 *    all of them); each DNS name and wildcard (one resolved address per name);
 *  - workloads: one per combination of group memberships that attribute values can realise
 *    (atoms.ts), so any overlap of groups — of two, three or more — is represented; past a cap, one
 *    per group and one per pair of a group a changed rule names with any other group;
 *  - a node, an internal (non-workload) address and an outside address; a cluster IP per
 *    `nv.ip.<svc>.<ns>` group (and, under `platform openshift`, per workload namespace);
 *  - virtual hosts: each `vh:` name, none, and not yet known;
 *  - ports and applications are cut per source and destination (pieces.ts).
 * Candidate values come from the criteria's patterns (instances.ts) and are checked, so a `regex`
 * pattern no candidate satisfies has no representative (docs/diff.md says so).
 */
import { formatIp, MAX_IP, V4_BASE } from "../../common/ip.js";
import type { Inventory, InventoryService, Workload } from "../../common/schema.js";
import type { GroupModel, PolicyModel } from "../model.js";
import type { Endpoint } from "../reference/endpoints.js";
import { groupMembership } from "../reference/membership.js";
import { workloadAtoms } from "./atoms.js";
import { type Attrs, instancesOf, workloadOf } from "./instances.js";


export interface Universe {
  inventory: Inventory;
  dns: Record<string, string[]>;
  /** Representative addresses (workloads, node, internal and outside ones). */
  endpoints: string[];
  hosts: (string | undefined)[];
  /** What each representative address is (the reference's resolveEndpoint, without its linear scan). */
  kinds: Map<string, Endpoint>;
  /** Workload membership combinations represented; `capped` when they were too many (pairs only). */
  combinations: { count: number; capped: boolean };
}

/** Attribute choices that put a workload in group `g` (first positive criterion of each class). */
function attrsFor(g: GroupModel): Attrs | undefined {
  const out: Attrs = new Map();
  if (g.kind === "service" && g.service) {
    out.set("service", g.service.service);
    out.set("namespace", g.service.namespace);
    return out;
  }
  if (g.kind !== "workload") return undefined;
  for (const c of g.criteria ?? []) {
    const key = c.labelKey === undefined ? c.key : `${c.key}:${c.labelKey}`;
    if (out.has(key)) continue;
    const v = instancesOf(c)[0];
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

/** A block of 65536 addresses for synthetic workloads and peers, if possible one no address group touches. */
function freeBlock(covered: readonly [bigint, bigint][]): bigint {
  const blocks = [V4_BASE + 0xac1f0000n, V4_BASE + 0x647f0000n, 0xfdffn << 112n, 0xfd7an << 112n];
  for (const base of blocks) {
    const end = base + 0xffffn;
    if (!covered.some(([lo, hi]) => lo <= end && hi >= base)) return base;
  }
  // Groups cover every candidate (`::/0`): synthetic peers then sit inside them, as any would.
  return blocks[0] as bigint;
}

/**
 * `maxCombinations`: more workload membership combinations than this (among those holding a group a
 * change names) and workloads are represented per group and per pair instead.
 */
export function buildUniverse(a: PolicyModel, b: PolicyModel, focusGroups: (m: PolicyModel) => GroupModel[], maxCombinations: number): Universe {
  const groups = [...a.groups, ...b.groups];
  const intervals: [bigint, bigint][] = [];
  const names = new Set<string>();
  const vhs = new Set<string>();
  for (const g of groups) {
    for (const e of g.addresses ?? []) {
      if (e.kind === "ip") intervals.push([e.lo, e.hi]);
      else {
        const name = e.wildcard ? `w.${e.name}` : e.name;
        names.add(name);
        if (e.kind === "vh") vhs.add(name);
      }
    }
  }
  const block = freeBlock(intervals);
  let next = 1n;
  const fresh = () => formatIp(block + next++);
  const endpoints: string[] = [];
  // Elementary IP intervals: one representative per piece some group covers.
  const cuts = new Set<bigint>();
  for (const [lo, hi] of intervals) {
    cuts.add(lo);
    if (hi < MAX_IP) cuts.add(hi + 1n);
  }
  const sorted = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (const p of sorted) if (intervals.some(([lo, hi]) => lo <= p && p <= hi)) endpoints.push(formatIp(p));
  const dns: Record<string, string[]> = {};
  for (const n of names) {
    const ip = fresh();
    dns[n] = [ip];
    endpoints.push(ip);
  }
  const outside = fresh();
  const internal = fresh();
  const nodeIp = fresh();
  endpoints.push(outside, internal, nodeIp);

  // Workloads: per group, and merged pairs with the groups changed rules name.
  const seen = new Set<string>();
  const workloads: Workload[] = [];
  const add = (attrs: Attrs, name?: string) => {
    const key = JSON.stringify([...attrs].sort()) + (name ?? "");
    if (seen.has(key)) return;
    seen.add(key);
    const ip = fresh();
    workloads.push(workloadOf(attrs, `w${workloads.length}`, ip));
    endpoints.push(ip);
    // A workload the name resolves to: in the name's group and its own groups at once.
    if (name !== undefined) dns[name]?.push(ip);
  };
  add(new Map());
  const all = groups.flatMap((g) => {
    const at = attrsFor(g);
    return at === undefined ? [] : [{ g, at }];
  });
  // One per group; then every membership combination that holds a group a change names.
  for (const { at } of all) add(at);
  const focus = new Set([...focusGroups(a), ...focusGroups(b)]);
  const atoms = workloadAtoms(groups, { cap: maxCombinations, within: new Set(groups.flatMap((g, i) => (focus.has(g) ? [i] : []))) });
  if (atoms) for (const at of atoms) add(at);
  else {
    // Too many combinations: one per group, and merged pairs with the groups changed rules name.
    // A merge is kept only when it lands in both groups: anything else repeats one of the two.
    const ctx = { inventory: { workloads: [], nodes: [], internalSubnets: [], serviceExternalIps: [] }, dns: {} };
    const holds = (g: GroupModel, w: Workload) => groupMembership(g, ctx, 0n, { kind: "workload", workload: w }, undefined) !== undefined;
    const focused = [...new Set([...focusGroups(a), ...focusGroups(b)])].flatMap((g) => {
      const at = attrsFor(g);
      return at === undefined ? [] : [{ g, at }];
    });
    for (const f of focused) {
      for (const o of all) {
        if (o.g === f.g) continue;
        for (const merged of [new Map([...o.at, ...f.at]), new Map([...f.at, ...o.at])]) {
          const w = workloadOf(merged, "probe", "::");
          if (holds(f.g, w) && holds(o.g, w)) add(merged);
        }
      }
    }
  }
  // Workloads reached through a DNS name a changed rule names (one per workload group and the bare one).
  const focusNames = [...new Set([...focusGroups(a), ...focusGroups(b)].flatMap((g) => (g.addresses ?? []).filter((e) => e.kind !== "ip").map((e) => (e.wildcard ? `w.${e.name}` : e.name))))];
  for (const n of focusNames) {
    add(new Map(), n);
    for (const { at } of all) add(at, n);
  }
  // Cluster IPs (S2.10): one Service per nv.ip.<svc>.<ns> group either policy names and, where a
  // policy runs under `platform openshift` (workload groups' namespace criteria then select the
  // cluster IPs of their namespaces), one per namespace a workload representative has.
  const services: InventoryService[] = [];
  const svcKeys = new Set<string>();
  const addService = (name: string, namespace: string) => {
    const k = `${name}\u0000${namespace}`;
    if (svcKeys.has(k)) return;
    svcKeys.add(k);
    const ip = fresh();
    services.push({ name, namespace, ips: [ip], endpoints: [] });
    endpoints.push(ip);
  };
  for (const g of groups) if (g.kind === "service-ip" && g.service) addService(g.service.service, g.service.namespace);
  if ([a, b].some((m) => m.settings.extra.platform === "openshift")) for (const w of workloads) addService("nvp-diff-svc", w.namespace);
  const node = { name: "node-diff", ips: [nodeIp] };
  const inventory: Inventory = { workloads, nodes: [node], internalSubnets: [`${internal}/128`], serviceExternalIps: [] };
  if (services.length > 0) inventory.services = services;
  const kinds = new Map<string, Endpoint>(endpoints.map((ip) => [ip, { kind: "external" }]));
  for (const s of services) kinds.set(s.ips[0] as string, { kind: "internal", service: s });
  for (const w of workloads) kinds.set(w.ips[0] as string, { kind: "workload", workload: w });
  kinds.set(nodeIp, { kind: "node", node });
  kinds.set(internal, { kind: "internal" });
  return { inventory, dns, endpoints, hosts: [undefined, "", ...vhs], kinds, combinations: { count: atoms?.length ?? 0, capped: !atoms } };
}

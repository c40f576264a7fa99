/**
 * `nvp diff`, step 2: the partition of flow space the diff enumerates. Each dimension is cut at
 * every boundary either policy draws, and one concrete representative stands for each piece:
 *  - addresses: the elementary intervals between all IP, CIDR and range boundaries of both
 *    policies' address groups (one address per interval that some group covers, plus one outside
 *    all of them); each DNS name and wildcard (one resolved address per name);
 *  - workloads: one per service group, one per custom group (a value meeting each criterion), and
 *    one per pair of a group a changed rule names with any other workload or service group (the
 *    two attribute sets merged), so overlaps of rules that moved past each other are represented;
 *  - a node, an internal (non-workload) address and an outside address;
 *  - ports: elementary intervals of every rule's port ranges per protocol, plus icmp;
 *  - applications: every application a rule names and its children, an unknown one, and none yet;
 *  - virtual hosts: each `vh:` name, none, and not yet known.
 * The pieces are complete for IP, name, `=`/`!=` (glob), `prefix` and `contains` criteria; for a
 * `regex` criterion the representative value is derived from the pattern and checked, so a
 * pattern it cannot satisfy has no representative (docs/diff.md says so).
 */
import { APPS } from "../../common/apps.js";
import { formatIp, MAX_IP, V4_BASE } from "../../common/ip.js";
import type { Inventory, Workload } from "../../common/schema.js";
import type { CriterionModel, GroupModel, PolicyModel } from "../model.js";

export interface Universe {
  inventory: Inventory;
  dns: Record<string, string[]>;
  /** Representative addresses (workloads, node, internal and outside ones). */
  endpoints: string[];
  ports: { proto: "tcp" | "udp" | "icmp"; port?: number }[];
  /** Application names; undefined = not yet identified. */
  apps: (string | undefined)[];
  hosts: (string | undefined)[];
}

const FRESH = "nvp-diff-none";

/** A value meeting one positive criterion (undefined when none is found). */
function instanceOf(c: CriterionModel): string | undefined {
  const v = c.value;
  if (c.op === "!=" || c.op === "!regex") return undefined;
  let cand: string;
  if (c.op === "=") cand = v === "any" ? FRESH : v.replace(/[*?]/g, "x");
  else if (c.op === "prefix") cand = `${v}x`;
  else if (c.op === "contains") cand = `x${v}x`;
  else cand = v.replace(/^\^/, "").replace(/\$$/, "").replace(/\[([^\]])[^\]]*\]/g, "$1").replace(/\((?:[^|)]*\|)*([^|)]*)\)/g, "$1").replace(/\.\*|\.\+|\./g, "x").replace(/[*+?]/g, "").replace(/\\(.)/g, "$1");
  return cand;
}

type Attrs = Map<string, string>;

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
    const v = instanceOf(c);
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

function workloadOf(attrs: Attrs, name: string, ip: string): Workload {
  const w: Workload = { name, namespace: attrs.get("namespace") ?? FRESH, service: attrs.get("service") ?? FRESH, labels: {}, nsLabels: {}, images: [attrs.get("image") ?? FRESH], containers: [attrs.get("container") ?? FRESH], node: attrs.get("node") ?? FRESH, ips: [ip] };
  for (const [k, v] of attrs) {
    if (k.startsWith("label:")) w.labels[k.slice(6)] = v;
    else if (k.startsWith("ns-label:")) w.nsLabels[k.slice(9)] = v;
  }
  return w;
}

/** A block of 65536 addresses for synthetic workloads and peers, if possible one no address group touches. */
function freeBlock(covered: readonly [bigint, bigint][]): bigint {
  const blocks = [0xfdffn << 112n, 0xfd7an << 112n, V4_BASE + 0xac1f0000n, 0x2001_0db8_fffen << 80n];
  for (const base of blocks) {
    const end = base + 0xffffn;
    if (!covered.some(([lo, hi]) => lo <= end && hi >= base)) return base;
  }
  // Groups cover every candidate (`::/0`): synthetic peers then sit inside them, as any would.
  return blocks[0] as bigint;
}

export function buildUniverse(a: PolicyModel, b: PolicyModel, focusGroups: (m: PolicyModel) => GroupModel[]): Universe {
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
  const add = (attrs: Attrs) => {
    const key = JSON.stringify([...attrs].sort());
    if (seen.has(key)) return;
    seen.add(key);
    const ip = fresh();
    workloads.push(workloadOf(attrs, `w${workloads.length}`, ip));
    endpoints.push(ip);
  };
  add(new Map());
  const all = groups.map(attrsFor).filter((x): x is Attrs => x !== undefined);
  for (const at of all) add(at);
  const focused = [...focusGroups(a), ...focusGroups(b)].map(attrsFor).filter((x): x is Attrs => x !== undefined);
  for (const f of focused) {
    for (const o of all) {
      add(new Map([...o, ...f]));
      add(new Map([...f, ...o]));
    }
  }
  const inventory: Inventory = { workloads, nodes: [{ name: "node-diff", ips: [nodeIp] }], internalSubnets: [`${internal}/128`], serviceExternalIps: [] };
  return { inventory, dns, endpoints, ports: portAtoms(a, b), apps: appAtoms(a, b), hosts: [undefined, "", ...vhs] };
}

function portAtoms(a: PolicyModel, b: PolicyModel): Universe["ports"] {
  const cuts = { tcp: new Set<number>([0]), udp: new Set<number>([0]) };
  for (const r of [...a.rules, ...b.rules]) {
    for (const p of r.ports) {
      for (const proto of p.proto === "any" ? (["tcp", "udp"] as const) : p.proto === "icmp" ? [] : [p.proto]) {
        cuts[proto].add(p.lo);
        if (p.hi < 65535) cuts[proto].add(p.hi + 1);
      }
    }
  }
  const out: Universe["ports"] = [{ proto: "icmp" }];
  for (const proto of ["tcp", "udp"] as const) for (const p of [...cuts[proto]].sort((x, y) => x - y)) out.push({ proto, port: p });
  return out;
}

function appAtoms(a: PolicyModel, b: PolicyModel): Universe["apps"] {
  const ids = new Set<number>();
  for (const r of [...a.rules, ...b.rules]) for (const id of r.apps) ids.add(id);
  // A child (nginx) matches its parent's rules (HTTP) but not the reverse: both are pieces.
  for (const app of APPS) if (app.parent !== undefined && ids.has(app.parent)) ids.add(app.id);
  const names = APPS.filter((x) => ids.has(x.id)).map((x) => x.name);
  return [undefined, "unknown", ...names];
}

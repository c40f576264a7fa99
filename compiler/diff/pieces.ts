/**
 * `nvp diff`, step 3: the pieces of flow space a change can affect, one flow each, without repeats.
 * Representative addresses that both policies treat alike (same kind, same groups in each, same
 * modes) are one class. For a (source, destination) pair the ports and applications are cut only at
 * the boundaries of the rules (of either policy) that match that pair — the other rules cannot
 * tell those flows apart — so a rule with no ports costs a few pieces, not one per port anywhere.
 */
import { APPS, appSatisfies, findApp } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Flow, Workload } from "../../common/schema.js";
import type { PolicyModel, RuleModel } from "../model.js";
import { isLinkLocal } from "../reference/carve-outs.js";
import { resolveEndpointIp } from "../reference/endpoints.js";
import { groupMembership } from "../reference/membership.js";
import { endpointMode } from "../reference/modes.js";
import type { Universe } from "./universe.js";

interface Peer {
  ip: string;
  workload?: Workload;
  /** Groups it is (or may be) in, per policy. */
  in: [Set<number>, Set<number>];
  vh: boolean;
  /** Kind, mode in each policy and carve-out: with the matching rules, all a verdict depends on. */
  sig: string;
}

const CHILDREN = new Map<number, number[]>();
for (const a of APPS) if (a.parent !== undefined) CHILDREN.set(a.parent, [...(CHILDREN.get(a.parent) ?? []), a.id]);

export class Pieces {
  readonly flows: Flow[] = [];
  truncated = false;
  private readonly peers: Peer[] = [];
  /** Per policy: rule indexes by each group they name as a source. */
  private readonly byFrom: [Map<number, number[]>, Map<number, number[]>];
  /** Per policy: rule indexes by each group they name as a destination. */
  private readonly byTo: [Map<number, number[]>, Map<number, number[]>];
  /** Per peer and policy: the rules whose sources hold it, in order (made on first use). */
  private readonly fromRules = new Map<Peer, [number[], number[]]>();
  /** Per peer and policy: a bit per rule whose destinations hold it (made on first use). */
  private readonly toBits = new Map<Peer, [Uint32Array, Uint32Array]>();
  /** Pair keys as small numbers: piece keys stay short. */
  private readonly pairIds = new Map<string, number>();
  /** Per pair key: the pieces taken (proto, port, app and host packed in one number). */
  private readonly taken = new Map<number, Set<number>>();
  /** Pair keys already enumerated whole, and with each `only` rule: a repeat adds nothing. */
  private readonly enumerated = new Map<number, Set<RuleModel | undefined>>();

  constructor(
    private readonly u: Universe,
    private readonly models: readonly [PolicyModel, PolicyModel],
    private readonly max: number,
  ) {
    const vhIps = new Set(u.hosts.filter((h): h is string => !!h).flatMap((h) => u.dns[h] ?? []));
    // Each address's own DNS answers only: the reference scans the whole table per group otherwise.
    const answers = new Map<string, Record<string, string[]>>();
    for (const [name, ips] of Object.entries(u.dns)) for (const ip of ips) answers.set(ip, { ...(answers.get(ip) ?? {}), [name]: [ip] });
    const classes = new Set<string>();
    for (const ip of u.endpoints) {
      const ctx = { inventory: u.inventory, dns: answers.get(ip) ?? {} };
      const bits = parseIp(ip) ?? 0n;
      const ep = u.kinds.get(ip) ?? resolveEndpointIp(u.inventory, bits);
      const sets = models.map((m) => new Set(m.groups.filter((g) => groupMembership(g, ctx, bits, ep, undefined) !== undefined).map((g) => g.index))) as [Set<number>, Set<number>];
      const vh = vhIps.has(ip);
      // A link-local address is open before any rule (carve-outs.ts): never one class with another.
      // A cluster IP is open at the client under `platform kubernetes` (carve-outs.ts): likewise apart.
      const open = (isLinkLocal(bits) ? "|link-local" : "") + (ep.service ? "|cluster-ip" : "");
      const key = `${ep.kind}|${[...sets[0]].join(",")}|${[...sets[1]].join(",")}|${models.map((m) => endpointMode(m, ep)).join(",")}|${vh}${open}`;
      if (classes.has(key)) continue;
      classes.add(key);
      const peer: Peer = { ip, in: sets, vh, sig: `${ep.kind}:${models.map((m) => endpointMode(m, ep)).join("/")}${open}` };
      if (ep.workload) peer.workload = ep.workload;
      this.peers.push(peer);
    }
    const index = (m: PolicyModel, side: (r: RuleModel) => readonly number[]) => {
      const idx = new Map<number, number[]>();
      m.rules.forEach((r, i) => {
        for (const g of side(r)) {
          const list = idx.get(g);
          if (list) list.push(i);
          else idx.set(g, [i]);
        }
      });
      return idx;
    };
    this.byFrom = [index(models[0], (r) => r.from), index(models[1], (r) => r.from)];
    this.byTo = [index(models[0], (r) => r.to), index(models[1], (r) => r.to)];
  }

  /** Every piece rule `r` of policy `side` (0 old, 1 new) matches. */
  rule(side: 0 | 1, r: RuleModel): void {
    const inAny = (gs: readonly number[]) => this.peers.filter((p) => gs.some((g) => p.in[side].has(g)));
    const dsts = inAny(r.to);
    for (const s of inAny(r.from)) for (const d of dsts) this.pair(s, d, r);
  }

  /** Every piece with a workload the predicate picks on either side. */
  touching(isIt: (w: Workload) => boolean): void {
    const hit = this.peers.filter((p) => p.workload && isIt(p.workload));
    for (const s of hit) for (const d of this.peers) this.pair(s, d);
    for (const s of this.peers) for (const d of hit) this.pair(s, d);
  }

  everything(): void {
    for (const s of this.peers) for (const d of this.peers) this.pair(s, d);
  }

  /** The rules of both policies that match this source and destination. */
  private relevant(s: Peer, d: Peer): { rules: RuleModel[]; key: string } {
    const out: RuleModel[] = [];
    const key: number[] = [];
    let from = this.fromRules.get(s);
    if (!from) {
      from = [0, 1].map((side) => [...new Set([...s.in[side as 0 | 1]].flatMap((g) => this.byFrom[side as 0 | 1].get(g) ?? []))].sort((x, y) => x - y)) as [number[], number[]];
      this.fromRules.set(s, from);
    }
    let to = this.toBits.get(d);
    if (!to) {
      to = [0, 1].map((side) => {
        const bits = new Uint32Array((this.models[side as 0 | 1].rules.length + 31) >>> 5);
        for (const g of d.in[side as 0 | 1]) for (const i of this.byTo[side as 0 | 1].get(g) ?? []) bits[i >>> 5]! |= 1 << (i & 31);
        return bits;
      }) as [Uint32Array, Uint32Array];
      this.toBits.set(d, to);
    }
    for (const side of [0, 1] as const) {
      const m = this.models[side];
      const bits = to[side];
      for (const i of from[side]) {
        if ((bits[i >>> 5]! & (1 << (i & 31))) === 0) continue;
        out.push(m.rules[i] as RuleModel);
        key.push(side ? -1 - i : i);
      }
    }
    return { rules: out, key: key.join(",") };
  }

  private pair(s: Peer, d: Peer, only?: RuleModel): void {
    if (this.truncated) return;
    const { rules, key } = this.relevant(s, d);
    // Pairs with the same kinds, modes and matching rules (of each policy) decide every flow alike.
    const long = `${s.sig}|${d.sig}|${s.vh || d.vh}|${key}`;
    let pairKey = this.pairIds.get(long);
    if (pairKey === undefined) this.pairIds.set(long, (pairKey = this.pairIds.size));
    // The same pair key enumerates the same pieces: a repeat (whole, or with the same rule) adds nothing.
    let done = this.enumerated.get(pairKey);
    if (!done) this.enumerated.set(pairKey, (done = new Set()));
    if (done.has(undefined) || done.has(only)) return;
    done.add(only);
    const cuts = { tcp: new Set<number>([0]), udp: new Set<number>([0]) };
    const appIds = new Set<number>();
    for (const r of rules) {
      for (const p of r.ports) {
        if (p.proto !== "tcp" && p.proto !== "udp") continue;
        cuts[p.proto].add(p.lo);
        if (p.hi < 65535) cuts[p.proto].add(p.hi + 1);
      }
      for (const a of r.apps) for (const id of [a, ...(CHILDREN.get(a) ?? [])]) appIds.add(id);
    }
    const apps: (string | undefined)[] = [undefined, "unknown", ...APPS.filter((a) => appIds.has(a.id)).map((a) => a.name)];
    const hosts: (string | undefined)[] = s.vh || d.vh ? this.u.hosts : [undefined];
    const ports: { proto: "tcp" | "udp" | "icmp"; port?: number }[] = [{ proto: "icmp" }];
    for (const proto of ["tcp", "udp"] as const) for (const port of cuts[proto]) ports.push({ proto, port });
    for (const p of ports) {
      if (only && only.ports.length > 0 && !only.ports.some((q) => q.proto === "any" || (q.proto === p.proto && (p.proto === "icmp" || (q.lo <= (p.port ?? 0) && (p.port ?? 0) <= q.hi))))) continue;
      for (let ai = 0; ai < apps.length; ai++) {
        const app = apps[ai];
        if (only && only.apps.length > 0 && app !== undefined && !appSatisfies(findApp(app)?.id ?? -1, only.apps)) continue;
        for (let hi = 0; hi < hosts.length; hi++) {
          // proto (2 bits), port + 1 (17), app (by index into this pair's list, 12), host (rest).
          const packed = ((hi * 4096 + ai) * 131072 + (p.port ?? -1) + 1) * 4 + (p.proto === "tcp" ? 0 : p.proto === "udp" ? 1 : 2);
          this.add(pairKey, packed, s.ip, d.ip, p.proto, p.port, app, hosts[hi]);
        }
      }
    }
  }

  private add(pairKey: number, packed: number, src: string, dst: string, proto: "tcp" | "udp" | "icmp", port: number | undefined, app: string | undefined, host: string | undefined): void {
    let seen = this.taken.get(pairKey);
    if (!seen) this.taken.set(pairKey, (seen = new Set()));
    if (seen.has(packed)) return;
    if (this.flows.length >= this.max) {
      this.truncated = true;
      return;
    }
    seen.add(packed);
    const f: Flow = { src, dst, proto };
    if (port !== undefined) f.port = port;
    if (app !== undefined) f.app = app;
    if (host !== undefined) f.host = host;
    this.flows.push(f);
  }
}


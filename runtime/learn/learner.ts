/**
 * Discover-mode learning as NeuVector's controller does it (neuvector/neuvector
 * controller/cache/learn.go). Connections arrive as the packet path reports them — a learn event,
 * or with `monitor` a violation, carrying the identified application — and become allow rules:
 *
 * - one rule per (from group, to group, kind): kind `app` when the application was identified
 *   (ports any, applications = every app seen), else `port` (applications any, ports = the server
 *   ports seen as `tcp/N`, `udp/N`, `icmp`) — getLearnedPolicyRuleKey, learnedRule2ClusterRule;
 * - more than 20 ports (MaxSvcPortNum) on a port rule turn it into `any` (learnAppPort,
 *   replaceLearnedRulePortAny);
 * - an app identified on a port that was learned without one replaces that port: the port leaves
 *   the client→server link and the port rule is recomputed from the links, and dropped when empty
 *   (addConnectToGraph's "Replace port rule", unlearnAppPort, recalcLearnedRule);
 * - groups: a workload's `nv.<service>.<namespace>`, a node's `nodes`, anything else `external`
 *   or, when the capture resolved its address, an address group per DNS name (nvp's addition);
 *   a pair with no workload side is never learned (node2Group's container flag).
 *
 * Links are per endpoint pair (workload, node or address), as NeuVector's graph keeps them per
 * workload pair; rules aggregate the links of their group pair. Rule ids are handed out from
 * `firstId` (NeuVector's learned ids start at 10000) in the order rules are created.
 */
import type { Inventory } from "../../common/schema.js";

/** NeuVector's MaxSvcPortNum: a learned port rule with more ports becomes `any`. */
export const MAX_LEARNED_PORTS = 20;
export const PORT_ANY = "any";

export type LearnKind = "app" | "port";

export interface LearnEndpoint {
  kind: "workload" | "node" | "internal" | "external";
  ip: string;
  /** `namespace/name` of a workload, the node's name. */
  name?: string;
}

/** One connection as learning needs it (a packet event's fields). */
export interface LearnConnection {
  proto: "tcp" | "udp" | "icmp" | number;
  src: LearnEndpoint;
  dst: LearnEndpoint & { port?: number };
  /** Absent or `unknown`: not identified. */
  app?: string;
}

/** A learned group: a service group, `nodes`, `external`, or an address group by DNS name. */
export type LearnedGroup =
  | { kind: "service"; name: string; service: string; namespace: string }
  | { kind: "builtin"; name: "nodes" | "external" }
  | { kind: "dns"; name: string; dnsName: string };

export interface LearnedRule {
  id: number;
  from: LearnedGroup;
  to: LearnedGroup;
  kind: LearnKind;
  /** App rules: the applications, sorted. */
  apps: string[];
  /** Port rules: the ports (or [`any`]); app rules: the server ports the apps were seen on. */
  ports: string[];
  /** App rules: each app's server ports (for `--lock-ports`). */
  appPorts: Map<string, Set<string>>;
}

interface Link {
  apps: Set<string>;
  ports: Set<string>;
  portsSeen: Set<string>;
  appPorts: Map<string, Set<string>>;
}

interface RuleState {
  id: number;
  from: LearnedGroup;
  to: LearnedGroup;
  kind: LearnKind;
  objs: Set<string>;
  recalc: boolean;
}

/** NeuVector's port link: `tcp/N`, `udp/N`, `icmp`, `ip:P` (utils.GetPortLink). */
export function portLink(proto: LearnConnection["proto"], port: number | undefined): string {
  if (proto === "tcp" || proto === "udp") return `${proto}/${port ?? 0}`;
  if (proto === "icmp") return "icmp";
  return `ip:${proto}`;
}

export interface LearnerOptions {
  inventory: Inventory;
  /** The first learned rule id (NeuVector: 10000). */
  firstId?: number;
  /** Address → DNS names the capture resolved to it (external peers become name groups). */
  dnsNames?: ReadonlyMap<string, readonly string[]>;
}

export class Learner {
  private readonly services = new Map<string, { service: string; namespace: string }>();
  private readonly links = new Map<string, Link>();
  /** Links by group pair key (`from|to`): which endpoint pairs feed a rule. */
  private readonly pairLinks = new Map<string, Set<string>>();
  private readonly rules = new Map<string, RuleState>();
  private nextId: number;
  private dnsNames: ReadonlyMap<string, readonly string[]>;
  /** Connections seen, learned from, skipped (no workload side or no group). */
  readonly counts = { connections: 0, learned: 0, skipped: 0 };

  constructor(opts: LearnerOptions) {
    for (const w of opts.inventory.workloads) this.services.set(`${w.namespace}/${w.name}`, { service: w.service, namespace: w.namespace });
    this.nextId = opts.firstId ?? 10000;
    this.dnsNames = opts.dnsNames ?? new Map();
  }

  /** Address → DNS names, once the capture has been read (before its connections are added). */
  setDnsNames(names: ReadonlyMap<string, readonly string[]>): void {
    this.dnsNames = names;
  }

  /** The group an endpoint learns into, and whether it is a container (node2Group). */
  private groupOf(e: LearnEndpoint): { group: LearnedGroup; container: boolean } | undefined {
    if (e.kind === "workload") {
      const s = e.name !== undefined ? this.services.get(e.name) : undefined;
      if (!s) return undefined;
      return { group: { kind: "service", name: `nv.${s.service}.${s.namespace}`, service: s.service, namespace: s.namespace }, container: true };
    }
    if (e.kind === "node") return { group: { kind: "builtin", name: "nodes" }, container: false };
    const names = this.dnsNames.get(e.ip);
    if (e.kind === "external" && names && names.length > 0) {
      // The last name credited is the head of the CNAME chain: the name the client asked for.
      const dnsName = names[names.length - 1]!;
      return { group: { kind: "dns", name: dnsName, dnsName }, container: false };
    }
    return { group: { kind: "builtin", name: "external" }, container: false };
  }

  private endpointKey(e: LearnEndpoint): string {
    return e.kind === "workload" || e.kind === "node" ? `${e.kind}:${e.name ?? e.ip}` : `ip:${e.ip}`;
  }

  /** Learn from one connection. */
  add(c: LearnConnection): void {
    this.counts.connections++;
    const from = this.groupOf(c.src);
    const to = this.groupOf(c.dst);
    if (!from || !to || (!from.container && !to.container)) {
      this.counts.skipped++;
      return;
    }
    this.counts.learned++;
    const pair = `${from.group.name}|${to.group.name}`;
    const linkKey = `${this.endpointKey(c.src)}|${this.endpointKey(c.dst)}`;
    let link = this.links.get(linkKey);
    if (!link) {
      link = { apps: new Set(), ports: new Set(), portsSeen: new Set(), appPorts: new Map() };
      this.links.set(linkKey, link);
    }
    let feeds = this.pairLinks.get(pair);
    if (!feeds) this.pairLinks.set(pair, (feeds = new Set()));
    feeds.add(linkKey);
    const ipp = portLink(c.proto, c.dst.port);
    const app = c.app !== undefined && c.app !== "unknown" ? c.app : undefined;
    if (app !== undefined) {
      const seen = link.appPorts.get(app) ?? new Set<string>();
      seen.add(ipp);
      link.appPorts.set(app, seen);
      if (link.apps.has(app)) return;
      // A new app on this link: learn it, and the port it came on stops being a port rule's.
      link.apps.add(app);
      link.portsSeen.add(ipp);
      this.rule(from.group, to.group, "app").objs.add(app);
      if (link.ports.delete(ipp)) this.markRecalc(pair, "port");
      return;
    }
    if (link.ports.has(PORT_ANY)) return;
    link.ports.add(ipp);
    link.portsSeen.add(ipp);
    const r = this.rule(from.group, to.group, "port");
    if (r.objs.has(PORT_ANY)) {
      // The rule went `any` already: this link follows (addSingleLinkPortAny).
      link.ports.clear();
      link.ports.add(PORT_ANY);
    } else if (!r.objs.has(ipp)) {
      r.objs.add(ipp);
      if (r.objs.size > MAX_LEARNED_PORTS) this.portAny(pair, r);
    }
  }

  private rule(from: LearnedGroup, to: LearnedGroup, kind: LearnKind): RuleState {
    const key = `${from.name}|${to.name}|${kind}`;
    let r = this.rules.get(key);
    if (!r) {
      r = { id: this.nextId++, from, to, kind, objs: new Set(), recalc: false };
      this.rules.set(key, r);
    }
    return r;
  }

  private markRecalc(pair: string, kind: LearnKind): void {
    const r = this.rules.get(`${pair}|${kind}`);
    if (r) r.recalc = true;
  }

  /** replaceLearnedRulePortAny: the rule and every link of its pair go to port `any`. */
  private portAny(pair: string, r: RuleState): void {
    for (const k of this.pairLinks.get(pair) ?? []) {
      const l = this.links.get(k)!;
      for (const p of r.objs) l.ports.delete(p);
      l.ports.add(PORT_ANY);
    }
    r.objs = new Set([PORT_ANY]);
  }

  /** recalcLearnedRule: a port rule's ports are its links' ports; `any` absorbs the rest. */
  private recalc(pair: string, r: RuleState): void {
    const objs = new Set<string>();
    for (const k of this.pairLinks.get(pair) ?? []) for (const p of this.links.get(k)!.ports) objs.add(p);
    r.objs = objs.has(PORT_ANY) ? new Set([PORT_ANY]) : objs;
    r.recalc = false;
  }

  /** The learned rules, in id order; rules whose every port was replaced by an app are gone. */
  result(): LearnedRule[] {
    const out: LearnedRule[] = [];
    for (const r of this.rules.values()) {
      const pair = `${r.from.name}|${r.to.name}`;
      if (r.recalc) this.recalc(pair, r);
      if (r.objs.size === 0) continue;
      const appPorts = new Map<string, Set<string>>();
      if (r.kind === "app") {
        for (const k of this.pairLinks.get(pair) ?? []) {
          for (const [app, ports] of this.links.get(k)!.appPorts) {
            if (!r.objs.has(app)) continue;
            const s = appPorts.get(app) ?? new Set<string>();
            for (const p of ports) s.add(p);
            appPorts.set(app, s);
          }
        }
      }
      const ports = r.kind === "port" ? sortPorts([...r.objs]) : sortPorts([...new Set([...appPorts.values()].flatMap((s) => [...s]))]);
      out.push({ id: r.id, from: r.from, to: r.to, kind: r.kind, apps: r.kind === "app" ? [...r.objs].sort() : [], ports, appPorts });
    }
    return out.sort((a, b) => a.id - b.id);
  }
}

/** `tcp/80` before `tcp/443` before `udp/53`, `icmp` and `any` last. */
export function sortPorts(ports: string[]): string[] {
  const key = (p: string) => {
    const m = /^(tcp|udp)\/(\d+)$/.exec(p);
    return m ? [m[1] === "tcp" ? 0 : 1, Number(m[2])] : [2, 0];
  };
  return ports.sort((a, b) => {
    const [x1, y1] = key(a);
    const [x2, y2] = key(b);
    return x1! - x2! || y1! - y2! || a.localeCompare(b);
  });
}

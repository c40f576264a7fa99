/**
 * Events out of the packet path: raw EV_* records from the engine's ring become typed events with
 * names (workloads, groups, rules' applications, threats) and print as NDJSON (docs/formats.md
 * "Events and flow records"). Endpoint names and groups come from the inventory and the module
 * metadata; threat names, ids and slugs from the catalog (common/threats.ts).
 */
import * as A from "../../common/abi.js";
import * as P from "../../common/abi-packet.js";
import type { MetaGroup } from "../../common/abi-meta.js";
import { APP_UNKNOWN, appById } from "../../common/apps.js";
import { formatIp, parseIp } from "../../common/ip.js";
import { ACTIONS, MODES, type Action, type EndpointKind, type Inventory, type Mode } from "../../common/schema.js";
import { THREATS, type Severity } from "../../common/threats.js";
import { nameMatches } from "../host/dns-region.js";
import type { MembershipMatcher } from "../host/membership.js";
import { severityName } from "../threat-config.js";
import { readAddr } from "./dns.js";

export type PacketEventType = "violation" | "deny" | "learn" | "reset" | "flow-end" | "threat";
/** What a threat did: its flow denied from now on, denied and reset both ways, or only reported. */
export type ThreatActionTaken = "deny" | "reset" | "report";
export type FlowEndReason = "closed" | "reset" | "timeout" | "evicted" | "flush";
export type TcpState = "syn-sent" | "syn-received" | "established" | "fin-wait" | "closing" | "closed";

export interface PacketEndpoint {
  ip: string;
  /** Transport port (tcp/udp; the echo identifier for ICMP echo). */
  port?: number;
  kind: EndpointKind;
  /** `namespace/name` of a workload, the node name of a node. */
  name?: string;
  /** Groups known on the host: built-ins, service and criteria groups, DNS-name groups by resolution. */
  groups: string[];
}

export interface PacketEvent {
  type: PacketEventType;
  /** RFC 3339 UTC with nanoseconds: the packet time the event happened at. */
  time: string;
  /**
   * The flow's id; 0 for a teardrop or ping of death raised at a fragment of a datagram that has
   * no flow yet: its endpoints are the fragment's, `rule` and `mode` the policy's decision for the
   * 5-tuple, counts zero, `first` and `last` the event's time (docs/threats.md "The threat event").
   */
  flow: number;
  /** Threat events, and resets a threat caused: NeuVector's name, its threat id, the nvp slug. */
  threat?: string;
  id?: number;
  slug?: string;
  /** Threat events only. */
  severity?: Severity;
  proto: "tcp" | "udp" | "icmp" | number;
  /** The connection's initiator (SYN sender, first sender otherwise) and responder. */
  src: PacketEndpoint;
  dst: PacketEndpoint;
  /** Absent: not yet identified; `unknown`: inspected, not recognised. */
  app?: string;
  /** How the application was named (docs/protocols.md "Confidence"); only with an application. */
  confidence?: Confidence;
  /** Flow-end records of a flow without an application: why, and the payload bytes DPI looked at. */
  unidentified?: { reason: UnidentifiedReason; bytes: number };
  /** The VLAN the flow was seen on (the outer tag; `innerVlan` the second tag of QinQ). */
  vlan?: number;
  innerVlan?: number;
  /** The outermost tunnel the flow was carried in: its kind, id (VNI, GRE key, ERSPAN session) and endpoints. */
  tunnel?: { type: TunnelType; id: number; src: string; dst: string };
  rule: number;
  mode?: Mode;
  /** The flow's policy verdict; for a threat event, what the threat did. */
  action: Action | ThreatActionTaken;
  /** Threat events: what the detector saw (printable ASCII, at most 64 bytes). */
  evidence?: string;
  awaiting?: "app" | "host";
  /** The X-Forwarded-For lookup, when it ran. */
  xff?: { ip: string; rule: number; action: Action };
  /** [initiator → responder, responder → initiator]. */
  packets: [number, number];
  bytes: [number, number];
  first: string;
  last: string;
  /** flow-end only. */
  end?: FlowEndReason;
  state?: TcpState;
}

export const TYPES: Record<number, PacketEventType> = {
  [P.EVT_VIOLATION]: "violation",
  [P.EVT_DENY]: "deny",
  [P.EVT_LEARN]: "learn",
  [P.EVT_RESET]: "reset",
  [P.EVT_FLOW_END]: "flow-end",
  [P.EVT_THREAT]: "threat",
};
export const THREAT_ACTIONS: Record<number, ThreatActionTaken> = { [P.TA_REPORT]: "report", [P.TA_DENY]: "deny", [P.TA_RESET]: "reset" };
const latin1 = new TextDecoder("latin1");
export const ENDS: Record<number, FlowEndReason> = {
  [P.END_CLOSED]: "closed",
  [P.END_RESET]: "reset",
  [P.END_TIMEOUT]: "timeout",
  [P.END_EVICTED]: "evicted",
  [P.END_FLUSH]: "flush",
};
export const STATES: Record<number, TcpState> = {
  [P.TS_SYN_SENT]: "syn-sent",
  [P.TS_SYN_RECV]: "syn-received",
  [P.TS_ESTABLISHED]: "established",
  [P.TS_FIN_WAIT]: "fin-wait",
  [P.TS_CLOSING]: "closing",
  [P.TS_CLOSED]: "closed",
};
export const KINDS: Record<number, EndpointKind> = { [A.KIND_WORKLOAD]: "workload", [A.KIND_NODE]: "node", [A.KIND_INTERNAL]: "internal", [A.KIND_EXTERNAL]: "external" };

let lastSecond = -1n;
let lastPrefix = "";

/** RFC 3339 with nanoseconds for a time in ns since the epoch (the second's text is cached). */
export function isoNs(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  if (sec !== lastSecond) {
    lastSecond = sec;
    lastPrefix = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  }
  return `${lastPrefix}.${(ns - sec * 1_000_000_000n).toString().padStart(9, "0")}Z`;
}

export function protoName(p: number): "tcp" | "udp" | "icmp" | number {
  return p === 6 ? "tcp" : p === 17 ? "udp" : p === 1 || p === 58 ? "icmp" : p;
}

/** An application id as events name it: absent (0), `unknown`, or NeuVector's name. */
export function appName(id: number): string | undefined {
  if (id === A.APP_UNIDENTIFIED) return undefined;
  if (id === APP_UNKNOWN) return "unknown";
  return appById(id)?.name ?? "unknown";
}

/** Addresses whose names and groups are kept; past this the cache starts again. */
const DESCRIBE_CACHE = 65536;

/** Names and groups of addresses, from the inventory, the metadata and the DNS resolutions. */
export class EndpointNamer {
  private readonly byIp = new Map<bigint, { name: string; groups: number[] }>();
  private readonly cache = new Map<string, EndpointDescription>();
  /**
   * Descriptions of addresses that are neither in the inventory nor resolved from a DNS name, by
   * address class and kind: shared by every such address, so a replay of millions of outside
   * addresses describes a handful of classes, not each address.
   */
  private readonly byClass = new Map<number, EndpointDescription>();
  private names = new Map<string, readonly bigint[]>();
  private namedIps = new Set<bigint>();
  /** Counts setResolutions() calls: what was derived from describe() holds while it stays. */
  generation = 0;

  /**
   * `addressClass` gives the table's address class of an address, `classGroups` the address
   * groups (indexes into `groups`) whose IPs, CIDRs or ranges hold the class's addresses.
   */
  constructor(
    private readonly groups: readonly MetaGroup[],
    inventory: Inventory,
    matcher: MembershipMatcher,
    private readonly addressClass: (ip: bigint) => number,
    private readonly classGroups: (cls: number) => readonly number[],
  ) {
    for (const w of inventory.workloads) {
      const m = matcher.of(w);
      for (const t of w.ips) {
        const ip = parseIp(String(t).trim());
        if (ip !== null && !this.byIp.has(ip)) this.byIp.set(ip, { name: `${w.namespace}/${w.name}`, groups: m.groups });
      }
    }
    for (const n of inventory.nodes) {
      for (const t of n.ips) {
        const ip = parseIp(String(t).trim());
        if (ip !== null && !this.byIp.has(ip)) this.byIp.set(ip, { name: n.name, groups: [] });
      }
    }
  }

  /** The current name → addresses resolutions (host-given and snooped). */
  setResolutions(names: Map<string, readonly bigint[]>): void {
    this.names = names;
    this.namedIps = new Set([...names.values()].flat());
    this.cache.clear();
    this.generation++;
  }

  /**
   * The endpoint's name and groups. The same object comes back for the same address and kind
   * while nothing changed (callers may cache what they derive from it by identity).
   */
  describe(ip: bigint, kind: EndpointKind): EndpointDescription {
    const known = this.byIp.get(ip);
    if (!known && !this.namedIps.has(ip)) {
      const cls = this.addressClass(ip);
      const key = cls * 8 + KIND_ORDER.indexOf(kind);
      let d = this.byClass.get(key);
      if (!d) this.byClass.set(key, (d = this.build(ip, kind, undefined, this.classGroups(cls))));
      return d;
    }
    const key = `${ip}|${kind}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out = this.build(ip, kind, known, this.classGroups(this.addressClass(ip)));
    // Bounded: a replay of millions of resolved addresses must not keep them all.
    if (this.cache.size >= DESCRIBE_CACHE) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }

  private build(ip: bigint, kind: EndpointKind, known: { name: string; groups: number[] } | undefined, addressGroups: readonly number[]): EndpointDescription {
    const idx = new Set<number>(kind === "workload" ? (known?.groups ?? []) : []);
    this.groups.forEach((g, i) => {
      if (g.kind !== "builtin") return;
      const b = g.builtin ?? g.name;
      if (b === "any" || (b === "containers" && kind === "workload") || (b === "nodes" && kind === "node") || (b === "external" && kind === "external")) idx.add(i);
    });
    for (const g of addressGroups) idx.add(g);
    if (this.namedIps.has(ip)) {
      for (const [name, ips] of this.names) {
        if (!ips.includes(ip)) continue;
        this.groups.forEach((g, i) => {
          if ((g.dns ?? []).some((d) => nameMatches(name, d.name, d.wildcard))) idx.add(i);
        });
      }
    }
    const out: EndpointDescription = { groups: [...idx].sort((a, b) => a - b).map((i) => this.groups[i]?.name ?? String(i)) };
    if (known && (kind === "workload" || kind === "node")) out.name = known.name;
    return out;
  }
}

export interface EndpointDescription {
  name?: string;
  groups: string[];
}

const KIND_ORDER: readonly EndpointKind[] = ["workload", "node", "internal", "external"];

export type Confidence = "certain" | "likely" | "port-guess";
export type UnidentifiedReason = "no-payload" | "one-sided" | "rejected" | "gave-up" | "not-inspected";
export type TunnelType = "ip-in-ip" | "gre" | "erspan" | "vxlan" | "geneve";
export const CONFIDENCES: Record<number, Confidence> = { [P.CONF_CERTAIN]: "certain", [P.CONF_LIKELY]: "likely", [P.CONF_PORT_GUESS]: "port-guess" };
export const UNIDENTIFIED: Record<number, UnidentifiedReason> = {
  [P.UNID_NO_PAYLOAD]: "no-payload",
  [P.UNID_ONE_SIDED]: "one-sided",
  [P.UNID_REJECTED]: "rejected",
  [P.UNID_GAVE_UP]: "gave-up",
  [P.UNID_NOT_INSPECTED]: "not-inspected",
};
export const TUNNELS: Record<number, TunnelType> = { [P.TUN_IPIP]: "ip-in-ip", [P.TUN_GRE]: "gre", [P.TUN_ERSPAN]: "erspan", [P.TUN_VXLAN]: "vxlan", [P.TUN_GENEVE]: "geneve" };

/**
 * The flow-record fields of issue 14 (confidence or why unidentified, VLAN, tunnel; absent when
 * they do not apply) in the order the event object and the NDJSON encoder put them.
 */
export function flowFields(view: DataView, at: number, type: number, app: string | undefined): Pick<PacketEvent, "confidence" | "unidentified" | "vlan" | "innerVlan" | "tunnel"> {
  const out: Pick<PacketEvent, "confidence" | "unidentified" | "vlan" | "innerVlan" | "tunnel"> = {};
  const named = app !== undefined && app !== "unknown";
  const conf = CONFIDENCES[view.getUint8(at + P.EV_CONFIDENCE)];
  if (named && conf) out.confidence = conf;
  const why = UNIDENTIFIED[view.getUint8(at + P.EV_UNIDENTIFIED)];
  if (type === P.EVT_FLOW_END && !named && why) out.unidentified = { reason: why, bytes: view.getUint32(at + P.EV_DPI_BYTES, true) };
  const vlan = view.getUint32(at + P.EV_VLAN, true);
  if (vlan !== 0) {
    out.vlan = vlan >>> 12 || vlan & 0xfff;
    if (vlan >>> 12 && vlan & 0xfff) out.innerVlan = vlan & 0xfff;
  }
  const tun = TUNNELS[view.getUint8(at + P.EV_TUNNEL)];
  if (tun) out.tunnel = { type: tun, id: view.getUint32(at + P.EV_TUNNEL_ID, true), src: formatIp(readAddr(view, at + P.EV_OUTER_SRC)), dst: formatIp(readAddr(view, at + P.EV_OUTER_DST)) };
  return out;
}

/** Decode the event record at `at`. */
export function decodeEvent(view: DataView, at: number, namer: EndpointNamer): PacketEvent | undefined {
  const type = TYPES[view.getUint8(at + P.EV_TYPE)];
  if (!type) return undefined;
  const proto = view.getUint8(at + P.EV_PROTO);
  const ported = proto === 6 || proto === 17 || proto === 1 || proto === 58;
  const side = (addrAt: number, portAt: number, kindAt: number): PacketEndpoint => {
    const ip = readAddr(view, at + addrAt);
    const kind = KINDS[view.getUint8(at + kindAt)] ?? "external";
    const d = namer.describe(ip, kind);
    const e: PacketEndpoint = { ip: formatIp(ip), kind, groups: d.groups };
    if (ported) e.port = view.getUint16(at + portAt, true);
    if (d.name !== undefined) e.name = d.name;
    return e;
  };
  const at8 = (off: number) => view.getUint8(at + off);
  const ev = {
    type,
    time: isoNs(view.getBigUint64(at + P.EV_TIME, true)),
    flow: view.getUint32(at + P.EV_FLOW, true),
  } as PacketEvent;
  // Key order is the NDJSON's: identity, the threat, then the verdict, then the counts.
  const threat = THREATS[at8(P.EV_THREAT) - 1];
  if (threat) {
    ev.threat = threat.name;
    ev.id = threat.id;
    ev.slug = threat.slug;
  }
  if (type === "threat") {
    ev.severity = severityName(at8(P.EV_SEVERITY));
    ev.action = THREAT_ACTIONS[at8(P.EV_TACTION)] ?? "report";
    const n = Math.min(at8(P.EV_EVIDENCE_LEN), P.EVIDENCE_MAX);
    ev.evidence = latin1.decode(new Uint8Array(view.buffer, view.byteOffset + at + P.EV_EVIDENCE, n));
  }
  ev.proto = protoName(proto);
  ev.src = side(P.EV_CLIENT, P.EV_CPORT, P.EV_CLIENT_KIND);
  ev.dst = side(P.EV_SERVER, P.EV_SPORT, P.EV_SERVER_KIND);
  const app = appName(view.getUint32(at + P.EV_APP, true));
  if (app !== undefined) ev.app = app;
  Object.assign(ev, flowFields(view, at, view.getUint8(at + P.EV_TYPE), app));
  ev.rule = view.getUint32(at + P.EV_RULE, true);
  // A threat event's action is what the threat did (set above); a reset a threat caused drops
  // the flow whatever its policy verdict said.
  if (type !== "threat") ev.action = threat && type === "reset" ? "deny" : (ACTIONS[at8(P.EV_ACTION)] ?? "deny");
  const mode = [undefined, ...MODES][at8(P.EV_MODE)];
  if (mode !== undefined) ev.mode = mode;
  const aw = at8(P.EV_AWAIT);
  if (ev.action === "pending" && aw === A.AWAIT_APP) ev.awaiting = "app";
  if (ev.action === "pending" && aw === A.AWAIT_HOST) ev.awaiting = "host";
  if (at8(P.EV_XFF)) ev.xff = { ip: formatIp(readAddr(view, at + P.EV_XADDR)), rule: view.getUint32(at + P.EV_XRULE, true), action: ACTIONS[at8(P.EV_XACTION)] ?? "deny" };
  ev.packets = [view.getUint32(at + P.EV_PKTS_C, true), view.getUint32(at + P.EV_PKTS_S, true)];
  ev.bytes = [Number(view.getBigUint64(at + P.EV_BYTES_C, true)), Number(view.getBigUint64(at + P.EV_BYTES_S, true))];
  ev.first = isoNs(view.getBigUint64(at + P.EV_FIRST, true));
  ev.last = isoNs(view.getBigUint64(at + P.EV_LAST, true));
  if (type === "flow-end") ev.end = ENDS[at8(P.EV_END)] ?? "timeout";
  const state = STATES[at8(P.EV_STATE)];
  if (proto === 6 && state) ev.state = state;
  return ev;
}

/** One NDJSON line. */
export function eventLine(e: PacketEvent): string {
  return JSON.stringify(e);
}

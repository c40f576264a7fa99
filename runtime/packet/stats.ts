/**
 * Packet-path counters (common/abi-packet.ts C_*) as a typed object, and per-packet verdict
 * decoding. Both read engine memory the way docs/formats.md "Events and flow records" describes.
 */
import * as P from "../../common/abi-packet.js";
import { ACTIONS, type Action } from "../../common/schema.js";
import { THREATS } from "../../common/threats.js";
import { appName } from "./events.js";

/** Malformed-packet reasons by MR_* code. */
export const MALFORMED_REASONS = [
  "none",
  "too-short",
  "bad-version",
  "bad-ihl",
  "bad-total-length",
  "bad-ip-options",
  "bad-fragment",
  "bad-ext-header",
  "ext-chain-too-long",
  "truncated-l4",
  "bad-tcp-offset",
  "bad-tcp-options",
  "bad-tcp-flags",
  "bad-udp-length",
  "bad-icmp",
  "not-ip",
  "bad-tunnel",
  "tunnel-not-ip",
  "tunnel-too-deep",
] as const;
export type MalformedReason = (typeof MALFORMED_REASONS)[number];

/** `skip`: not decided (malformed, or no IP header); `hold`: a fragment waiting for the rest. */
export type PacketAction = Action | "skip" | "hold";

export interface PacketVerdict {
  action: PacketAction;
  /** The deciding rule (0: implicit); for `pending`, the rule awaiting data. */
  rule: number;
  /** The flow's id (0 for skip and hold). */
  flow: number;
  app?: string;
  malformed?: MalformedReason;
  notIp?: true;
  /** This packet opened the flow. */
  new?: true;
  /** The flow was (re)decided on this packet. */
  decided?: true;
  /** Late deny: reset the connection both ways. */
  reset?: true;
  /** The packet went from the responder to the initiator. */
  reply?: true;
  /** The packet completed a fragmented datagram; `overlap` when its fragments overlapped. */
  reassembled?: true;
  overlap?: true;
  /** The threat (slug, docs/threats.md) raised on this packet, or the one that blocked its flow. */
  threat?: string;
  /** The threat was raised on this packet (its event was emitted). */
  threatRaised?: true;
}

/** The threat fields of a verdict (a held or malformed fragment can raise teardrop or ping of death). */
function withThreat(view: DataView, at: number, v: PacketVerdict): PacketVerdict {
  const t = view.getUint8(at + P.PV_THREAT);
  if (t > 0) v.threat = THREATS[t - 1]?.slug ?? String(t - 1);
  if (view.getUint8(at + P.PV_FLAGS) & P.PVF_THREAT) v.threatRaised = true;
  return v;
}

export function decodeVerdict(view: DataView, at: number): PacketVerdict {
  const status = view.getUint8(at + P.PV_STATUS);
  if (status === P.PVS_MALFORMED) return withThreat(view, at, { action: "skip", rule: 0, flow: 0, malformed: MALFORMED_REASONS[view.getUint8(at + P.PV_REASON)] ?? "too-short" });
  if (status === P.PVS_NOT_IP) return { action: "skip", rule: 0, flow: 0, notIp: true };
  if (status === P.PVS_HELD) return withThreat(view, at, { action: "hold", rule: 0, flow: 0 });
  const v: PacketVerdict = {
    action: ACTIONS[view.getUint8(at + P.PV_ACTION)] ?? "deny",
    rule: view.getUint32(at + P.PV_RULE, true),
    flow: view.getUint32(at + P.PV_FLOW, true),
  };
  const app = appName(view.getUint32(at + P.PV_APP, true));
  if (app !== undefined) v.app = app;
  const f = view.getUint8(at + P.PV_FLAGS);
  if (f & P.PVF_NEW) v.new = true;
  if (f & P.PVF_DECIDED) v.decided = true;
  if (f & P.PVF_RESET) v.reset = true;
  if (f & P.PVF_REPLY) v.reply = true;
  if (f & P.PVF_REASSEMBLED) v.reassembled = true;
  if (f & P.PVF_OVERLAP) v.overlap = true;
  return withThreat(view, at, v);
}

/** Verdict tally slots: the five actions (common/abi.ts ACT_* order), then hold and skip. */
export const TALLY_KEYS: readonly PacketAction[] = [...ACTIONS, "hold", "skip"];

/** The tally slot of a verdict record's status and action bytes (counting without a string or object). */
export function verdictSlot(status: number, action: number): number {
  if (status === P.PVS_OK) return action < ACTIONS.length ? action : ACTIONS.indexOf("deny");
  return status === P.PVS_HELD ? ACTIONS.length : ACTIONS.length + 1;
}

export interface PacketStats {
  packets: number;
  /** Bytes on the wire from the IP header on. */
  bytes: number;
  /** Packets captured shorter than their IP length (decoded with what is there). */
  truncated: number;
  notIp: number;
  /** Packets decoded inside a tunnel (IP-in-IP, GRE, ERSPAN, VXLAN, Geneve: docs/formats.md). */
  tunneled: number;
  malformed: { total: number } & Partial<Record<MalformedReason, number>>;
  flows: { active: number; peak: number; created: number; ended: number; timedOut: number; evictedEmbryonic: number; evictedIdle: number };
  fragments: { seen: number; reassembled: number; active: number; timeouts: number; evicted: number; overlaps: number; tooBig: number };
  dpi: { prefixActive: number; prefixExhausted: number; outOfOrderHeld: number; outOfOrderDropped: number; identified: number; unknown: number; gaveUp: number };
  decisions: { first: number; again: number; resets: number; deniedPackets: number; pendingPackets: number };
  dns: { responses: number; malformed: number; names: number; added: number; evicted: number; expired: number };
  /**
   * Threats reported, flows a threat blocked (Protect), reports by threat slug (those above zero),
   * and stream directions whose inspection stopped at a gap (docs/threats.md "Streams").
   */
  threats: { reported: number; blockedFlows: number; byThreat: Record<string, number>; streamGaps: number };
  /** Emitted by the engine; dropped by the engine's full ring or the host's full queue; queued for drainEvents. */
  events: { emitted: number; dropped: number; queued: number };
  memory: { engineBytes: number; packetRegionBytes: number; usedBytes: number };
}

/** What the engine counts (stats() adds the host's queue and memory). */
export type EngineCounters = Omit<PacketStats, "memory" | "events"> & { events: { emitted: number; dropped: number } };

/** Gauges: what is true now, of the live engine only; every other counter adds up over engines. */
const GAUGES = new Set(["flows.active", "fragments.active", "dpi.prefixActive", "dns.names"]);

/**
 * The counters of engines swapped out (`before`) and of the live one: counts add, gauges are the
 * live engine's, a peak is the highest.
 */
export function addCounters(before: EngineCounters, live: EngineCounters): EngineCounters {
  const add = (a: Record<string, unknown>, b: Record<string, unknown>, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...b };
    for (const [k, v] of Object.entries(a)) {
      const key = path + k;
      const w = b[k];
      if (typeof v === "object" && v !== null) out[k] = add(v as Record<string, unknown>, (w ?? {}) as Record<string, unknown>, `${key}.`);
      else if (GAUGES.has(key)) out[k] = w ?? 0;
      else if (key === "flows.peak") out[k] = Math.max(v as number, (w ?? 0) as number);
      else out[k] = (v as number) + ((w ?? 0) as number);
    }
    return out;
  };
  return add(before as unknown as Record<string, unknown>, live as unknown as Record<string, unknown>, "") as unknown as EngineCounters;
}

export function readStats(view: DataView, at: number): EngineCounters {
  const c = (i: number) => Number(view.getBigUint64(at + i * 8, true));
  const malformed: PacketStats["malformed"] = { total: c(P.C_MALFORMED) };
  const byThreat: Record<string, number> = {};
  for (const t of THREATS) {
    const n = c(P.C_THREATS_BY + t.code);
    if (n > 0) byThreat[t.slug] = n;
  }
  for (let r = 1; r < P.MR_COUNT; r++) {
    const n = c(P.C_MALFORMED_BY + r);
    if (n > 0) malformed[MALFORMED_REASONS[r] as MalformedReason] = n;
  }
  return {
    packets: c(P.C_PACKETS),
    bytes: c(P.C_BYTES),
    truncated: c(P.C_TRUNCATED),
    notIp: c(P.C_NOT_IP),
    tunneled: c(P.C_TUNNELED),
    malformed,
    flows: {
      active: c(P.C_FLOWS_ACTIVE),
      peak: c(P.C_FLOWS_PEAK),
      created: c(P.C_FLOWS_CREATED),
      ended: c(P.C_FLOWS_ENDED),
      timedOut: c(P.C_FLOWS_TIMED_OUT),
      evictedEmbryonic: c(P.C_FLOWS_EVICTED_EMBRYONIC),
      evictedIdle: c(P.C_FLOWS_EVICTED_IDLE),
    },
    fragments: {
      seen: c(P.C_FRAGMENTS),
      reassembled: c(P.C_FRAG_REASSEMBLED),
      active: c(P.C_FRAGS_ACTIVE),
      timeouts: c(P.C_FRAG_TIMEOUTS),
      evicted: c(P.C_FRAG_EVICTED),
      overlaps: c(P.C_FRAG_OVERLAPS),
      tooBig: c(P.C_FRAG_TOO_BIG),
    },
    dpi: {
      prefixActive: c(P.C_PREFIX_ACTIVE),
      prefixExhausted: c(P.C_PREFIX_EXHAUSTED),
      outOfOrderHeld: c(P.C_OOO_HELD),
      outOfOrderDropped: c(P.C_OOO_DROPPED),
      identified: c(P.C_DPI_IDENTIFIED),
      unknown: c(P.C_DPI_UNKNOWN),
      gaveUp: c(P.C_DPI_GAVE_UP),
    },
    decisions: { first: c(P.C_DECISIONS), again: c(P.C_REDECISIONS), resets: c(P.C_RESETS), deniedPackets: c(P.C_DENIED_PACKETS), pendingPackets: c(P.C_PENDING_PACKETS) },
    dns: { responses: c(P.C_DNS_RESPONSES), malformed: c(P.C_DNS_MALFORMED), names: c(P.C_DNS_NAMES), added: c(P.C_DNS_ADDED), evicted: c(P.C_DNS_EVICTED), expired: c(P.C_DNS_EXPIRED) },
    threats: { reported: c(P.C_THREATS), blockedFlows: c(P.C_THREAT_BLOCKS), byThreat, streamGaps: c(P.C_STREAM_GAPS) },
    events: { emitted: c(P.C_EVENTS), dropped: c(P.C_EVENTS_DROPPED) },
  };
}

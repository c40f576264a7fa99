/**
 * Packet-path settings: every bound of the engine's packet region (flows, prefix buffers, fragment
 * slots, events, snooped DNS names, batch size, rate meters, Service externalIPs), the idle
 * timeouts and the switches (DPI, DNS snooping, threat detection), with the documented
 * defaults (docs/formats.md "Events and flow records"). Written into engine memory as the
 * PS_* record of common/abi-packet.ts; the engine checks them again and sizes its pools from them.
 */
import * as P from "../../common/abi-packet.js";

export interface PacketTimeouts {
  /** Embryonic TCP (SYN sent, SYN-ACK seen), seconds. */
  syn: number;
  established: number;
  /** One or both sides sent FIN. */
  fin: number;
  /** Closed by RST or the last ACK: kept briefly for stray packets. */
  closed: number;
  udp: number;
  icmp: number;
  /** Other IP protocols. */
  other: number;
  /** A fragmented datagram not complete this long after its first fragment is dropped. */
  fragment: number;
}

export interface PacketSettings {
  /** Flow table capacity; a full table evicts the oldest embryonic, then the oldest idle flow. */
  flows: number;
  /** DPI prefix buffers (2 × 2 KiB each), taken by flows still being identified. */
  prefixSlots: number;
  /** Fragment reassembly slots, and the largest datagram one can hold (bytes). */
  fragSlots: number;
  fragBytes: number;
  /** Event ring capacity (a power of two). */
  events: number;
  /** Snooped DNS names kept (NeuVector: 2048); the one answered longest ago is evicted. */
  dnsNames: number;
  /** Floor on a snooped answer's TTL, seconds. */
  dnsMinTtl: number;
  /** Packets and packet bytes per engine call (larger batches are split). */
  batchPackets: number;
  batchBytes: number;
  timeouts: PacketTimeouts;
  /** Identify applications (off: every flow is decided with the application unknown). */
  dpi: boolean;
  /** Learn name → address resolutions from DNS answers on the wire. */
  dnsSnoop: boolean;
  /** Threat detection (docs/threats.md); off: no detector runs, nothing is reported or blocked. */
  threats: boolean;
  /**
   * Name a flow that carried payload but that content left unknown by its server port, in its
   * flow-end record only (confidence `port-guess`); rule matching never sees the guess
   * (docs/protocols.md, "Port guesses"). Off by default: ports never decide.
   */
  portGuess: boolean;
  /** Rate-meter entries for the rate detections (floods), a power of two, 32 bytes each. */
  meterSlots: number;
  /** Service externalIPs the engine holds (the inventory's `serviceExternalIps`, for k8s-mitm). */
  externalIps: number;
}

export const DEFAULT_PACKET_SETTINGS: Readonly<PacketSettings> = Object.freeze({
  flows: 65536,
  prefixSlots: 2048,
  fragSlots: 32,
  fragBytes: 65536,
  events: 8192,
  dnsNames: 2048,
  dnsMinTtl: 300,
  batchPackets: 256,
  batchBytes: 2 * 1024 * 1024,
  timeouts: Object.freeze({ syn: 30, established: 3600, fin: 30, closed: 10, udp: 60, icmp: 10, other: 60, fragment: 30 }),
  dpi: true,
  dnsSnoop: true,
  threats: true,
  portGuess: false,
  meterSlots: 65536,
  externalIps: 4096,
});

export type PacketSettingsInput = Partial<Omit<PacketSettings, "timeouts">> & { timeouts?: Partial<PacketTimeouts> };

function int(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`packet setting \`${name}\` must be an integer in ${lo}..${hi}, got ${String(v)}`);
  return v;
}

/** Defaults overridden by `input`, every value checked against the engine's limits (RangeError). */
export function resolveSettings(input: PacketSettingsInput = {}): PacketSettings {
  const d = DEFAULT_PACKET_SETTINGS;
  const s: PacketSettings = { ...d, ...input, timeouts: { ...d.timeouts, ...(input.timeouts ?? {}) } };
  int("flows", s.flows, P.PKT_FLOW_CAP_MIN, P.PKT_FLOW_CAP_MAX);
  int("prefixSlots", s.prefixSlots, 0, P.PKT_PREFIX_SLOTS_MAX);
  int("fragSlots", s.fragSlots, 0, P.PKT_FRAG_SLOTS_MAX);
  int("fragBytes", s.fragBytes, P.PKT_FRAG_BYTES_MIN, P.PKT_FRAG_BYTES_MAX);
  int("events", s.events, P.PKT_EVENT_CAP_MIN, P.PKT_EVENT_CAP_MAX);
  if ((s.events & (s.events - 1)) !== 0) throw new RangeError(`packet setting \`events\` must be a power of two, got ${s.events}`);
  int("dnsNames", s.dnsNames, 0, P.PKT_DNS_NAMES_MAX);
  int("dnsMinTtl", s.dnsMinTtl, 0, 0x7fffffff);
  int("batchPackets", s.batchPackets, 1, P.PKT_BATCH_PKTS_MAX);
  int("batchBytes", s.batchBytes, P.PKT_BATCH_BYTES_MIN, P.PKT_BATCH_BYTES_MAX);
  int("meterSlots", s.meterSlots, P.PKT_METER_SLOTS_MIN, P.PKT_METER_SLOTS_MAX);
  if ((s.meterSlots & (s.meterSlots - 1)) !== 0) throw new RangeError(`packet setting \`meterSlots\` must be a power of two, got ${s.meterSlots}`);
  int("externalIps", s.externalIps, 0, P.PKT_EXT_IPS_MAX);
  for (const [k, v] of Object.entries(s.timeouts)) int(`timeouts.${k}`, v, 0, 0x7fffffff);
  return s;
}

/** The PS_* record at `at` of `mem`. */
export function writeSettings(mem: DataView, at: number, s: PacketSettings, patternBytes: number): void {
  const put = (off: number, v: number) => mem.setUint32(at + off, v >>> 0, true);
  put(P.PS_MAGIC, P.PACKET_MAGIC);
  put(P.PS_FLOW_CAP, s.flows);
  put(P.PS_PREFIX_SLOTS, s.prefixSlots);
  put(P.PS_FRAG_SLOTS, s.fragSlots);
  put(P.PS_FRAG_BYTES, s.fragBytes);
  put(P.PS_EVENT_CAP, s.events);
  put(P.PS_DNS_NAMES, s.dnsNames);
  put(P.PS_BATCH_PKTS, s.batchPackets);
  put(P.PS_BATCH_BYTES, s.batchBytes);
  put(P.PS_PATTERN_BYTES, patternBytes);
  put(P.PS_TO_SYN, s.timeouts.syn);
  put(P.PS_TO_EST, s.timeouts.established);
  put(P.PS_TO_FIN, s.timeouts.fin);
  put(P.PS_TO_CLOSED, s.timeouts.closed);
  put(P.PS_TO_UDP, s.timeouts.udp);
  put(P.PS_TO_ICMP, s.timeouts.icmp);
  put(P.PS_TO_OTHER, s.timeouts.other);
  put(P.PS_TO_FRAG, s.timeouts.fragment);
  put(P.PS_DNS_MIN_TTL, s.dnsMinTtl);
  put(P.PS_METER_SLOTS, s.meterSlots);
  put(P.PS_EXT_IPS, s.externalIps);
  put(P.PS_FLAGS, (s.dpi ? P.PSF_DPI : 0) | (s.dnsSnoop ? P.PSF_DNS_SNOOP : 0) | (s.threats ? P.PSF_THREATS : 0) | (s.portGuess ? P.PSF_PORT_GUESS : 0));
}

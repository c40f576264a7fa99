// Threat state the detectors keep between packets, inside the packet region (sized from the
// settings, never allocated):
// - per flow, THREAT_FLOW_STATE (80) bytes, zeroed when the flow is created: bytes [0, 48) belong
//   to the stream parsers (HTTP, TLS, DNS over TCP, SQL), [48, 64) to packet-level trackers
//   (small window, ICMP tunneling), [64, 80) to the stream feed (stream-feed.ts: the next expected
//   sequence number of each direction, DNS-over-TCP framing). One flow runs one stream parser, so
//   they share [0, 48).
// - the rate meters: PS_METER_SLOTS entries of METER_SIZE (32) bytes, zeroed at pktInit, for rate
//   detectors keyed by (workload, source) and the like; the detectors own the entries' layout.
import { THREAT_FLOW_STATE } from "../abi-packet";
import { FLOW_REC, flows, meters, meterSlots, threatStates } from "../packet/region";

/** Offset of the packet-level trackers' bytes in a flow's threat state. */
export const PACKET_TRACKERS: usize = 48;
/** Offset of the stream feed's bytes in a flow's threat state. */
export const STREAM_FEED: usize = 64;

/** The threat state of flow record `f` (THREAT_FLOW_STATE bytes). */
@inline export function threatState(f: usize): usize {
  return threatStates + ((f - flows) / FLOW_REC) * THREAT_FLOW_STATE;
}

/** The first rate-meter entry; meterCap() entries of METER_SIZE bytes follow. */
@inline export function meterBase(): usize {
  return meters;
}

/** Rate-meter entries (a power of two). */
@inline export function meterCap(): u32 {
  return meterSlots;
}

// Test entry for the rate meter and the flood and per-flow trackers on their own
// (test/threat/trackers-harness.ts compiles it): the functions over a meter area and state blocks
// the host places above heapBase(), the parameters, and the findings. The packet path links the
// tracker files into the engine instead; this entry adds nothing to it.
export { meterHit, meterKey, meterFold, meterLastCount, meterEvictions } from "./meter";
export { synSeen, icmpSeen, dnsQuerySeen, dnsEncodedSeen } from "./flood";
export { icmpEcho } from "./icmp-tunnel";
export { tcpWindow } from "./small-window";
export { setThreatParam } from "./params";
export { findingCount, findingCode, findingEvidence, findingEvidenceLen, clearFindings } from "./found";

/** End of static data: the host's areas go above it. */
export function heapBase(): usize {
  return __heap_base;
}

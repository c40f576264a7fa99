/**
 * The packet region's header (common/abi-packet.ts PH_*) is the host's map of the region: the
 * offsets pktInit publishes there stay put while flows come and go. The flow table keeps its LRU
 * list heads in the header's engine-private bytes (asm/flow/table.ts LIST_AT), after every
 * published field: they once started at byte 160 and overwrote PH_THREAT_STATES with the SYN
 * list's head.
 */
import { expect, test } from "vitest";
import * as P from "../../common/abi-packet.js";
import { capture, engineFor } from "./engine.js";

const PUBLISHED = {
  desc: P.PH_DESC,
  data: P.PH_DATA,
  verdicts: P.PH_VERDICTS,
  events: P.PH_EVENTS,
  counters: P.PH_COUNTERS,
  dnsNames: P.PH_DNS_NAMES,
  patterns: P.PH_PATTERNS,
  length: P.PH_LEN,
  externalIps: P.PH_EXT_IPS,
  meters: P.PH_METERS,
  threatStates: P.PH_THREAT_STATES,
};

test("the offsets in the packet region's header stay as pktInit laid them out while flows open and end", () => {
  const e = engineFor("policy p\nrule 10 allow any -> any\n");
  const inside = e as unknown as { core: { memory: WebAssembly.Memory }; areas: { base: number } };
  const read = () => Object.fromEntries(Object.entries(PUBLISHED).map(([k, off]) => [k, new DataView(inside.core.memory.buffer).getUint32(inside.areas.base + off, true)]));
  const laid = read();
  // The layout order of asm/packet/region.ts: …, patterns (none here), threat states, meters, external IPs.
  expect(laid.threatStates).toBeGreaterThanOrEqual(laid.patterns as number);
  expect(laid.threatStates).toBeGreaterThan(P.PH_SIZE);
  expect(laid.meters).toBeGreaterThan(laid.threatStates as number);
  expect(laid.externalIps).toBeGreaterThanOrEqual(laid.meters as number);
  // Flows in several lists (SYN-only, established, closed, UDP), then every one ended.
  e.feed([...capture("nginx-http.pcap"), ...capture("dns.pcap"), ...capture("postgresql.pcap")]);
  expect(e.stats().flows.active).toBeGreaterThan(0);
  expect(read()).toEqual(laid);
  e.flush();
  expect(e.stats().flows.active).toBe(0);
  expect(read()).toEqual(laid);
});

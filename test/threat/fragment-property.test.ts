/**
 * Teardrop and ping of death at the fragment (asm/threat/fragments.ts) on random fragments of a
 * few UDP and ICMP datagrams (any offset, length, end, order, duplicates, odd sizes, past 65,535
 * bytes): each datagram is reported at most once per detection; in Monitor the verdicts are those
 * with threat detection off; in Protect a fragment is denied only by a threat, and a datagram a
 * threat blocked never reaches a flow.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { icmp, input, ipv4, udp } from "../packet/craft.js";
import { OUTSIDE, WEB, policyPart, runThreats } from "../packet/threats.js";
import { propertyRuns } from "../property-runs.js";

// 80 in CI keeps the first case near 15 s on a busy 2-core machine; NVP_PROPERTY_RUNS=full runs 300.
const RUNS = propertyRuns(80, 300);

interface Frag {
  dgram: number;
  off: number;
  len: number;
  more: boolean;
}

const arbFrag: fc.Arbitrary<Frag> = fc.record({
  dgram: fc.integer({ min: 0, max: 2 }),
  // Offsets in 8-byte units up to the top of the field (65,528 bytes); lengths odd ones too.
  off: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 8191 })).map((u) => u * 8),
  len: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 9000 })),
  more: fc.boolean(),
})
  // Fragments only: offset 0 without more fragments would be a whole packet, a datagram of its own.
  .map((f) => (f.off === 0 ? { ...f, more: true } : f));

/** Datagram 0 and 1 are UDP (to port 53), 2 an echo request: their bytes, cut as the fragment says. */
function packet(f: Frag, i: number): PacketInput {
  const body = f.dgram === 2 ? icmp(8, 0, 9, 1, new Uint8Array(70_000)) : udp(5000 + f.dgram, 53, new Uint8Array(70_000));
  const off = Math.min(f.off, body.length - 1);
  const bytes = body.subarray(off, Math.min(off + f.len, body.length));
  return input(ipv4(OUTSIDE, WEB, f.dgram === 2 ? 1 : 17, bytes, { id: 100 + f.dgram, fragOffset: f.off, more: f.more }), i);
}

const seen = { teardrop: 0, ping: 0 };

/** Run first, so each detection is reported whatever the random cases hold: an overlap, an oversized ping. */
const EXAMPLES: [Frag[], string][] = [
  [
    [
      { dgram: 0, off: 0, len: 64, more: true },
      { dgram: 0, off: 8, len: 64, more: true },
    ],
    "",
  ],
  [
    [
      { dgram: 2, off: 0, len: 64, more: true },
      { dgram: 2, off: 1000, len: 64, more: true },
    ],
    "ping-death.size 576",
  ],
];

test("random fragments: at most one report per datagram and detection; Monitor verdicts as with detection off", () => {
  fc.assert(
    fc.property(fc.array(arbFrag, { minLength: 1, maxLength: 14 }), fc.constantFrom("", "ping-death.size 576"), (frags, settings) => {
      const packets = frags.map(packet);
      const on = runThreats("monitor", packets, { settings });
      const off = runThreats("monitor", packets, { settings, threats: false });
      expect(on.verdicts.map(policyPart)).toEqual(off.verdicts);
      const counts = new Map<string, number>();
      for (const t of on.threats) counts.set(t.slug!, (counts.get(t.slug!) ?? 0) + 1);
      // Once per datagram, and once more each time one completed and its fragments came again.
      const datagrams = new Set(frags.map((f) => f.dgram)).size;
      const again = on.verdicts.filter((v) => v.reassembled).length;
      expect(counts.get("ip-teardrop") ?? 0).toBeLessThanOrEqual(datagrams + again);
      expect(counts.get("ping-death") ?? 0).toBeLessThanOrEqual(frags.some((f) => f.dgram === 2) ? 1 + again : 0);
      seen.teardrop += counts.get("ip-teardrop") ?? 0;
      seen.ping += counts.get("ping-death") ?? 0;
      for (const t of on.threats) expect(["ip-teardrop", "ping-death"]).toContain(t.slug);
      // In Protect only a threat denies (the policy allows the pair).
      const protect = runThreats("protect", packets, { settings });
      protect.verdicts.forEach((v, i) => {
        if (v.action === "deny") expect(v.threat, `packet ${i}`).toBeDefined();
      });
    }),
    { numRuns: RUNS, examples: EXAMPLES },
  );
  // Not vacuous: both were reported along the way (the examples make sure of it).
  expect(seen.teardrop).toBeGreaterThan(0);
  expect(seen.ping).toBeGreaterThan(0);
});

test("one datagram, resent in pieces however it likes, never completes twice and is judged once", () => {
  fc.assert(
    fc.property(fc.array(arbFrag.map((f) => ({ ...f, dgram: 2 })), { minLength: 1, maxLength: 12 }), (frags) => {
      const r = runThreats("monitor", frags.map(packet), { settings: "ping-death.size 576" });
      const reassembled = r.verdicts.filter((v) => v.reassembled).length;
      // Before the datagram completes (or after, as a new one), each detection at most once.
      expect(r.threats.filter((t) => t.slug === "ping-death").length).toBeLessThanOrEqual(reassembled + 1);
      expect(r.threats.filter((t) => t.slug === "ip-teardrop").length).toBeLessThanOrEqual(reassembled + 1);
    }),
    { numRuns: RUNS },
  );
});

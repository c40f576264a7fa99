/**
 * The packet path never traps and never hangs on any bytes: random packets, real fixture packets
 * mutated (bit flips, truncation, splices, length fields), random DNS answers from port 53, and a
 * host that writes garbage into the event ring's tail. Each run also checks the invariants: one
 * verdict per packet, bounded flows, memory unchanged.
 */
import { readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as P from "../../common/abi-packet.js";
import type { PacketEngine, PacketInput } from "../../runtime/packet/engine.js";
import { input, ipv4, ipv6, udp } from "./craft.js";
import { CAPTURES, capture, engineFor } from "./engine.js";
import { mutate, mutation } from "./mutate.js";
import { propertyRuns } from "../property-runs.js";

const POLICY = `policy p
settings { default-mode protect }
service web = nv.web.shop { mode protect }
group www { address "www.example.test", vh:*.example.test }
rule 10 allow any -> www app http
rule 20 deny any -> any app redis
rule 30 allow any -> any port udp/53
`;
const RUNS = propertyRuns(300, 300);
const SMALL = { flows: 64, prefixSlots: 8, fragSlots: 4, fragBytes: 4096, events: 64, dnsNames: 8, batchPackets: 64, batchBytes: 256 * 1024 };

const real: Uint8Array[] = readdirSync(CAPTURES)
  .filter((f) => f.endsWith(".pcap"))
  .flatMap((f) => capture(f).map((p) => p.data.slice(Math.max(0, p.l3Offset))));

function check(e: PacketEngine, packets: PacketInput[]): void {
  const before = e.stats().memory.engineBytes;
  const v = e.process(packets);
  expect(v).toHaveLength(packets.length);
  const s = e.stats();
  expect(s.flows.active).toBeLessThanOrEqual(SMALL.flows);
  expect(s.memory.engineBytes).toBe(before);
  e.drainEvents();
}

describe("fuzz", () => {
  test("random bytes", () => {
    const e = engineFor(POLICY, { settings: SMALL });
    fc.assert(
      fc.property(fc.array(fc.record({ data: fc.uint8Array({ maxLength: 300 }), v: fc.constantFrom(0x45, 0x46, 0x4f, 0x60, 0x00) }), { maxLength: 40 }), (xs) => {
        check(e, xs.map(({ data, v }, i) => {
          const d = new Uint8Array(data);
          if (d.length) d[0] = v;
          return input(d, i);
        }));
      }),
      { numRuns: RUNS },
    );
  });

  test("mutated real packets", () => {
    const e = engineFor(POLICY, { settings: SMALL });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: real.length - 1 }), fc.array(mutation, { maxLength: 4 })), { minLength: 1, maxLength: 60 }), fc.nat(), (xs, t) => {
        check(e, xs.map(([k, ms], i) => input(mutate(real[k] as Uint8Array, ms), t + i)));
      }),
      { numRuns: RUNS },
    );
  });

  test("real captures in random order with gaps in time", () => {
    const e = engineFor(POLICY, { settings: SMALL });
    fc.assert(
      fc.property(fc.shuffledSubarray(real, { minLength: 1, maxLength: 80 }), fc.array(fc.nat({ max: 4_000_000 }), { maxLength: 80 }), (ps, gaps) => {
        let t = 0;
        check(e, ps.map((p, i) => input(p, (t += gaps[i] ?? 1))));
      }),
      { numRuns: RUNS },
    );
  });

  test("DNS answers with random bodies from port 53 (UDP, IPv4 and IPv6)", () => {
    const e = engineFor(POLICY, { settings: SMALL });
    const answer = fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 200 }), fc.nat({ max: 3 }), fc.nat({ max: 40 })).map(([b, an, ptr]) => {
      const d = new Uint8Array(b);
      d[2] = 0x81; // response, recursion desired
      d[3] = 0x80;
      d[4] = 0;
      d[5] = 1;
      d[7] = an;
      if (d.length > 14) {
        d[12] = 0xc0; // a compression pointer, maybe to itself
        d[13] = ptr;
      }
      return d;
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(answer, fc.boolean()), { maxLength: 20 }), (xs) => {
        check(e, xs.map(([d, v6], i) => input(v6 ? ipv6("fd00::53", "fd00::1", 17, udp(53, 3333, d)) : ipv4("10.0.0.53", "10.0.0.1", 17, udp(53, 3333, d)), i)));
      }),
      { numRuns: RUNS },
    );
  });

  test("a host writing garbage into the event tail cannot make the engine trap", () => {
    const e = engineFor(POLICY, { settings: SMALL });
    const inside = e as unknown as { core: { memory: WebAssembly.Memory }; areas: { base: number } };
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.array(fc.nat({ max: real.length - 1 }), { maxLength: 30 }), (tail, ks) => {
        new DataView(inside.core.memory.buffer).setUint32(inside.areas.base + P.PH_EV_TAIL, tail, true);
        check(e, ks.map((k, i) => input(real[k] as Uint8Array, i)));
      }),
      { numRuns: Math.min(RUNS, 100) },
    );
  });
});

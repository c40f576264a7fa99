/**
 * A SYN flood must not grow memory: 10^6 distinct SYNs through the whole packet path leave the
 * engine's memory exactly where it was after setup (under the documented bound for the default
 * settings), the table full of the newest flows, every older one evicted oldest-embryonic-first
 * and counted. Established flows survive the flood while embryonic ones can be evicted.
 */
import { describe, expect, test } from "vitest";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { ACK, PSH, SYN, input, ipv4, tcp } from "./craft.js";
import { engineFor } from "./engine.js";

const POLICY = `policy p
group web { address 10.9.0.1 }
rule 10 allow any -> web port tcp/80
`;
/** docs/formats.md "Events and flow records", Memory: default packet region plus table and IO area. */
const DEFAULT_BOUND = 36 * 1024 * 1024;
const MIB = 1024 * 1024;

/** `count` SYNs from distinct sources (a batch of reusable buffers rewritten in place). */
function flood(count: number, feed: (batch: PacketInput[]) => void, t0 = 0): void {
  const size = 1024;
  const batch = Array.from({ length: size }, () => input(ipv4("10.0.0.1", "10.9.0.1", 6, tcp(1, 80, SYN)), 0));
  for (let done = 0; done < count; ) {
    const n = Math.min(size, count - done);
    for (let k = 0; k < n; k++) {
      const i = done + k;
      const p = batch[k] as PacketInput;
      const d = p.data;
      // Source 11.x.y.z and port vary: every SYN is a new 5-tuple.
      d[12] = 11;
      d[13] = (i >>> 16) & 255;
      d[14] = (i >>> 8) & 255;
      d[15] = i & 255;
      d[20] = 0x80 | ((i >>> 24) & 0x3f);
      d[21] = i & 255;
      p.ts = BigInt(t0) + BigInt(i) * 1000n;
    }
    feed(n === size ? batch : batch.slice(0, n));
    done += n;
  }
}

describe("SYN flood", () => {
  test("10^6 distinct SYNs: memory fixed and bounded, evictions counted", () => {
    const e = engineFor(POLICY, { eventQueue: 0 });
    const before = e.stats().memory.engineBytes;
    expect(before).toBeLessThanOrEqual(DEFAULT_BOUND);
    let allowed = 0;
    flood(1_000_000, (b) => {
      allowed += e.feed(b).allow;
    });
    const s = e.stats();
    expect(allowed).toBe(1_000_000);
    expect(s.memory.engineBytes).toBe(before);
    expect(s.packets).toBe(1_000_000);
    expect(s.flows.created).toBe(1_000_000);
    expect(s.flows.active).toBe(e.settings.flows);
    expect(s.flows.peak).toBe(e.settings.flows);
    expect(s.flows.evictedEmbryonic).toBe(1_000_000 - e.settings.flows);
    expect(s.flows.evictedIdle).toBe(0);
    // Every eviction wrote a flow-end record; the host kept none (eventQueue 0) and counted them.
    expect(s.events.emitted + s.events.dropped).toBeGreaterThanOrEqual(1_000_000 - e.settings.flows);
  }, 120_000);

  test("a smaller table bounds memory further; established flows outlive embryonic ones", () => {
    const small = engineFor(POLICY, { eventQueue: 0, settings: { flows: 1024, prefixSlots: 64, fragSlots: 4, events: 1024, dnsNames: 64, batchBytes: 256 * 1024, meterSlots: 1024, externalIps: 64 } });
    expect(small.stats().memory.packetRegionBytes).toBeLessThan(2 * MIB);
    // One established connection, then a flood larger than the table.
    small.process([
      input(ipv4("10.0.0.5", "10.9.0.1", 6, tcp(5555, 80, SYN)), 0),
      input(ipv4("10.9.0.1", "10.0.0.5", 6, tcp(80, 5555, SYN | ACK)), 0),
      input(ipv4("10.0.0.5", "10.9.0.1", 6, tcp(5555, 80, ACK)), 0),
    ]);
    flood(20_000, (b) => small.feed(b), 1_000_000);
    const s = small.stats();
    expect(s.flows.active).toBe(1024);
    expect(s.flows.evictedEmbryonic).toBe(20_000 - 1023);
    expect(s.flows.evictedIdle).toBe(0);
    // The established flow is still there: its next packet is not a new flow.
    const [v] = small.process([input(ipv4("10.0.0.5", "10.9.0.1", 6, tcp(5555, 80, PSH | ACK, "x")), 30_000)]);
    expect(v!.new).toBeUndefined();
  });

  test("when nothing is embryonic, the least recently active flow goes", () => {
    const e = engineFor(POLICY, { eventQueue: 0, settings: { flows: 16 } });
    const est = (port: number, ms: number) => input(ipv4("10.0.0.7", "10.9.0.1", 6, tcp(port, 80, PSH | ACK, "x")), ms);
    e.process(Array.from({ length: 16 }, (_, i) => est(2000 + i, i)));
    // Touch the first one again: the second is now the least recently active.
    e.process([est(2000, 20), est(3000, 21)]);
    expect(e.stats().flows.evictedIdle).toBe(1);
    const [again] = e.process([est(2000, 22), est(2001, 23)]);
    expect(again!.new).toBeUndefined();
  });
});

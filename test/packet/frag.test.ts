/**
 * Fragment reassembly: IPv4 and IPv6 datagrams in order, out of order and duplicated; overlapping
 * fragments (first copy wins, the teardrop hook is set); a fixed pool of slots (eviction of the
 * oldest, counted), a datagram larger than a slot, and the timeout.
 */
import { describe, expect, test } from "vitest";
import { fragmentExt, input, ipv4, ipv6, udp } from "./craft.js";
import { engineFor } from "./engine.js";

const POLICY = `policy p
rule 10 allow any -> any port udp/53
`;
const A = "10.0.0.1";
const B = "10.0.0.2";

/** A UDP datagram to port 53 with `n` payload bytes, cut into IPv4 fragments of `size` bytes. */
function frags4(id: number, n: number, size: number, src = A): Uint8Array[] {
  const dgram = udp(5000, 53, new Uint8Array(n).map((_, i) => i & 255));
  const out: Uint8Array[] = [];
  for (let off = 0; off < dgram.length; off += size) {
    const part = dgram.subarray(off, Math.min(dgram.length, off + size));
    out.push(ipv4(src, B, 17, part, { id, fragOffset: off, more: off + size < dgram.length }));
  }
  return out;
}

function frags6(id: number, n: number, size: number): Uint8Array[] {
  const dgram = udp(5000, 53, new Uint8Array(n).fill(7));
  const out: Uint8Array[] = [];
  for (let off = 0; off < dgram.length; off += size) {
    const part = dgram.subarray(off, Math.min(dgram.length, off + size));
    out.push(ipv6("fd00::1", "fd00::2", 17, part, [fragmentExt(off, off + size < dgram.length, id)]));
  }
  return out;
}

const at = (ps: Uint8Array[], t0 = 0) => ps.map((p, i) => input(p, t0 + i));

describe("fragments", () => {
  test("IPv4 in order: held, then the last fragment carries the datagram's verdict", () => {
    const e = engineFor(POLICY);
    const v = e.process(at(frags4(1, 3000, 1480)));
    expect(v.map((x) => x.action)).toEqual(["hold", "hold", "allow"]);
    expect(v[2]).toMatchObject({ rule: 10, reassembled: true, new: true });
    expect(e.stats().fragments).toMatchObject({ seen: 3, reassembled: 1, active: 0, overlaps: 0 });
  });

  test("IPv4 out of order and duplicated", () => {
    const e = engineFor(POLICY);
    const [a, b, c, d] = frags4(2, 4000, 1024);
    const v = e.process(at([d!, b!, b!, a!, c!]));
    expect(v.map((x) => x.action)).toEqual(["hold", "hold", "hold", "hold", "allow"]);
    expect(v[4]!.overlap).toBe(true);
    expect(e.stats().fragments).toMatchObject({ reassembled: 1, overlaps: 1 });
  });

  test("IPv6 fragment headers", () => {
    const e = engineFor(POLICY);
    const [a, b, c] = frags6(99, 2500, 1232);
    const v = e.process(at([c!, a!, b!]));
    expect(v.map((x) => x.action)).toEqual(["hold", "hold", "allow"]);
    expect(v[2]!.reassembled).toBe(true);
  });

  test("overlapping fragments: the first copy wins and the teardrop hook is set", () => {
    const e = engineFor(POLICY);
    const dgram = udp(5000, 53, new Uint8Array(64));
    const first = ipv4(A, B, 17, dgram.subarray(0, 48), { id: 3, more: true });
    // Overlaps bytes 40..47 with different data and a rewritten UDP header would be ignored.
    const liar = ipv4(A, B, 17, new Uint8Array(24).fill(0xee), { id: 3, fragOffset: 40, more: true });
    const last = ipv4(A, B, 17, dgram.subarray(48), { id: 3, fragOffset: 48 });
    const v = e.process(at([first, liar, last]));
    expect(v[2]).toMatchObject({ action: "allow", reassembled: true, overlap: true });
    // The liar overlaps the first fragment, and the last fragment overlaps the liar.
    expect(e.stats().fragments.overlaps).toBe(2);
  });

  test("two different ends for one datagram are an overlap; it stays held", () => {
    const e = engineFor(POLICY);
    const a = ipv4(A, B, 17, new Uint8Array(16), { id: 4, fragOffset: 16 });
    const b = ipv4(A, B, 17, new Uint8Array(8), { id: 4, fragOffset: 32 });
    const v = e.process(at([a, b]));
    expect(v.map((x) => x.action)).toEqual(["hold", "hold"]);
    expect(e.stats().fragments.overlaps).toBeGreaterThan(0);
  });

  test("pool exhaustion evicts the oldest datagram and counts it", () => {
    const e = engineFor(POLICY, { settings: { fragSlots: 4 } });
    // Five datagrams' first fragments, then the first one's last fragment: its slot is gone.
    const sets = [1, 2, 3, 4, 5].map((id) => frags4(100 + id, 2000, 1480));
    const v = e.process(at([...sets.map((s) => s[0]!), sets[0]![1]!, sets[4]![1]!]));
    expect(v[5]!.action).toBe("hold");
    expect(v[6]).toMatchObject({ action: "allow", reassembled: true });
    // The fifth datagram evicted the first; the first's second fragment then evicted the second.
    expect(e.stats().fragments).toMatchObject({ evicted: 2, reassembled: 1, active: 3 });
  });

  test("a datagram larger than a slot is dropped and counted", () => {
    const e = engineFor(POLICY, { settings: { fragBytes: 1500 } });
    const v = e.process(at(frags4(7, 3000, 1480)));
    expect(v[1]).toMatchObject({ action: "skip", malformed: "bad-fragment" });
    expect(e.stats().fragments.tooBig).toBeGreaterThan(0);
  });

  test("an incomplete datagram times out", () => {
    const e = engineFor(POLICY);
    const [a] = frags4(8, 3000, 1480);
    e.process([input(a!, 0)]);
    expect(e.stats().fragments.active).toBe(1);
    e.tick(31_000_000_000n);
    expect(e.stats().fragments).toMatchObject({ active: 0, timeouts: 1 });
  });

  test("a UDP length inside the reassembled datagram is checked", () => {
    const e = engineFor(POLICY);
    const bad = udp(5000, 53, new Uint8Array(100), 4000);
    const v = e.process(at([ipv4(A, B, 17, bad.subarray(0, 64), { id: 9, more: true }), ipv4(A, B, 17, bad.subarray(64), { id: 9, fragOffset: 64 })]));
    expect(v[1]).toMatchObject({ action: "skip", malformed: "bad-udp-length" });
    expect(e.stats().fragments.active).toBe(0);
  });
});

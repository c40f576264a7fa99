/**
 * Random call sequences through the meter and the trackers: they never trap, always return (the
 * probe run is bounded), never touch memory outside their area or state block, never grow memory,
 * and the meter's count never exceeds the true number of the key's hits in the window (nor, while
 * nothing was evicted, falls below those of its last METER_SLOTS-1 slots). Flood evidence names the
 * address as common/ip.ts formats it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatIp } from "../../common/ip.js";
import { loadTrackers, METER_ENTRY, METER_ON, METER_QUIET, METER_ROSE, METER_SLOTS, type Trackers } from "./trackers-harness.js";

const GUARD = 64;

/** `bytes` zeroed bytes between two guard bands; a check that the bands are intact. */
function guarded(t: Trackers, bytes: number): { at: number; intact: () => boolean } {
  const before = t.alloc(GUARD + bytes + GUARD);
  const mem = () => new Uint8Array(t.ex.memory.buffer);
  mem().fill(0xc3, before, before + GUARD);
  mem().fill(0xc3, before + GUARD + bytes, before + GUARD + bytes + GUARD);
  const intact = () => {
    const m = mem();
    for (let i = 0; i < GUARD; i++) if (m[before + i] !== 0xc3 || m[before + GUARD + bytes + i] !== 0xc3) return false;
    return true;
  };
  return { at: before + GUARD, intact };
}

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe("meter", () => {
  test("count within the true hits of the window; states consistent with the count", async () => {
    const hitArb = fc.record({ kind: fc.integer({ min: 0, max: 1 }), key: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 300 })), dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 })) });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }).map((b) => 1 << b),
        fc.integer({ min: METER_SLOTS, max: 20_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(hitArb, { maxLength: 400, size: "max" }),
        async (cap, windowMs, threshold, release, hits) => {
          const t = await loadTrackers();
          const area = guarded(t, cap * METER_ENTRY);
          const w = Math.floor(windowMs / METER_SLOTS);
          const times = new Map<string, number[]>();
          const last = new Map<string, number>();
          let now = 0;
          for (const h of hits) {
            now += h.dt;
            const id = `${h.kind}/${h.key}`;
            const seen = times.get(id) ?? [];
            seen.push(now);
            times.set(id, seen);
            const state = t.ex.meterHit(area.at, cap, h.kind, BigInt(h.key), 99n, BigInt(now), windowMs, threshold, release);
            const count = t.ex.meterLastCount();
            expect(count).toBeLessThanOrEqual(seen.filter((x) => x > now - windowMs).length);
            if (t.ex.meterEvictions() === 0n) {
              expect(count).toBeGreaterThanOrEqual(seen.filter((x) => x >= now - (METER_SLOTS - 1) * w).length);
              if (state === METER_ON) expect([METER_ROSE, METER_ON]).toContain(last.get(id));
            }
            if (state === METER_ROSE) expect(count).toBeGreaterThanOrEqual(threshold);
            if (state === METER_QUIET) expect(count).toBeLessThan(threshold);
            last.set(id, state);
          }
          expect(area.intact()).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  test("any caps, keys and times (backwards, huge): no trap, no write outside the area, fixed memory", async () => {
    const t = await loadTrackers();
    const areas = [0, 1, 2, 3, 12, 64].map((cap) => ({ cap, ...guarded(t, cap * METER_ENTRY) }));
    const bytes = t.ex.memory.buffer.byteLength;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: areas.length - 1 }), fc.integer({ min: 0, max: 0xffff_ffff }), u64, u64, u64, fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff })), { maxLength: 200, size: "max" }),
        (calls) => {
          for (const [a, kind, lo, hi, now, windowMs, threshold, release] of calls) {
            const { at, cap } = areas[a]!;
            const state = t.ex.meterHit(at, cap, kind, lo, hi, now, windowMs, threshold, release);
            expect([METER_QUIET, METER_ROSE, METER_ON]).toContain(state);
          }
          expect(areas.every((x) => x.intact())).toBe(true);
          expect(t.ex.memory.buffer.byteLength).toBe(bytes);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("floods", () => {
  test("random addresses and times through every flood: no trap; each report names the address", async () => {
    const addr = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }).map((v) => 0xffff_0000_0000n | BigInt(v)), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.constantFrom(0n, 1n, 1n << 64n, (1n << 128n) - 1n));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), addr, addr, fc.boolean(), fc.integer({ min: 0, max: 100 })), { maxLength: 100, size: "max" }), async (calls) => {
        const t = await loadTrackers();
        for (const slug of ["syn-flood", "icmp-flood", "dns-flood", "dns-tunneling"]) t.set(`${slug}.threshold`, 1);
        const cap = 16;
        const area = guarded(t, cap * METER_ENTRY);
        let now = 0;
        for (const [which, dst, src, encoded, dt] of calls) {
          now += dt;
          const [dl, dh, sl, sh] = [dst & 0xffff_ffff_ffff_ffffn, dst >> 64n, src & 0xffff_ffff_ffff_ffffn, src >> 64n];
          const n = BigInt(now);
          const state = [() => t.ex.synSeen(area.at, cap, dl, dh, sl, sh, n), () => t.ex.icmpSeen(area.at, cap, dl, dh, n), () => t.ex.dnsQuerySeen(area.at, cap, dl, dh, sl, sh, n), () => t.ex.dnsEncodedSeen(area.at, cap, sl, sh, encoded ? 1 : 0, n)][which]!();
          const found = t.findings();
          expect(found.length).toBe(state === METER_ROSE ? 1 : 0);
          if (found[0]) expect(found[0].evidence.startsWith(`${formatIp(which === 1 ? dst : src)} `)).toBe(true);
        }
        expect(area.intact()).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe("per-flow trackers", () => {
  test("random echoes and windows: no trap, state stays in its 16 bytes, at most one report a flow", async () => {
    const echo = fc.record({ kind: fc.constant("echo" as const), reply: fc.boolean(), seq: fc.integer({ min: 0, max: 3 }), payload: fc.uint8Array({ maxLength: 24 }) });
    const win = fc.record({ kind: fc.constant("window" as const), client: fc.boolean(), window: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 0xffff_ffff })), cb: u64, sb: fc.integer({ min: 0, max: 20_000 }), dt: fc.integer({ min: 0, max: 4000 }) });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 10_000 }), fc.array(fc.oneof(echo, win), { maxLength: 200, size: "max" }), async (threshold, duration, ops) => {
        const t = await loadTrackers();
        t.set("icmp-tunneling.threshold", threshold).set("tcp-small-window.duration", duration);
        const icmp = guarded(t, 16);
        const tcp = guarded(t, 16);
        const payload = t.alloc(32);
        let now = 0;
        const reports: string[] = [];
        for (const op of ops) {
          if (op.kind === "echo") {
            new Uint8Array(t.ex.memory.buffer).set(op.payload, payload);
            t.ex.icmpEcho(icmp.at, op.reply ? 1 : 0, op.seq, payload, op.payload.length);
          } else {
            now += op.dt;
            t.ex.tcpWindow(tcp.at, op.client ? 1 : 0, op.window, op.cb, BigInt(op.sb), BigInt(now));
          }
          reports.push(...t.findings().map((f) => f.threat));
        }
        expect(reports.filter((r) => r === "icmp-tunneling").length).toBeLessThanOrEqual(1);
        expect(reports.filter((r) => r === "tcp-small-window").length).toBeLessThanOrEqual(1);
        expect(reports.every((r) => r === "icmp-tunneling" || r === "tcp-small-window")).toBe(true);
        expect(icmp.intact() && tcp.intact()).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * asm/threat/meter.ts: the sliding-window count (exact to the slot resolution), raise/release
 * hysteresis, key separation, stalest-first eviction inside a bounded probe run, and fixed memory
 * under 10^6 distinct keys.
 */
import { describe, expect, test } from "vitest";
import { loadTrackers, METER_ENTRY, METER_ON, METER_PROBE, METER_QUIET, METER_ROSE, METER_SLOTS, type Trackers } from "./trackers-harness.js";

const KIND = 7;

/** Hits of one key through the raw meter; each call's state and count. */
function meter(t: Trackers, base: number, cap: number, windowMs: number, threshold: number, release: number) {
  return (key: bigint, now: number, kind = KIND) => {
    const state = t.ex.meterHit(base, cap, kind, 0n, key, BigInt(now), windowMs, threshold, release);
    return { state, count: t.ex.meterLastCount() };
  };
}

describe("count", () => {
  test("every hit inside the window's slots counts, none a window old", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 5000, 1_000_000, 0);
    // One hit per 10 ms over [0, 5000): slots 0..4 of 1 s, all current at 4990.
    for (let now = 0; now < 5000; now += 10) expect(hit(1n, now).count).toBe(now / 10 + 1);
    // At 5000 the slot [0, 1000) has left the window: 400 earlier hits plus this one.
    expect(hit(1n, 5000).count).toBe(401);
    // A whole window of silence empties it.
    expect(hit(1n, 11_000).count).toBe(1);
  });

  test("the count lies between the hits of the last (SLOTS-1)/SLOTS of the window and those of the window", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 1000, 1_000_000, 0);
    const w = 1000 / METER_SLOTS;
    const times: number[] = [];
    for (let now = 0; now < 4000; now += 7) {
      times.push(now);
      const { count } = hit(2n, now);
      const inWindow = times.filter((x) => x > now - 1000).length;
      const inRecent = times.filter((x) => x >= now - (METER_SLOTS - 1) * w).length;
      expect(count).toBeLessThanOrEqual(inWindow);
      expect(count).toBeGreaterThanOrEqual(inRecent);
    }
  });

  test("kinds and keys count apart", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 1000, 100, 0);
    for (let i = 0; i < 5; i++) hit(3n, 0);
    expect(hit(3n, 0, KIND + 1).count).toBe(1);
    expect(hit(4n, 0).count).toBe(1);
    expect(hit(3n, 0).count).toBe(6);
  });

  test("time running backwards counts in the newest slot", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 1000, 100, 0);
    expect(hit(5n, 3000).count).toBe(1);
    expect(hit(5n, 10).count).toBe(2);
    expect(hit(5n, 3999).count).toBe(3);
    // Slot [3000, 3200) leaves the window at 4000, with the hit timed 10 that was counted in it.
    expect(hit(5n, 4000).count).toBe(2);
  });

  test("IPv4 keys of one key word never share an entry", async () => {
    const t = await loadTrackers();
    const seen = new Set<bigint>();
    for (let i = 0; i < 20_000; i++) seen.add(t.ex.meterKey(KIND, 0x1234n, 0xffff_0a00_0000n + BigInt(i * 7919)));
    expect(seen.size).toBe(20_000);
  });
});

describe("hysteresis", () => {
  test("raised at the threshold once, on while above, released below `release`, raised again", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 5000, 800, 600);
    // 200 hits in each of the slots 0..3: the 800th raises.
    const states: number[] = [];
    for (let s = 0; s < 4; s++) for (let i = 0; i < 200; i++) states.push(hit(9n, s * 1000).state);
    expect(states.slice(0, 799).every((x) => x === METER_QUIET)).toBe(true);
    expect(states[799]).toBe(METER_ROSE);
    // At 5000 slot 0 is gone: 600 before this hit, not below 600, so it stays on.
    expect(hit(9n, 5000)).toEqual({ state: METER_ON, count: 601 });
    // At 6000 slot 1 is gone too: 401 before the hit, released.
    expect(hit(9n, 6000)).toEqual({ state: METER_QUIET, count: 402 });
    for (let i = 0; i < 397; i++) expect(hit(9n, 6000).state).toBe(METER_QUIET);
    expect(hit(9n, 6000)).toEqual({ state: METER_ROSE, count: 800 });
  });

  test("release equal to the threshold: off as soon as the count before a hit is below it", async () => {
    const t = await loadTrackers();
    const hit = meter(t, t.area(64), 64, 1000, 3, 3);
    expect([hit(1n, 0), hit(1n, 0), hit(1n, 0), hit(1n, 0)].map((r) => r.state)).toEqual([METER_QUIET, METER_QUIET, METER_ROSE, METER_ON]);
    // A window later: 0 before, released; the count climbs back and raises again.
    expect([hit(1n, 1000), hit(1n, 1000), hit(1n, 1000)].map((r) => r.state)).toEqual([METER_QUIET, METER_QUIET, METER_ROSE]);
  });

  test("release 0 keeps it raised while the entry lives; a release above the threshold acts as the threshold", async () => {
    const t = await loadTrackers();
    const base = t.area(64);
    const zero = meter(t, base, 64, 1000, 2, 0);
    expect([zero(1n, 0).state, zero(1n, 0).state, zero(1n, 100_000).state]).toEqual([METER_QUIET, METER_ROSE, METER_ON]);
    const above = meter(t, base, 64, 1000, 2, 50);
    expect([above(2n, 0).state, above(2n, 0).state, above(2n, 0).state]).toEqual([METER_QUIET, METER_ROSE, METER_ON]);
  });

  test("a threshold of 0 acts as 1; a cap of 0 meters nothing", async () => {
    const t = await loadTrackers();
    expect(meter(t, t.area(64), 64, 1000, 0, 0)(1n, 0).state).toBe(METER_ROSE);
    expect(meter(t, t.area(64), 0, 1000, 1, 0)(1n, 0)).toEqual({ state: METER_QUIET, count: 0 });
  });
});

describe("bounds", () => {
  test("a full probe run evicts its stalest entry and counts it", async () => {
    const t = await loadTrackers();
    const cap = METER_PROBE;
    const base = t.area(cap);
    const hit = meter(t, base, cap, 10_000, 1000, 0);
    for (let k = 0; k < cap; k++) hit(BigInt(k), k);
    expect(t.occupied(base, cap)).toBe(cap);
    hit(0n, 100); // key 0 is now the freshest; key 1 (last hit at 1) the stalest
    expect(t.ex.meterEvictions()).toBe(0n);
    expect(hit(100n, 101).count).toBe(1);
    expect(t.ex.meterEvictions()).toBe(1n);
    expect(hit(0n, 102).count).toBe(3);
    expect(hit(1n, 103).count).toBe(1); // evicted: starts over (and evicts key 2)
    expect(t.ex.meterEvictions()).toBe(2n);
  });

  test("10^6 distinct keys keep memory fixed; every key is in the table or counted as evicted", async () => {
    const t = await loadTrackers();
    const cap = 4096;
    const base = t.area(cap);
    const guard = t.alloc(64);
    new Uint8Array(t.ex.memory.buffer, guard, 64).fill(0xa5);
    const bytes = t.ex.memory.buffer.byteLength;
    for (let i = 0; i < 1_000_000; i++) t.ex.meterHit(base, cap, KIND, 0n, BigInt(i), BigInt(i >> 6), 5000, 800, 600);
    expect(t.ex.memory.buffer.byteLength).toBe(bytes);
    const occupied = t.occupied(base, cap);
    expect(occupied).toBeLessThanOrEqual(cap);
    expect(occupied).toBeGreaterThan(cap * 0.9);
    expect(Number(t.ex.meterEvictions()) + occupied).toBe(1_000_000);
    expect(new Uint8Array(t.ex.memory.buffer, guard, 64).every((b) => b === 0xa5)).toBe(true);
  });

  test("a cap that is not a power of two uses the largest power of two within it", async () => {
    const t = await loadTrackers();
    const base = t.area(12);
    const tail = base + 8 * METER_ENTRY;
    new Uint8Array(t.ex.memory.buffer, tail, 4 * METER_ENTRY).fill(0x5a);
    for (let i = 0; i < 1000; i++) t.ex.meterHit(base, 12, KIND, 0n, BigInt(i), BigInt(i), 1000, 10, 5);
    expect(t.occupied(base, 8)).toBe(8);
    expect(new Uint8Array(t.ex.memory.buffer, tail, 4 * METER_ENTRY).every((b) => b === 0x5a)).toBe(true);
  });
});

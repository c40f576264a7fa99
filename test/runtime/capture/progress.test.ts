import { describe, expect, test } from "vitest";
import { createProgress, progressLine } from "../../../runtime/capture/index.js";
import { duration } from "../../../runtime/capture/progress.js";

/** A progress bar with a fake terminal and a hand-driven clock. */
function fake(opts: { total?: number; isTTY?: boolean; columns?: number } = {}) {
  const out: string[] = [];
  let t = 1000;
  const bar = createProgress({ isTTY: true, columns: 100, ...opts, write: (s) => out.push(s), now: () => t });
  return { bar, out, advance: (ms: number) => (t += ms) };
}

describe("createProgress", () => {
  test("draws nothing when stderr is not a terminal", () => {
    const { bar, out, advance } = fake({ isTTY: false, total: 100 });
    advance(5000);
    bar.update(50, 1);
    bar.finish();
    expect(out).toEqual([]);
  });

  test("at most one frame per 100 ms, the first after 100 ms, erased at the end", () => {
    const { bar, out, advance } = fake({ total: 10_000_000 });
    bar.update(1, 1);
    expect(out).toEqual([]);
    advance(100);
    bar.update(2_000_000, 10);
    for (let i = 0; i < 50; i++) {
      advance(1);
      bar.update(2_000_000 + i, 11);
    }
    expect(out).toHaveLength(1);
    advance(49);
    bar.update(3_000_000, 19);
    expect(out).toHaveLength(1);
    advance(1);
    bar.update(4_000_000, 20);
    expect(out).toHaveLength(2);
    bar.finish();
    bar.update(5_000_000, 30);
    bar.finish();
    expect(out).toHaveLength(3);
    expect(out[2]).toBe("\r\x1b[K");
    expect(out.slice(0, 2).every((s) => s.startsWith("\r\x1b[K["))).toBe(true);
  });

  test("a capture read in a blink leaves the terminal untouched", () => {
    const { bar, out, advance } = fake({ total: 100 });
    advance(30);
    bar.update(100, 3);
    bar.finish();
    expect(out).toEqual([]);
  });

  test("frames show packets, MB, rate and ETA", () => {
    const { bar, out, advance } = fake({ total: 200_000_000 });
    advance(2000);
    bar.update(50_000_000, 123_456);
    expect(out[0]).toBe("\r\x1b[K[########......................]  25%  123,456 pkts  50.0/200.0 MB  25.0 MB/s  ETA 6s");
  });
});

describe("progressLine", () => {
  test("with an unknown total: no bar, no ETA", () => {
    expect(progressLine({ bytes: 3_500_000, packets: 42, elapsedMs: 1000, columns: 80 })).toBe("42 pkts  3.5 MB  3.5 MB/s");
  });

  test("fits the terminal: a narrow one drops the bar, a tiny one clips", () => {
    const s = { bytes: 1e6, packets: 1, total: 4e6, elapsedMs: 1000 };
    const wide = progressLine({ ...s, columns: 120 });
    expect(wide.length).toBeLessThan(120);
    expect(wide).toMatch(/^\[#{8}\.{22}\]  25%/);
    expect(progressLine({ ...s, columns: 50 })).toBe(" 25%  1 pkts  1.0/4.0 MB  1.0 MB/s  ETA 3s");
    expect(progressLine({ ...s, columns: 20 })).toBe(" 25%  1 pkts  1.0/4");
  });

  test("no rate yet gives no ETA; past the total stays at 100%", () => {
    expect(progressLine({ bytes: 0, packets: 0, total: 10, elapsedMs: 0, columns: 200 })).toContain("ETA --");
    expect(progressLine({ bytes: 20, packets: 1, total: 10, elapsedMs: 10, columns: 200 })).toMatch(/\] 100% .* ETA 0s$/);
  });

  test("durations", () => {
    expect([duration(0), duration(59.2), duration(60), duration(187), duration(3723)]).toEqual(["0s", "1:00", "1:00", "3:07", "1:02:03"]);
  });
});

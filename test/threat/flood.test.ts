/**
 * asm/threat/flood.ts at the catalog's defaults and with parameters set: exact thresholds, one
 * report per rise, hysteresis, keys (per source, per destination), spread-out traffic that never
 * fires, and the evidence text (address as common/ip.ts formats it, count, window).
 */
import { describe, expect, test } from "vitest";
import { loadTrackers, METER_ON, METER_QUIET, METER_ROSE, type Trackers } from "./trackers-harness.js";

const CAP = 1024;
const WEB = "10.1.0.5";
const ATTACKER = "10.0.0.9";

async function setup(): Promise<{ t: Trackers; base: number }> {
  const t = await loadTrackers();
  return { t, base: t.area(CAP) };
}

describe("SYN flood", () => {
  test("799 SYNs in 5 s: nothing; the 800th raises once; staying above keeps it on", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 799; i++) expect(t.syn(base, CAP, WEB, ATTACKER, Math.floor((i * 5000) / 800))).toBe(METER_QUIET);
    expect(t.findings()).toEqual([]);
    expect(t.syn(base, CAP, WEB, ATTACKER, 4999)).toBe(METER_ROSE);
    expect(t.findings()).toEqual([{ threat: "syn-flood", evidence: "10.0.0.9 sent 800 SYNs in 5s" }]);
    // 200 SYNs a second for 20 s more: between 800 and 1000 in any window, always on.
    for (let now = 5000; now < 25_000; now += 5) expect(t.syn(base, CAP, WEB, ATTACKER, now)).toBe(METER_ON);
    expect(t.findings()).toEqual([]);
  });

  test("falling below the release and rising again reports again", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 800; i++) t.syn(base, CAP, WEB, ATTACKER, 0);
    expect(t.findings()).toHaveLength(1);
    // 3 s later the burst is still in the window: 800 before the hit, still on.
    expect(t.syn(base, CAP, WEB, ATTACKER, 3000)).toBe(METER_ON);
    // 5 s later it has left (the SYN at 3000 has not): released, and 799 more raise it again.
    const states = Array.from({ length: 800 }, () => t.syn(base, CAP, WEB, ATTACKER, 5000));
    expect(states[0]).toBe(METER_QUIET);
    expect(states.indexOf(METER_ROSE)).toBe(798);
    expect(states.filter((s) => s === METER_ROSE)).toHaveLength(1);
    expect(states.at(-1)).toBe(METER_ON);
    expect(t.findings()).toEqual([{ threat: "syn-flood", evidence: "10.0.0.9 sent 800 SYNs in 5s" }]);
  });

  test("a rate just under the threshold never fires, however long", async () => {
    const { t, base } = await setup();
    // 150 SYNs a second (750 per window) for 200 s.
    for (let i = 0; i < 30_000; i++) expect(t.syn(base, CAP, WEB, ATTACKER, Math.floor(i * (1000 / 150)))).toBe(METER_QUIET);
    expect(t.findings()).toEqual([]);
  });

  test("SYNs spread over many sources, or over many workloads, never fire", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 100_000; i++) t.syn(base, CAP, WEB, `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, Math.floor(i / 100));
    for (let i = 0; i < 100_000; i++) t.syn(base, CAP, `10.2.${(i >> 8) & 255}.${i & 255}`, ATTACKER, Math.floor(i / 100));
    expect(t.findings()).toEqual([]);
  });

  test("thresholds, release and window come from the parameters", async () => {
    const { t, base } = await setup();
    t.set("syn-flood.threshold", 10).set("syn-flood.release", 10).set("syn-flood.window", 1500);
    for (let i = 0; i < 9; i++) t.syn(base, CAP, WEB, "2001:db8::9", i);
    expect(t.findings()).toEqual([]);
    expect(t.syn(base, CAP, WEB, "2001:db8::9", 9)).toBe(METER_ROSE);
    expect(t.findings()).toEqual([{ threat: "syn-flood", evidence: "2001:db8::9 sent 10 SYNs in 1500ms" }]);
    // The window is 1.5 s: 10 more a window later rise again (release = threshold).
    for (let i = 0; i < 10; i++) t.syn(base, CAP, WEB, "2001:db8::9", 1500 + i);
    expect(t.findings()).toHaveLength(1);
  });
});

describe("ICMP flood", () => {
  test("ICMP to one workload counts across sources: 99 in 1 s nothing, the 100th raises", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 99; i++) expect(t.icmp(base, CAP, WEB, i * 10)).toBe(METER_QUIET);
    expect(t.icmp(base, CAP, WEB, 990)).toBe(METER_ROSE);
    expect(t.findings()).toEqual([{ threat: "icmp-flood", evidence: "10.1.0.5 received 100 ICMP packets in 1s" }]);
    expect(t.icmp(base, CAP, "10.1.0.6", 990)).toBe(METER_QUIET);
  });

  test("a ping a second to every workload never fires", async () => {
    const { t, base } = await setup();
    for (let s = 0; s < 60; s++) for (let w = 0; w < 500; w++) t.icmp(base, CAP, `10.3.${w >> 8}.${w & 255}`, s * 1000 + w);
    expect(t.findings()).toEqual([]);
  });
});

describe("DNS flood", () => {
  test("999 queries in 1 s nothing; the 1000th raises; other sources count apart", async () => {
    const { t, base } = await setup();
    const dns = "10.96.0.10";
    for (let i = 0; i < 999; i++) t.dns(base, CAP, dns, ATTACKER, i);
    for (let i = 0; i < 999; i++) t.dns(base, CAP, dns, "10.0.0.8", i);
    expect(t.findings()).toEqual([]);
    expect(t.dns(base, CAP, dns, ATTACKER, 999)).toBe(METER_ROSE);
    expect(t.findings()).toEqual([{ threat: "dns-flood", evidence: "10.0.0.9 sent 1000 DNS queries in 1s" }]);
    expect(t.dns(base, CAP, dns, ATTACKER, 999)).toBe(METER_ON);
  });

  test("SYN, ICMP and DNS meters share the area without sharing counts", async () => {
    const { t, base } = await setup();
    t.set("syn-flood.threshold", 3).set("dns-flood.threshold", 3);
    t.syn(base, CAP, WEB, ATTACKER, 0);
    t.syn(base, CAP, WEB, ATTACKER, 0);
    t.dns(base, CAP, WEB, ATTACKER, 0);
    t.dns(base, CAP, WEB, ATTACKER, 0);
    expect(t.findings()).toEqual([]);
  });
});

describe("DNS tunneling rate", () => {
  test("9 encoded queries in 60 s nothing; the 10th raises; plain queries never count", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 1000; i++) expect(t.dnsEncoded(base, CAP, ATTACKER, false, i)).toBe(METER_QUIET);
    for (let i = 0; i < 9; i++) t.dnsEncoded(base, CAP, ATTACKER, true, i * 6000);
    expect(t.findings()).toEqual([]);
    expect(t.dnsEncoded(base, CAP, ATTACKER, true, 54_500)).toBe(METER_ROSE);
    expect(t.findings()).toEqual([{ threat: "dns-tunneling", evidence: "10.0.0.9 sent 10 encoded DNS queries in 60s" }]);
  });

  test("one encoded query every 7 s never fires", async () => {
    const { t, base } = await setup();
    for (let i = 0; i < 500; i++) t.dnsEncoded(base, CAP, ATTACKER, true, i * 7000);
    expect(t.findings()).toEqual([]);
  });
});

/**
 * The threat framework end to end: settings → the module's threat block → the engine's
 * configuration; reports once per (flow, code); the event's NDJSON shape; the verdict's threat
 * fields; the threat areas' memory bounds; `nvp inspect` showing what a module runs.
 */
import { describe, expect, test } from "vitest";
import { THREATS } from "../../common/threats.js";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";
import { checkSources, compileModule } from "../../compiler/pipeline.js";
import { loadModule, readThreatConfig } from "../../runtime/index.js";
import { eventLine, type PacketSettingsInput } from "../../runtime/packets.js";
import { resolveSettings } from "../../runtime/packet/settings.js";
import { ACK, SYN, input, ip, mssOption, tcp } from "../packet/craft.js";
import { engineFor } from "../packet/engine.js";
import { OUTSIDE, WEB, runThreats, threatPolicy } from "../packet/threats.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function moduleOf(text: string) {
  const r = checkSources({ "p.nvp": text }, ["p.nvp"]);
  if (!r.model) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return loadModule(compileModule(r.model).bytes);
}

describe("the module carries the threat configuration", () => {
  test("defaults are the catalog's", () => {
    const got = readThreatConfig(moduleOf(threatPolicy("protect")).table);
    expect(got.map((t) => [t.slug, t.enabled, t.action, t.severity, t.params])).toEqual(
      THREATS.map((t) => [t.slug, t.enabled, t.action, t.severity, Object.fromEntries(t.params.map((p) => [p.name, p.default]))]),
    );
  });

  test("settings change exactly what they name", () => {
    const got = readThreatConfig(moduleOf(threatPolicy("protect", "tls-1.0 on; syn-flood.window 2s; syn-flood.threshold 900; ssh-v1.action block; dns-overflow.severity low; ip-teardrop off")).table);
    const by = (slug: string) => got.find((t) => t.slug === slug)!;
    expect(by("tls-1.0").enabled).toBe(true);
    expect(by("syn-flood").params).toEqual({ threshold: 900, release: 675, window: 2000 });
    expect(by("ssh-v1").action).toBe("block");
    expect(by("dns-overflow").severity).toBe("low");
    expect(by("ip-teardrop").enabled).toBe(false);
    expect(got.filter((t) => !["tls-1.0", "syn-flood", "ssh-v1", "dns-overflow", "ip-teardrop"].includes(t.slug))).toEqual(
      readThreatConfig(moduleOf(threatPolicy("protect")).table).filter((t) => !["tls-1.0", "syn-flood", "ssh-v1", "dns-overflow", "ip-teardrop"].includes(t.slug)),
    );
  });

  test("the engine runs with it: a parameter, a switch, a severity", () => {
    const syn = (mss: number, port: number) => input(ip(OUTSIDE, WEB, 6, tcp(port, 80, SYN, "", { options: mssOption(mss) })), port);
    const r = runThreats("monitor", [syn(300, 1), syn(100, 2)], { settings: "tcp-small-mss.size 400; tcp-small-mss.severity medium" });
    expect(r.threats.map((e) => [e.evidence, e.severity])).toEqual([["mss 300", "medium"], ["mss 100", "medium"]]);
  });

  test("nvp inspect lists the threats a module runs (human and JSON)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-threats-"));
    writeFileSync(join(dir, "p.nvp"), threatPolicy("protect", "tls-1.0 on; icmp-flood off"));
    expect(await main(["compile", "p.nvp", "-o", "p.wasm"], memoryIo(dir))).toBe(0);
    const human = memoryIo(dir);
    expect(await main(["inspect", "p.wasm"], human)).toBe(0);
    expect(human.stdout).toMatch(/^threats {3}22 of 27 on \(off: icmp-flood, tls-1\.1, http-slowloris, dns-null-type, tcp-small-window\)$/m);
    expect(human.stdout).toMatch(/^ {2}syn-flood +block +critical TCP\.SYN\.Flood threshold=800 release=600 window=5000ms$/m);
    expect(human.stdout).toMatch(/^ {2}tls-1\.0 +block +info +TLS\.Version\.1\.0$/m);
    const json = memoryIo(dir);
    expect(await main(["inspect", "p.wasm", "--format", "json"], json)).toBe(0);
    const threats = JSON.parse(json.stdout).threats as { slug: string; enabled: boolean; id: number }[];
    expect(threats).toHaveLength(THREATS.length);
    expect(threats.find((t) => t.slug === "icmp-flood")).toMatchObject({ enabled: false, id: 1002 });
  });
});

describe("reports", () => {
  const smallMssSplit = [
    input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN, "", { seq: 1, options: mssOption(40) })), 1),
    input(ip(WEB, OUTSIDE, 6, tcp(80, 4000, SYN, "", { seq: 9 })), 2),
    input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN, "", { seq: 1, options: mssOption(40) })), 3),
    input(ip(WEB, OUTSIDE, 6, tcp(80, 4000, SYN, "", { seq: 9 })), 4),
  ];

  test("once per flow and threat: two threats on one flow, each once; another flow reports again", () => {
    const r = runThreats("monitor", [...smallMssSplit, input(ip(OUTSIDE, WEB, 6, tcp(4001, 80, SYN, "", { options: mssOption(40) })), 5)]);
    expect(r.threats.map((e) => [e.flow, e.slug])).toEqual([
      [1, "tcp-small-mss"],
      [1, "tcp-split-handshake"],
      [2, "tcp-small-mss"],
    ]);
    expect(r.stats.threats).toEqual({ reported: 3, blockedFlows: 0, byThreat: { "tcp-split-handshake": 1, "tcp-small-mss": 2 }, streamGaps: 0 });
    expect(r.verdicts.map((v) => v.threatRaised ?? false)).toEqual([true, true, false, false, true]);
  });

  test("Protect: the first blocking threat names the flow's later packets; a report-only one still reports", () => {
    const r = runThreats("protect", smallMssSplit);
    expect(r.threats.map((e) => [e.slug, e.action])).toEqual([
      ["tcp-small-mss", "deny"],
      ["tcp-split-handshake", "report"],
    ]);
    expect(r.verdicts.map((v) => [v.action, v.threat])).toEqual([
      ["deny", "tcp-small-mss"],
      ["deny", "tcp-split-handshake"],
      ["deny", "tcp-small-mss"],
      ["deny", "tcp-small-mss"],
    ]);
    expect(r.stats.threats.blockedFlows).toBe(1);
    expect(r.stats.decisions.deniedPackets).toBe(4);
  });

  test("a threat event as NDJSON: the common schema, threat fields first", () => {
    const r = runThreats("protect", smallMssSplit.slice(0, 1));
    const line = eventLine(r.threats[0]!);
    expect(Object.keys(JSON.parse(line))).toEqual(["type", "time", "flow", "threat", "id", "slug", "severity", "action", "evidence", "proto", "src", "dst", "rule", "mode", "packets", "bytes", "first", "last", "state"]);
    expect(JSON.parse(line)).toMatchObject({
      type: "threat",
      time: "1970-01-01T00:00:00.001000000Z",
      threat: "TCP.Small.MSS",
      id: 2025,
      slug: "tcp-small-mss",
      severity: "critical",
      action: "deny",
      evidence: "mss 40",
      proto: "tcp",
      src: { ip: OUTSIDE, port: 4000, kind: "external" },
      dst: { ip: WEB, port: 80, kind: "workload", name: "shop/web-1", groups: ["web", "any"] },
      rule: 10,
      mode: "protect",
    });
  });

  test("threat events go through the ring like the others: a full ring drops and counts them", () => {
    const e = engineFor(threatPolicy("monitor"), { settings: { events: 16, flows: 64, meterSlots: 16 }, eventQueue: 1_000 });
    // 40 new flows in one batch (no inventory: Discover learns them, but a learn report waits for
    // the application or the flow's end), each a threat event now: 40 events for a ring of 16.
    const syns = Array.from({ length: 40 }, (_, i) => input(ip(WEB, OUTSIDE, 6, tcp(80, 5000 + i, SYN | ACK, "", { options: mssOption(10) })), i));
    e.process(syns);
    const s = e.stats();
    expect(s.threats.reported).toBe(40);
    const drained = e.drainEvents();
    expect(drained.map((x) => x.type)).toEqual(Array.from({ length: 16 }, () => "threat"));
    expect(s.events).toMatchObject({ emitted: 16, dropped: 24 });
  });
});

describe("threat areas in the packet region (docs/formats.md memory bounds)", () => {
  const region = (settings: PacketSettingsInput) => engineFor(threatPolicy("monitor"), { settings }).stats().memory.packetRegionBytes;
  const base = { flows: 1024, prefixSlots: 16, fragSlots: 2, events: 256, dnsNames: 16, batchBytes: 256 * 1024, meterSlots: 1024, externalIps: 64 };
  test("meters: 32 bytes each; externalIPs: 16 bytes each; flows: 80 bytes of threat state each beside the record", () => {
    const at = region(base);
    expect(region({ ...base, meterSlots: 2048 }) - at).toBe(1024 * 32);
    expect(region({ ...base, externalIps: 128 }) - at).toBe(64 * 16);
    // A flow: its 208-byte record, 80 bytes of threat state, two 4-byte index entries.
    expect(region({ ...base, flows: 2048 }) - at).toBe(1024 * (208 + 80 + 8));
  });

  test("settings within bounds: meterSlots a power of two", () => {
    expect(() => resolveSettings({ meterSlots: 1000 })).toThrow(/`meterSlots` must be a power of two/);
    expect(() => resolveSettings({ meterSlots: 8 })).toThrow(/`meterSlots` must be an integer in 16\.\.4194304/);
    expect(() => resolveSettings({ externalIps: 65537 })).toThrow(/`externalIps`/);
    expect(resolveSettings({}).meterSlots).toBe(65536);
    expect(resolveSettings({}).threats).toBe(true);
  });
});

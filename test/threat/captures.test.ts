/**
 * The threat captures (test/fixtures/threats/manifest.yaml) through the whole packet path: a
 * policy that names each entry's client and server as workloads (and lists its Service
 * externalIPs), with the entry's settings. In every mode the threat events per slug are exactly
 * the entry's `expect` ({} → none). In Protect a blocking threat denies its flow's later packets
 * (and a flood every further packet that hits its raised meter), a report-only one denies
 * nothing; in Discover and Monitor every verdict equals the one with threat detection off. A
 * teardrop or ping of death raised at a fragment of a datagram without a flow (flow 0) blocks the
 * rest of that datagram instead.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { Mode } from "../../common/schema.js";
import { threatBySlug } from "../../common/threats.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import type { PacketEvent, PacketInput, PacketStats, PacketVerdict } from "../../runtime/packet/engine.js";
import { engineFor, inventory, workload } from "../packet/engine.js";
import { policyPart } from "../packet/threats.js";

const DIR = join(import.meta.dirname, "../fixtures/threats");

interface Entry {
  file: string;
  client: string;
  server: string;
  "external-ips"?: string[];
  settings: string[];
  expect: Record<string, number>;
}

const entries = parse(readFileSync(join(DIR, "manifest.yaml"), "utf8")) as Entry[];
const packets = new Map(entries.map((e) => [e.file, parseCaptureBuffer(readFileSync(join(DIR, e.file))).packets] as const));
const SETTINGS = { flows: 4096, prefixSlots: 256, events: 4096, meterSlots: 4096 };

function policy(mode: Mode, settings: string[]): string {
  return [
    "policy threat-captures",
    `service client = nv.client.lab { mode ${mode} }`,
    `service server = nv.server.lab { mode ${mode} }`,
    "rule 10 allow any -> any",
    settings.length ? `settings { ${settings.join("; ")} }` : "",
  ].join("\n");
}

interface Run {
  verdicts: PacketVerdict[];
  threats: PacketEvent[];
  stats: PacketStats;
}

function run(e: Entry, mode: Mode, threats = true, input: PacketInput[] = packets.get(e.file)!): Run {
  const inv = inventory([workload("client-1", "lab", "client", [e.client]), workload("server-1", "lab", "server", [e.server])]);
  inv.serviceExternalIps = e["external-ips"] ?? [];
  const engine = engineFor(policy(mode, e.settings), { inventory: inv, settings: { ...SETTINGS, threats } });
  const verdicts = engine.process(input);
  engine.flush();
  const events = engine.drainEvents();
  return { verdicts, threats: events.filter((x) => x.type === "threat"), stats: engine.stats() };
}

function bySlug(threats: PacketEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of threats) out[t.slug!] = (out[t.slug!] ?? 0) + 1;
  return out;
}

const RATE = new Set(["syn-flood", "icmp-flood", "dns-flood", "dns-tunneling"]);
const FRAGMENT_THREATS = new Set(["ip-teardrop", "ping-death"]);

/** An IPv4 fragment's datagram (addresses, protocol, identification); undefined for a whole packet. */
function datagram(p: PacketInput): string | undefined {
  const d = p.data.subarray(p.l3Offset);
  if (d[0]! >> 4 !== 4 || (((d[6]! << 8) | d[7]!) & 0x3fff) === 0) return undefined;
  return `${d.subarray(12, 20).join(".")}/${d[9]}/${(d[4]! << 8) | d[5]!}`;
}

/** The packets a threat raised at packet `i` blocks from there on: its flow's, or its datagram's. */
function blockedBy(input: PacketInput[], verdicts: PacketVerdict[], i: number): number[] {
  const v = verdicts[i]!;
  const key = datagram(input[i]!);
  const out: number[] = [];
  for (let j = i + 1; j < verdicts.length; j++) {
    if (v.flow > 0 ? verdicts[j]!.flow === v.flow : datagram(input[j]!) === key) out.push(j);
  }
  return out;
}
const blocks = (slug: string, e: Entry) => threatBySlug(slug)!.action === "block" && !e.settings.includes(`${slug}.action report`);

describe("threat captures: exactly the manifest's threats", () => {
  for (const mode of ["discover", "monitor", "protect"] as const) {
    test.each(entries.map((e) => [e.file, e] as const))(`${mode}: %s`, (_f, e) => {
      const r = run(e, mode);
      expect(bySlug(r.threats)).toEqual(e.expect);
      expect(r.stats.threats.reported).toBe(r.threats.length);
      // Threat evidence is never empty, and every event names its flow, except a fragment's
      // teardrop or ping of death before its datagram has one.
      for (const t of r.threats) {
        expect(t.evidence, t.slug).toBeTruthy();
        if (!FRAGMENT_THREATS.has(t.slug!)) expect(t.flow, t.slug).toBeGreaterThan(0);
      }
    });
  }
});

describe("threat captures in Protect", () => {
  const positives = entries.filter((e) => Object.keys(e.expect).length > 0);

  test.each(positives.map((e) => [e.file, e] as const))("%s: blocking threats deny the rest of their flow (or datagram), report-only ones nothing", (_f, e) => {
    const r = run(e, "protect");
    const clean = run(e, "protect", false);
    for (const t of r.threats) expect(t.action, t.slug).toBe(blocks(t.slug!, e) ? (["tcp-small-window", "http-slowloris"].includes(t.slug!) ? "reset" : "deny") : "report");
    const input = packets.get(e.file)!;
    r.verdicts.forEach((v, i) => {
      if (!v.threatRaised) return;
      if (blocks(v.threat!, e)) {
        expect(v.action, `${v.threat} at packet ${i}`).toBe("deny");
        for (const j of blockedBy(input, r.verdicts, i)) expect(r.verdicts[j]!.action, `${v.threat}: later packet ${j} of flow ${v.flow}`).toBe("deny");
      }
    });
    // Without a blocking threat, nothing differs from the run with threats off.
    if (!Object.keys(e.expect).some((s) => blocks(s, e))) expect(r.verdicts.map(policyPart)).toEqual(clean.verdicts.map(policyPart));
  });

  test.each(["syn-flood-hping3.pcap", "icmp-flood.pcap", "dns-flood.pcap"])("%s: while the flood's meter stays raised, every further packet it counts is denied", (file) => {
    const e = entries.find((x) => x.file === file)!;
    const r = run(e, "protect");
    const rose = r.verdicts.findIndex((v) => v.threatRaised && RATE.has(v.threat!));
    expect(rose).toBeGreaterThan(0);
    const slug = r.verdicts[rose]!.threat!;
    const later = r.verdicts.slice(rose + 1);
    expect(later.length).toBeGreaterThan(0);
    // Every later packet is the flooding client's (or the answer of a denied flow): all denied,
    // and named by the flood, without a second event.
    for (const v of later) expect([v.action, v.threat]).toEqual(["deny", slug]);
    expect(r.threats).toHaveLength(1);
    expect(r.verdicts.slice(0, rose).every((v) => v.action !== "deny")).toBe(true);
  });
});

describe("threat captures in Discover and Monitor", () => {
  for (const mode of ["discover", "monitor"] as const) {
    test(`${mode}: every verdict equals the one with threat detection off`, () => {
      for (const e of entries) {
        const on = run(e, mode);
        const off = run(e, mode, false);
        expect(off.threats, e.file).toEqual([]);
        expect(on.verdicts.map(policyPart), e.file).toEqual(off.verdicts.map(policyPart));
        expect(on.verdicts.some((v) => v.action === "deny"), e.file).toBe(false);
      }
    });
  }
});

describe("teardrop and ping of death at the fragment", () => {
  const entry = (file: string) => entries.find((e) => e.file === file)!;

  test.each(["discover", "monitor"] as const)("%s: the original teardrop is reported once, at its second fragment, without a flow", (mode) => {
    const r = run(entry("teardrop.pcap"), mode);
    expect(r.threats.map((t) => [t.slug, t.flow, t.action, t.evidence])).toEqual([["ip-teardrop", 0, "report", "overlap at 24"]]);
    expect(r.threats[0]).toMatchObject({ proto: "udp", src: { ip: "10.0.0.9", port: 31337, name: "lab/client-1" }, dst: { ip: "10.0.0.10", port: 7777, name: "lab/server-1" }, mode, rule: 10 });
    expect(r.verdicts).toEqual([
      { action: "skip", rule: 0, flow: 0, malformed: "bad-fragment" },
      { action: "hold", rule: 0, flow: 0, threat: "ip-teardrop", threatRaised: true },
    ]);
    // Counted as before: the 36-byte first fragment is malformed, the second an overlap.
    expect(r.stats.malformed).toEqual({ total: 1, "bad-fragment": 1 });
    expect(r.stats.fragments).toMatchObject({ overlaps: 1, reassembled: 0 });
  });

  test("protect: the original teardrop's second fragment is dropped", () => {
    const r = run(entry("teardrop.pcap"), "protect");
    expect(r.threats.map((t) => [t.slug, t.flow, t.action])).toEqual([["ip-teardrop", 0, "deny"]]);
    expect(r.verdicts.map((v) => [v.action, v.threat])).toEqual([["skip", undefined], ["deny", "ip-teardrop"]]);
    expect(r.stats.threats.blockedFlows).toBe(1);
  });

  test("the overwriting teardrop completes and is reported on its flow", () => {
    const r = run(entry("teardrop-overwrite.pcap"), "monitor");
    expect(r.threats).toHaveLength(1);
    expect(r.threats[0]!.flow).toBeGreaterThan(0);
    expect(r.verdicts[1]).toMatchObject({ reassembled: true, overlap: true, threat: "ip-teardrop", threatRaised: true });
  });

  test.each(["monitor", "protect"] as const)("%s: the 66,540-byte ping of death is reported once, at the fragment past 32,000 data bytes", (mode) => {
    const r = run(entry("ping-death-65535.pcap"), mode);
    expect(r.threats.map((t) => [t.flow, t.action, t.evidence])).toEqual([[0, mode === "protect" ? "deny" : "report", "icmp 32552 bytes"]]);
    expect(r.threats[0]).toMatchObject({ proto: "icmp", src: { ip: "10.0.0.9", port: 0xbad }, dst: { ip: "10.0.0.10", port: 0xbad } });
    const at = r.verdicts.findIndex((v) => v.threatRaised);
    // 22 fragments of 1,480 bytes hold 32,552 bytes of ICMP data.
    expect(at).toBe(21);
    // Its fragment past 65,535 bytes is malformed as before; the datagram never completes.
    expect(r.stats.malformed).toEqual({ total: 1, "bad-fragment": 1 });
    expect(r.stats.fragments.reassembled).toBe(0);
    if (mode === "protect") {
      expect(r.verdicts.slice(0, at).every((v) => v.action === "hold")).toBe(true);
      expect(r.verdicts.slice(at).every((v) => v.action === "deny" && v.threat === "ping-death")).toBe(true);
    } else {
      expect(r.verdicts.filter((v) => v.malformed === "bad-fragment")).toHaveLength(1);
      expect(r.verdicts.filter((v) => v.threat !== undefined)).toHaveLength(1);
    }
  });

  test("with `ping-death.size 65535` the fragment past 65,535 bytes raises it, malformed as it is", () => {
    const r = run({ ...entry("ping-death-65535.pcap"), settings: ["ping-death.size 65535"] }, "monitor");
    expect(r.threats.map((t) => t.evidence)).toEqual(["icmp 66512 bytes"]);
    expect(r.verdicts.at(-1)).toEqual({ action: "skip", rule: 0, flow: 0, malformed: "bad-fragment", threat: "ping-death", threatRaised: true });
  });

  test("the 40,028-byte ping: the request is reported at a fragment; its reply, the server's, never", () => {
    for (const mode of ["monitor", "protect"] as const) {
      const r = run(entry("ping-death-40000.pcap"), mode);
      expect(r.threats.map((t) => [t.flow, t.src.ip]), mode).toEqual([[0, "10.0.0.9"]]);
    }
  });
});

describe("what the captures without a report show", () => {
  test("no capture loses a stream to a gap", () => {
    for (const e of entries) expect(run(e, "monitor").stats.threats.streamGaps, e.file).toBe(0);
  });
});

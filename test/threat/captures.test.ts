/**
 * The threat captures (test/fixtures/threats/manifest.yaml) through the whole packet path: a
 * policy that names each entry's client and server as workloads (and lists its Service
 * externalIPs), with the entry's settings. In every mode the threat events per slug are exactly
 * the entry's `expect` ({} → none). In Protect a blocking threat denies its flow's later packets
 * (and a flood every further packet that hits its raised meter), a report-only one denies
 * nothing; in Discover and Monitor every verdict equals the one with threat detection off.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { Mode } from "../../common/schema.js";
import { threatBySlug } from "../../common/threats.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import type { PacketEvent, PacketInput, PacketStats, PacketVerdict } from "../../runtime/packets.js";
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
const blocks = (slug: string, e: Entry) => threatBySlug(slug)!.action === "block" && !e.settings.includes(`${slug}.action report`);

describe("threat captures: exactly the manifest's threats", () => {
  for (const mode of ["discover", "monitor", "protect"] as const) {
    test.each(entries.map((e) => [e.file, e] as const))(`${mode}: %s`, (_f, e) => {
      const r = run(e, mode);
      expect(bySlug(r.threats)).toEqual(e.expect);
      expect(r.stats.threats.reported).toBe(r.threats.length);
      // Threat evidence is never empty, and every event names its flow.
      for (const t of r.threats) {
        expect(t.evidence, t.slug).toBeTruthy();
        expect(t.flow, t.slug).toBeGreaterThan(0);
      }
    });
  }
});

describe("threat captures in Protect", () => {
  const positives = entries.filter((e) => Object.keys(e.expect).length > 0);

  test.each(positives.map((e) => [e.file, e] as const))("%s: blocking threats deny the rest of their flow, report-only ones nothing", (_f, e) => {
    const r = run(e, "protect");
    const clean = run(e, "protect", false);
    for (const t of r.threats) expect(t.action, t.slug).toBe(blocks(t.slug!, e) ? (["tcp-small-window", "http-slowloris"].includes(t.slug!) ? "reset" : "deny") : "report");
    r.verdicts.forEach((v, i) => {
      if (!v.threatRaised) return;
      const later = r.verdicts.slice(i + 1).filter((w) => w.flow === v.flow);
      if (blocks(v.threat!, e)) {
        expect(v.action, `${v.threat} at packet ${i}`).toBe("deny");
        for (const w of later) expect(w.action, `${v.threat}: a later packet of flow ${v.flow}`).toBe("deny");
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

describe("what the captures without a report show", () => {
  test("the 66,540-byte ping of death never reassembles: its fragment past 65,535 bytes is malformed", () => {
    const r = run(entries.find((e) => e.file === "ping-death-65535.pcap")!, "monitor");
    expect(r.stats.malformed).toEqual({ total: 1, "bad-fragment": 1 });
    expect(r.stats.fragments.reassembled).toBe(0);
    expect(r.verdicts.filter((v) => v.malformed === "bad-fragment")).toHaveLength(1);
  });

  test("no capture loses a stream to a gap", () => {
    for (const e of entries) expect(run(e, "monitor").stats.threats.streamGaps, e.file).toBe(0);
  });
});

/**
 * The threat-detection captures (test/fixtures/threats, manifest.yaml: crafted and recorded
 * attacks with a look-alike for each) replayed through the stream detectors: every TCP/UDP flow
 * goes to the parser of the application the DPI stage names for it, packet by packet with the
 * capture's times (streamTick on every packet, streamData with the bytes it delivers), and the
 * findings, counted once per flow and threat as the packet path reports them, must be exactly the
 * manifest's `expect` for the threats these detectors own: zero for the look-alikes and for the
 * captures of other detections. Rate detections (dns-flood, dns-tunneling) are another module's.
 *
 * A malformed attack message is what the DPI stage rejects: a DNS query whose name points at
 * itself, an SSLv2 hello whose lengths do not add up. For a flow the DPI stage cannot name, the
 * server port's usual application stands in (as NeuVector's DNS parser takes port 53 traffic);
 * the packet path must do the same for those two captures to raise their threat, and the last
 * test names them so that a change on either side shows.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { captureFlows, replay as identify } from "../dpi/flows.js";
import { DPI_UNKNOWN, loadDpi, type Dpi } from "../dpi/harness.js";
import { captureClock, inOrderPieces, loadStream, type Stream } from "./harness.js";

const DIR = join(import.meta.dirname, "../fixtures/threats");
const OWN = new Set([
  "dns-zone-transfer", "dns-null-type", "dns-overflow", "dns-loop-pointer", "http-negative-length", "http-smuggling", "http-slowloris", "struts-rce",
  "ssl-heartbleed", "ssl-cipher-overflow", "ssl-v2-v3", "tls-1.0", "tls-1.1", "mysql-access-deny", "sql-injection",
]);

interface Entry {
  file: string;
  description: string;
  expect: Record<string, number>;
}
const entries = parse(readFileSync(join(DIR, "manifest.yaml"), "utf8")) as Entry[];
/** The usual application of a server port, for flows the DPI stage cannot name. */
const PORT_APP: Record<number, number> = { 53: 1004, 80: 1001, 443: 1002, 3306: 2001, 5432: 2006, 1433: 2027, 1521: 2026 };
/** Captures whose threat is only seen through PORT_APP. */
const byPort = new Set<string>();

let s: Stream;
let dpi: Dpi;
beforeAll(async () => {
  s = await loadStream();
  dpi = await loadDpi();
});

/** Threat counts of a capture: once per flow and threat. */
function run(file: string): Record<string, number> {
  const path = join(DIR, file);
  const clock = captureClock(path);
  const counts: Record<string, number> = {};
  for (const f of captureFlows(path)) {
    const named = identify(dpi, f).app;
    const app = named === DPI_UNKNOWN ? (PORT_APP[f.dport] ?? 0) : named;
    if (s.ex.streamWanted(app) === 0) continue;
    const flow = s.flow(app, f.proto);
    const pieces = inOrderPieces(f);
    const seen = new Set<string>();
    let last = 0n;
    f.packets.forEach((p, i) => {
      last = clock(p.payload);
      for (const x of flow.tick(last)) seen.add(x.threat);
      for (const piece of pieces.filter((q) => q.packet === i)) {
        for (const x of flow.data(piece.dir === 0 ? "c" : "s", piece.bytes, last)) seen.add(x.threat);
      }
    });
    for (const x of flow.tick(last)) seen.add(x.threat);
    for (const t of seen) counts[t] = (counts[t] ?? 0) + 1;
    if (seen.size > 0 && named === DPI_UNKNOWN) byPort.add(file);
  }
  return counts;
}

describe("threat captures", () => {
  test("the manifest covers every threat these detectors own", () => {
    const covered = new Set(entries.flatMap((e) => Object.keys(e.expect ?? {})));
    for (const t of OWN) expect(covered.has(t), t).toBe(true);
  });

  test.each(entries.map((e) => [e.file, e] as const))("%s", (file, e) => {
    const want = Object.fromEntries(Object.entries(e.expect ?? {}).filter(([t]) => OWN.has(t)));
    expect(run(file), e.description).toEqual(want);
  });

  test("the captures seen only through the server port's application", () => {
    expect([...byPort].sort()).toEqual(["dns-loop-pointer.pcap", "ssl-cipher-overflow.pcap"]);
  });
});

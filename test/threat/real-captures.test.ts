/**
 * Real traffic raises no threat: every capture of test/fixtures/captures (both manifests: Debian
 * servers and clients, npm client libraries) through the whole packet path with every detection
 * on, the off-by-default ones too (TLS 1.0/1.1, DNS NULL type, slowloris, small window), and the
 * loopback addresses named as a workload so that the floods meter them. The captures that hold a
 * threat by design report exactly it: the AXFR attempt, the two refused MariaDB logins, and the
 * TLS 1.0 and TLS 1.1 sessions. No stream is lost to a gap.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { threatBySlug } from "../../common/threats.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { CAPTURES, engineFor, inventory, workload } from "../packet/engine.js";

const ALL_ON = "tls-1.0 on; tls-1.1 on; dns-null-type on; http-slowloris on; tcp-small-window on";
const POLICY = `policy real-traffic
service lo = nv.lo.lab { mode protect }
rule 10 allow any -> any
settings { ${ALL_ON} }
`;

const EXPECTED: Record<string, Record<string, number>> = {
  "dns-axfr.pcap": { "dns-zone-transfer": 1 },
  "mysql-access-denied.pcap": { "mysql-access-deny": 2 },
  "nginx-tls10.pcap": { "tls-1.0": 1, "tls-1.1": 1 },
};

const files = ["manifest-debian.yaml", "manifest-npm.yaml"].flatMap((m) => (parse(readFileSync(join(CAPTURES, m), "utf8")) as { file: string }[]).map((e) => e.file));

describe("real traffic with every detection on", () => {
  test("both manifests are read (the captures the checks below cover)", () => {
    expect(files.length).toBeGreaterThan(50);
    for (const f of Object.keys(EXPECTED)) expect(files).toContain(f);
  });

  test.each(files)("%s", (file) => {
    const engine = engineFor(POLICY, { inventory: inventory([workload("lo-1", "lab", "lo", ["127.0.0.1", "::1"])]), settings: { flows: 4096, prefixSlots: 256, events: 4096, meterSlots: 4096 } });
    const verdicts = engine.process(parseCaptureBuffer(readFileSync(join(CAPTURES, file))).packets);
    engine.flush();
    const got: Record<string, number> = {};
    for (const e of engine.drainEvents()) if (e.type === "threat") got[e.slug!] = (got[e.slug!] ?? 0) + 1;
    expect(got).toEqual(EXPECTED[file] ?? {});
    const stats = engine.stats();
    expect(stats.threats.streamGaps).toBe(0);
    // The policy allows everything: only a blocking threat (in Protect) may deny a packet.
    const blocking = Object.keys(got).some((s) => threatBySlug(s)!.action === "block");
    if (!blocking) expect(verdicts.filter((v) => v.action === "deny")).toEqual([]);
  });
});

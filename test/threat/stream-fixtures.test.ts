/**
 * Real traffic: every flow of the capture fixtures (test/fixtures/captures, both manifests)
 * replayed through the stream detectors of its application, the pieces in the order the packet
 * path delivers them. Legal sessions give no finding; the captures made for a threat give exactly
 * theirs: the AXFR attempt, the two refused MariaDB logins, the TLS 1.0 and TLS 1.1 handshakes.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APPS } from "../../common/apps.js";
import { fixtureFlows } from "../dpi/manifest.js";
import { loadStream, replay, threats, type Stream } from "./harness.js";

const EXPECTED: Record<string, string[]> = {
  "dns-axfr.pcap #1": ["dns-zone-transfer"],
  "mysql-access-denied.pcap #1": ["mysql-access-deny"],
  "mysql-access-denied.pcap #2": ["mysql-access-deny"],
  "nginx-tls10.pcap #1": ["tls-1.0"],
  "nginx-tls10.pcap #2": ["tls-1.1"],
};

const flows = fixtureFlows().map((f) => ({ name: `${f.file} #${f.index}`, app: APPS.find((a) => a.name === f.app)?.id, flow: f.flow }));

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

describe("capture fixtures", () => {
  test("the manifests hold flows of every application the detectors read", () => {
    const apps = new Set(flows.filter((f) => f.app !== undefined && s.ex.streamWanted(f.app) !== 0).map((f) => f.app));
    // DNS, HTTP servers, SSL, MySQL, PostgreSQL, TDS, TNS.
    for (const id of [1004, 2022, 1002, 2001, 2006, 2027, 2026]) expect(apps.has(id), `app ${id}`).toBe(true);
  });

  test.each(flows.map((f) => [f.name, f] as const))("%s", (name, f) => {
    if (f.app === undefined || s.ex.streamWanted(f.app) === 0) return;
    expect(threats(replay(s, f.flow, f.app))).toEqual(EXPECTED[name] ?? []);
  });

  test("the refused logins name the user in the evidence", () => {
    const denied = flows.filter((f) => f.name.startsWith("mysql-access-denied.pcap"));
    const ev = denied.map((f) => replay(s, f.flow, f.app!)[0]!.evidence);
    expect(ev[0]).toContain("Access denied for user 'app'");
    expect(ev[0]).toMatch(/^error 1045: Access denied/);
    expect(ev[1]).toContain("'nosuchuser'");
    expect(ev[1]).toMatch(/^error 1698: /);
  });
});

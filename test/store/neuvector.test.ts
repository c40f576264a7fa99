/**
 * `nvp ingest` of NeuVector's own security events. The fixtures follow NeuVector's structs field
 * by field (test/fixtures/neuvector/README.md): security.json is a `GET /v1/log/security` body
 * (controller/api/apis.go RESTSecurityData), syslog.log is syslog in JSON (controller/common/output.go).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FlowStore, reportData } from "../../runtime/store/index.js";
import { mapThreat, mapViolation, NvShapeError } from "../../runtime/store/neuvector-map.js";
import { isNeuVectorFile } from "../../runtime/store/neuvector-read.js";
import { INVENTORY, nvp, root } from "./fixture.js";

const FIX = join(root, "test/fixtures/neuvector");
const SECURITY = join(FIX, "security.json");
const SYSLOG = join(FIX, "syslog.log");
const WEBHOOK = join(FIX, "webhook.ndjson");

async function open<T>(path: string, body: (s: FlowStore) => Promise<T>): Promise<T> {
  const s = await FlowStore.open(path, { readOnly: true });
  try {
    return await body(s);
  } finally {
    s.close();
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), "nvp-nv-test-"));
const count = async (s: FlowStore, table: string) => Number((await s.query(`SELECT count(*) AS n FROM ${table}`))[0]!["n"]);

describe("nvp ingest of NeuVector security events", () => {
  test("a /v1/log/security body: violations and threats stored, incidents counted, workloads named", async () => {
    const dir = tmp();
    const r = await nvp(["ingest", "--store", "nv.duckdb", "--neuvector", SECURITY], dir);
    expect(r.err).toBe("");
    expect(r.out).toBe("stored run 1 in nv.duckdb: 0 flows, 3 events, 2 threats (capture `security.json`)\nnot stored: 1 NeuVector incidents (process and file events), 0 other notifications, 0 lines of other logs\n");
    await open(join(dir, "nv.duckdb"), async (s) => {
      const ev = await s.query("SELECT type, action, rule, proto, app, src_ip, src_kind, src_name, dst_ip, dst_port, dst_kind, dst_name, CAST(time AS VARCHAR) AS t, packets_out FROM events ORDER BY time");
      expect(ev).toEqual([
        { type: "violation", action: "violate", rule: 0, proto: "tcp", app: "gRPC", src_ip: "10.1.0.11", src_kind: "workload", src_name: "shop/web-7d4b9c-x2x1k", dst_ip: "10.1.2.31", dst_port: 9000, dst_kind: "workload", dst_name: "shop/payments-0", t: "2025-12-05 12:30:00", packets_out: null },
        { type: "deny", action: "deny", rule: 10042, proto: "tcp", app: "SSL", src_ip: "10.1.2.31", src_kind: "workload", src_name: "shop/payments-0", dst_ip: "52.18.63.80", dst_port: 443, dst_kind: "external", dst_name: null, t: "2025-12-05 12:31:02", packets_out: null },
        { type: "violation", action: "violate", rule: 0, proto: "tcp", app: "SSH", src_ip: "192.168.49.3", src_kind: "node", src_name: "node-2", dst_ip: "10.1.3.51", dst_port: 22, dst_kind: "workload", dst_name: "data/batch-28471-k7l8m", t: "2025-12-05 12:31:41", packets_out: null },
      ]);
      const th = await s.query("SELECT threat, threat_id, slug, severity, action, evidence, app, proto, src_ip, src_port, src_kind, dst_name, dst_port, capture FROM threats ORDER BY time");
      expect(th).toEqual([
        { threat: "SQL.Injection", threat_id: 2022, slug: "sql-injection", severity: "critical", action: "deny", evidence: "SQL Injection, URI=/orders?id=1'+OR+'1'='1", app: "HTTP", proto: "tcp", src_ip: "185.220.101.4", src_port: 51522, src_kind: "external", dst_name: "shop/api-5f6c7d-a1b2c", dst_port: 8080, capture: "security.json" },
        { threat: "DNS.Tunneling", threat_id: 2024, slug: "dns-tunneling", severity: "high", action: "report", evidence: "DNS tunneling: long query names to t1.exfil.example.org", app: "DNS", proto: "udp", src_ip: "10.1.3.51", src_port: 40312, src_kind: "workload", dst_name: "kube-system/coredns-5d78c9869d-q2w3e", dst_port: 53, capture: "security.json" },
      ]);
      // Each workload once, with the service, image, node and address NeuVector logged for it.
      const wl = await s.query("SELECT namespace, name, service, node, images, ips FROM workloads ORDER BY namespace, name");
      expect(wl).toEqual([
        { namespace: "data", name: "batch-28471-k7l8m", service: "batch", node: "node-2", images: ["python:3.12-slim"], ips: ["10.1.3.51"] },
        { namespace: "kube-system", name: "coredns-5d78c9869d-q2w3e", service: "coredns", node: "node-2", images: ["registry.k8s.io/coredns/coredns:v1.11.1"], ips: ["10.1.9.10"] },
        { namespace: "shop", name: "api-5f6c7d-a1b2c", service: "api", node: "node-1", images: ["ghcr.io/example/shop-api:2.4.1"], ips: ["10.1.1.21"] },
        { namespace: "shop", name: "payments-0", service: "payments", node: "node-1", images: ["ghcr.io/example/payments:1.9.0"], ips: ["10.1.2.31"] },
        { namespace: "shop", name: "web-7d4b9c-x2x1k", service: "web", node: "node-1", images: ["nginx:1.25"], ips: ["10.1.0.11"] },
      ]);
      // The report's security-event sections read them like nvp's own events.
      const rep = await reportData(s);
      expect(rep.totals).toMatchObject({ flows: 0, threats: 2, violations: 3 });
      expect(rep.critical.map((c) => c["threat"])).toEqual(["SQL.Injection"]);
      expect(rep.topSources).toContainEqual({ who: "shop/payments-0", threats: 0, violations: 0, denies: 1, total: 1 });
      expect(rep.topDestinations).toContainEqual({ who: "shop/payments-0", threats: 0, violations: 1, denies: 0, total: 1 });
      expect(rep.severities).toEqual(expect.arrayContaining([{ severity: "critical", n: 1 }, { severity: "high", n: 1 }]));
      // The external address of the deny has its country, as a replay's would.
      expect(await s.query("SELECT ip FROM geo ORDER BY ip")).toEqual([{ ip: "185.220.101.4" }, { ip: "52.18.63.80" }].map((g) => expect.objectContaining(g)));
    });
  });

  test("syslog in JSON is told apart without --neuvector; other notifications and log lines are counted", async () => {
    const dir = tmp();
    expect(isNeuVectorFile(SYSLOG)).toBe(true);
    expect(isNeuVectorFile(SECURITY)).toBe(true);
    const r = await nvp(["ingest", "--store", "nv.duckdb", "--format", "json", SYSLOG], dir);
    expect(JSON.parse(r.out)).toEqual({ store: "nv.duckdb", capture: "syslog.log", runId: 1, flows: 0, events: 1, threats: 1, skipped: { incidents: 1, other: 1, lines: 1 } });
    await open(join(dir, "nv.duckdb"), async (s) => {
      expect(await s.query("SELECT type, src_kind, src_ip, dst_name, dst_port FROM events")).toEqual([{ type: "violation", src_kind: "external", src_ip: "203.0.113.9", dst_name: "shop/web-7d4b9c-x2x1k", dst_port: 8443 }]);
      expect(await s.query("SELECT threat, slug, severity, action, app, src_port FROM threats")).toEqual([{ threat: "TCP.SYN.Flood", slug: "syn-flood", severity: "critical", action: "reset", app: null, src_port: 0 }]);
    });
  });

  test("pods the inventory has are not stored twice", async () => {
    const dir = tmp();
    expect((await nvp(["ingest", "--store", "nv.duckdb", "--inventory", INVENTORY, SECURITY], dir)).code).toBe(0);
    await open(join(dir, "nv.duckdb"), async (s) => {
      // Every pod security.json names is one of the inventory's nine: no second row, the inventory's node kept.
      expect(await count(s, "workloads")).toBe(9);
      expect(await s.query("SELECT node FROM workloads WHERE name = 'payments-0'")).toEqual([{ node: "node-3" }]);
    });
  });

  test("JSON webhook bodies, one a line: each record's kind from its fields", async () => {
    const dir = tmp();
    expect(isNeuVectorFile(WEBHOOK)).toBe(true);
    const r = await nvp(["ingest", "--store", "nv.duckdb", "--format", "json", WEBHOOK], dir);
    expect(JSON.parse(r.out)).toMatchObject({ events: 1, threats: 1, skipped: { incidents: 1, other: 0, lines: 0 } });
    await open(join(dir, "nv.duckdb"), async (s) => {
      expect(await s.query("SELECT type, rule, src_name, dst_ip, dst_kind FROM events")).toEqual([{ type: "deny", rule: 10042, src_name: "shop/payments-0", dst_ip: "52.18.63.80", dst_kind: "external" }]);
      // The message equal to the name is no evidence.
      expect(await s.query("SELECT threat, slug, action, evidence, dst_port FROM threats")).toEqual([{ threat: "SSL.Heartbleed", slug: "ssl-heartbleed", action: "deny", evidence: null, dst_port: 443 }]);
    });
  });

  test("syslog with CRLF line ends reads the same", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "crlf.log"), readFileSync(SYSLOG, "utf8").replace(/\n/g, "\r\n"));
    const r = await nvp(["ingest", "--store", "nv.duckdb", "--format", "json", "crlf.log"], dir);
    expect(JSON.parse(r.out)).toMatchObject({ events: 1, threats: 1, skipped: { incidents: 1, other: 1, lines: 1 } });
  });

  test("nvp's own NDJSON and NeuVector's export in one ingest", async () => {
    const dir = tmp();
    const own = join(dir, "own.ndjson");
    writeFileSync(own, JSON.stringify({ type: "deny", time: "2026-11-23T11:29:09.481452000Z", flow: 7, proto: "tcp", src: { ip: "203.0.113.9", port: 40002, kind: "external" }, dst: { ip: "10.0.0.1", port: 8443, kind: "workload", name: "shop/web-1" }, rule: 20, action: "deny", packets: [1, 0], bytes: [60, 0], first: "2026-11-23T11:29:09.481452000Z", last: "2026-11-23T11:29:09.481452000Z" }) + "\n");
    expect(isNeuVectorFile(own)).toBe(false);
    const r = await nvp(["ingest", "--store", "nv.duckdb", own, SECURITY, SYSLOG], dir);
    expect(r.out).toMatch(/^stored run 1 in nv\.duckdb: 0 flows, 5 events, 3 threats/);
    await open(join(dir, "nv.duckdb"), async (s) => expect(Number((await s.query("SELECT packets_out FROM events WHERE flow_id = 7"))[0]!["packets_out"])).toBe(1));
  });

  test("a bad record is refused with its number and field, and the store stays as it was", async () => {
    const dir = tmp();
    expect((await nvp(["ingest", "--store", "nv.duckdb", SYSLOG], dir)).code).toBe(0);
    const doc = JSON.parse(readFileSync(SECURITY, "utf8")) as { violations: Record<string, unknown>[] };
    delete doc.violations[1]!["client_ip"];
    writeFileSync(join(dir, "bad.json"), JSON.stringify(doc));
    const r = await nvp(["ingest", "--store", "nv.duckdb", SECURITY, "bad.json"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error\[NV5604\]: `.*bad\.json`: violation 2 has no `client_ip`/);
    expect(r.err).toMatch(/\n {2}--> nv\.duckdb\n {3}= help: NeuVector's records carry client_ip, server_ip and reported_at; .* \(docs\/formats\.md\)\n$/);
    await open(join(dir, "nv.duckdb"), async (s) => {
      expect([await count(s, "runs"), await count(s, "events"), await count(s, "threats"), await count(s, "workloads")]).toEqual([1, 1, 1, 1]);
    });
  });

  test.each([
    ["not JSON", '{"violations": [', /NV5603.*not JSON/],
    ["no list of NeuVector records", '{"flows": []}', /NV5604.*not a NeuVector security event export/],
    ["a list that is not one", '{"threats": 3}', /NV5604.*`threats` that is not a list/],
    ["a policy action no violation has", JSON.stringify({ violations: [{ policy_action: "allow", client_ip: "10.0.0.1", server_ip: "10.0.0.2", reported_at: "2025-12-05T12:30:00Z" }] }), /NV5604.*violation 1 has a `policy_action` NeuVector does not log as a violation: `allow`/],
    ["a time that is not RFC 3339", JSON.stringify({ threats: [{ name: "X", severity: "Low", action: "deny", client_ip: "10.0.0.1", server_ip: "10.0.0.2", reported_at: "yesterday" }] }), /NV5604.*threat 1 has a `reported_at` that is not RFC 3339/],
    ["a syslog line cut short", '{"notification": "threat", "name":', /NV5603.*line 1 is not JSON/],
    ["a line longer than any notification", '{"notification": "event"}\n' + "x".repeat(2 << 20), /NV5603.*line 2 is longer than 1048576 bytes/],
  ])("%s is refused with a code", async (_name, text, message) => {
    const dir = tmp();
    writeFileSync(join(dir, "in.json"), text);
    const r = await nvp(["ingest", "--store", "nv.duckdb", "--neuvector", "in.json"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/\n {3}= help: (give NeuVector's|NeuVector's records carry)/);
  });
});

describe("NeuVector record mapping", () => {
  const base = { client_ip: "10.0.0.1", server_ip: "fd00::2", reported_timestamp: 1764937800 };
  test("reported_timestamp stands in for reported_at; ICMPv6, unmanaged and service-IP endpoints", () => {
    const m = mapViolation({ ...base, policy_action: "deny", ip_proto: 58, client_id: "Workload:10.0.0.1", server_id: "nv.ip.kube-dns.kube-system", server_name: "nv.ip.kube-dns.kube-system" });
    expect("line" in m && m.line).toMatchObject({ type: "deny", time: "2025-12-05T12:30:00.000000000Z", proto: "icmp", src: { kind: "internal", name: "Workload:10.0.0.1" }, dst: { kind: "internal", name: "nv.ip.kube-dns.kube-system" } });
  });
  test("an endpoint NeuVector names nothing for is internal when private, else external", () => {
    const m = mapThreat({ ...base, client_ip: "8.8.8.8", name: "#4711", threat_id: 4711, severity: "Low", action: "allow" });
    expect("line" in m && m.line).toMatchObject({ threat: "#4711", id: 4711, slug: null, severity: "low", action: "allow", src: { kind: "external" }, dst: { kind: "internal" } });
  });
  test("wrong types are shape errors", () => {
    expect(() => mapViolation({ ...base, policy_action: "violate", server_port: "80" })).toThrow(NvShapeError);
    expect(() => mapViolation({ ...base, policy_action: "violate", applications: "HTTP" })).toThrow(/applications/);
    expect(() => mapThreat({ ...base, name: "X", severity: "Low", action: "block" })).toThrow(/threat `action`/);
  });
});

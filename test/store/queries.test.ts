/**
 * The explorer's filters and views, and the report's queries, checked against an oracle computed
 * in JavaScript from the NDJSON flow records of the same replay. Values that try to break out of
 * SQL are only ever values.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readTrivy } from "../../report/vulns.js";
import { reportJson } from "../../report/build-report.js";
import { cidrRange, countries, countryOf, FilterError, flowsPage, FlowStore, overview, parseFilter, reportData, statistics, whereClause } from "../../runtime/store/index.js";
import { clusterFixture, type Fixture } from "./fixture.js";

interface Rec { src: { ip: string; port?: number; name?: string; kind: string }; dst: { ip: string; port?: number; name?: string; kind: string }; proto: string; app?: string; action: string; rule: number; first: string; last: string; bytes: [number, number]; mode: string }

let fx: Fixture;
let store: FlowStore;
let recs: Rec[];
beforeAll(async () => {
  fx = await clusterFixture();
  store = await FlowStore.open(fx.store, { readOnly: true });
  recs = readFileSync(fx.flows, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Rec);
});
afterAll(() => store?.close());

const total = async (q: Record<string, string>) => (await flowsPage(store, parseFilter(q), { size: 1 })).total;
const ipNum = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);

describe("flow filters", () => {
  test("each filter selects exactly the records the oracle selects", async () => {
    const inCidr = (ip: string, [lo, hi]: [number, number]) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && ipNum(ip) >= lo && ipNum(ip) <= hi;
    const mid = recs[Math.floor(recs.length / 2)]!.first;
    const cases: [Record<string, string>, (r: Rec) => boolean][] = [
      [{ ip: "10.1.1.0/24" }, (r) => inCidr(r.src.ip, cidrRange("10.1.1.0/24")!) || inCidr(r.dst.ip, cidrRange("10.1.1.0/24")!)],
      [{ ip: "10.1.9.10" }, (r) => r.src.ip === "10.1.9.10" || r.dst.ip === "10.1.9.10"],
      [{ port: "8443" }, (r) => r.dst.port === 8443 || r.src.port === 8443],
      [{ proto: "udp" }, (r) => r.proto === "udp"],
      [{ app: "dns" }, (r) => r.app === "DNS"],
      [{ action: "deny" }, (r) => r.action === "deny"],
      [{ rule: "35" }, (r) => r.rule === 35],
      [{ q: "payments" }, (r) => JSON.stringify([r.src.name, r.dst.name]).includes("payments")],
      [{ to: mid }, (r) => Date.parse(r.first) <= Date.parse(mid)],
      [{ from: mid, proto: "tcp", action: "allow" }, (r) => Date.parse(r.last) >= Date.parse(mid) && r.proto === "tcp" && r.action === "allow"],
      [{ country: "IE" }, (r) => countryOf(r.src.ip)?.alpha2 === "IE" || countryOf(r.dst.ip)?.alpha2 === "IE"],
    ];
    for (const [q, pred] of cases) {
      const want = recs.filter(pred).length;
      expect({ q, n: await total(q) }).toEqual({ q, n: want });
    }
    // The filters are not vacuous on this capture.
    expect(recs.filter(cases[10]![1]).length).toBeGreaterThan(0);
    expect(recs.filter(cases[5]![1]).length).toBeGreaterThan(0);
  });

  test("pages are disjoint, sorted as asked, and cover the selection", async () => {
    const f = parseFilter({ proto: "tcp" });
    const all = (await flowsPage(store, f, { size: 500, sort: "bytes", dir: "desc" })).rows;
    const paged = [];
    for (let p = 0; p < 3; p++) paged.push(...(await flowsPage(store, f, { size: 50, page: p, sort: "bytes", dir: "desc" })).rows);
    expect(paged.map((r) => `${r["run_id"]}/${r["flow_id"]}`)).toEqual(all.slice(0, 150).map((r) => `${r["run_id"]}/${r["flow_id"]}`));
    const bytes = all.map((r) => Number(r["bytes"]));
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
  });

  test("text meant to break out of SQL is only a value", async () => {
    for (const q of ["' OR '1'='1", "x'; DROP TABLE flows; --", "%", "_", "\\"]) {
      expect(await total({ q })).toBe(0);
    }
    expect(await total({ capture: "' OR 1=1 --" })).toBe(0);
    expect(await total({ app: "HTTP' OR app <> '" })).toBe(0);
    expect(await total({})).toBe(recs.length);
    const w = whereClause(parseFilter({ q: "' OR '1'='1", app: "x' --" }));
    expect(w.sql).not.toContain("'1'='1");
    expect(w.params).toContain("' or '1'='1");
    // An unknown sort column falls back to the default, never into the SQL.
    const r = await flowsPage(store, {}, { sort: "bytes; DROP TABLE flows", size: 3 });
    expect(r.rows).toHaveLength(3);
  });

  test("bad filter values are refused with the field named", () => {
    const bad: [Record<string, string>, string, RegExp][] = [
      [{ ip: "10.0.0.0/33" }, "ip", /must be an IP address or an IPv4 CIDR/],
      [{ q: "web\u001fshop" }, "q", /must not contain control characters/],
      [{ ip: "1.2.3.4' OR 1=1" }, "ip", /must be an IP address/],
      [{ port: "70000" }, "port", /whole number 0…65535/],
      [{ proto: "tcp;--" }, "proto", /tcp, udp, icmp or a protocol number/],
      [{ action: "maybe" }, "action", /one of allow, violate, deny/],
      [{ country: "Ireland" }, "country", /alpha-2/],
      [{ from: "last tuesday" }, "from", /RFC 3339/],
      [{ q: "x".repeat(201) }, "q", /longer than 200/],
    ];
    for (const [q, field, msg] of bad) {
      const e = (() => { try { parseFilter(q); } catch (x) { return x; } })() as FilterError;
      expect(e).toBeInstanceOf(FilterError);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(msg);
    }
  });

  test("overview, statistics and countries add up to the selection", async () => {
    const f = parseFilter({ proto: "tcp" });
    const o = await overview(store, f);
    const tcp = recs.filter((r) => r.proto === "tcp");
    expect(o["totals"]).toMatchObject({ flows: tcp.length, bytes: tcp.reduce((n, r) => n + r.bytes[0] + r.bytes[1], 0) });
    expect((o["timeline"] as Record<string, number>[]).reduce((n, t) => n + t["flows"]!, 0)).toBe(tcp.length);
    const s = await statistics(store, f);
    expect(s["protocols"]).toEqual([{ proto: "tcp", flows: tcp.length, out_bytes: tcp.reduce((n, r) => n + r.bytes[0], 0), in_bytes: tcp.reduce((n, r) => n + r.bytes[1], 0) }]);
    expect(s["durations"]!.reduce((n, d) => n + Number(d["flows"]), 0)).toBe(tcp.length);
    const c = await countries(store, {});
    const ie = recs.filter((r) => countryOf(r.src.ip)?.alpha2 === "IE" || countryOf(r.dst.ip)?.alpha2 === "IE").length;
    expect(c.find((r) => r["country"] === "IE")).toMatchObject({ numeric: "372", flows: ie });
  });
});

describe("report queries", () => {
  test("exposure, events, modes and applications from the cluster replay", async () => {
    const d = await reportData(store);
    const ingress = d.ingress as Record<string, unknown>[];
    const egress = d.egress as Record<string, unknown>[];
    // Ingress to web is allowed by rule 10; to api (monitor, no rule) it is a violation: Alert.
    expect(ingress.find((r) => r["service"] === "web.shop")).toMatchObject({ mode: "protect", action: "Allow", applications: "HTTP" });
    expect(ingress.find((r) => r["service"] === "api.shop")).toMatchObject({ mode: "monitor", action: "Alert" });
    // Egress: payments is denied, the canary is named from the snooped DNS answer.
    expect(egress.find((r) => r["service"] === "payments.shop")).toMatchObject({ mode: "protect", action: "Deny" });
    const canary = egress.filter((r) => r["host"] === "52.18.63.80");
    expect(canary.length).toBeGreaterThan(0);
    for (const r of canary) expect(r).toMatchObject({ fqdn: "canarytokens.com", action: "Alert" });
    expect(d.critical[0]).toMatchObject({ threat: "TCP.Small.MSS", severity: "critical", actions: "deny" });
    expect(d.topSources[0]!["who"]).toBe("shop/payments-0");
    expect(d.serviceModes).toEqual([{ mode: "discover", n: 2 }, { mode: "monitor", n: 2 }, { mode: "protect", n: 2 }]);
    expect(d.podModes).toEqual([{ mode: "discover", n: 2 }, { mode: "monitor", n: 3 }, { mode: "protect", n: 4 }]);
    const http = recs.filter((r) => r.app === "HTTP");
    expect(d.appConversations.find((r) => r["app"] === "HTTP")!["n"]).toBe(http.length);
    expect(d.appVolume.find((r) => r["app"] === "HTTP")!["bytes"]).toBe(http.reduce((n, r) => n + r.bytes[0] + r.bytes[1], 0));
  });

  test("exposure rows equal an oracle grouped in JavaScript (both passes of the query agree)", async () => {
    const d = await reportData(store);
    const svc = new Map((await store.query("SELECT namespace || '/' || name AS pod, service || '.' || namespace AS service FROM workloads")).map((w) => [String(w["pod"]), String(w["service"])]));
    const rank: Record<string, number> = { deny: 3, violate: 2 };
    for (const dir of ["ingress", "egress"] as const) {
      const [inside, outside] = dir === "ingress" ? (["dst", "src"] as const) : (["src", "dst"] as const);
      const groups = new Map<string, { service: string; host: string; pods: Set<string>; sessions: number; bytes: number; act: number; apps: Set<string> }>();
      for (const r of recs) {
        if (r[inside].kind !== "workload" || r[outside].kind === "workload") continue;
        const service = svc.get(r[inside].name!)!;
        expect(service).toBeDefined();
        const key = `${service} ${r[outside].ip}`;
        const g = groups.get(key) ?? { service, host: r[outside].ip, pods: new Set(), sessions: 0, bytes: 0, act: 1, apps: new Set() };
        g.pods.add(r[inside].name!);
        g.sessions++;
        g.bytes += r.bytes[0] + r.bytes[1];
        g.act = Math.max(g.act, rank[r.action] ?? 1);
        if (r.app && r.app !== "unknown") g.apps.add(r.app);
        groups.set(key, g);
      }
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const want = [...groups.values()].sort((a, b) => b.act - a.act || b.sessions - a.sessions || cmp(a.service, b.service) || cmp(a.host, b.host)).slice(0, 100);
      expect(want.length).toBeGreaterThan(3);
      const got = (d[dir] as Record<string, unknown>[]).map((r) => ({ service: r["service"], host: r["host"], pods: r["pods"], sessions: r["sessions"], bytes: r["bytes"], action: r["action"], applications: r["applications"], of_rows: r["of_rows"] }));
      expect(got).toEqual(want.map((g) => ({ service: g.service, host: g.host, pods: g.pods.size, sessions: g.sessions, bytes: g.bytes, action: ["", "Allow", "Alert", "Deny"][g.act], applications: [...g.apps].sort().join(", "), of_rows: groups.size })));
    }
  });

  test("Trivy JSON counts vulnerabilities per service through the inventory's images", async () => {
    const trivy = join(fx.dir, "nginx.json");
    writeFileSync(trivy, JSON.stringify({ SchemaVersion: 2, ArtifactName: "nginx:1.25", ArtifactType: "container_image", Results: [
      { Target: "nginx:1.25 (debian 12.5)", Class: "os-pkgs", Vulnerabilities: [{ VulnerabilityID: "CVE-2024-1", Severity: "HIGH" }, { VulnerabilityID: "CVE-2024-2", Severity: "MEDIUM" }, { VulnerabilityID: "CVE-2024-3", Severity: "CRITICAL" }] },
      { Target: "usr/bin/app", Class: "lang-pkgs" },
    ] }));
    const data = await reportJson(store, { vulns: readTrivy([trivy]) });
    const web = (data["ingress"] as Record<string, unknown>[]).find((r) => r["service"] === "web.shop")!;
    expect(web["vulns"]).toEqual({ high: 1, medium: 1 });
    expect((data["vulns"] as Record<string, unknown>[])[0]).toMatchObject({ service: "web.shop", images: "nginx:1.25", critical: 1, high: 1, medium: 1, low: 0 });
    writeFileSync(trivy, JSON.stringify({ hello: 1 }));
    expect(() => readTrivy([trivy])).toThrow(/is not a Trivy report/);
  });
});

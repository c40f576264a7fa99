/**
 * NeuVector's Discover-mode learning (controller/cache/learn.go), rule by rule: one rule per group
 * pair and kind, app rules on any port, port rules with the server ports, more than 20 ports →
 * any, an app replacing a learned port, a workload side required, DNS-name groups for external
 * peers; and the event readers (learn reports, flow-end records, bad NDJSON lines).
 */
import { describe, expect, test } from "vitest";
import { emptyInventory, type Inventory } from "../../common/schema.js";
import { connectionsOf, parseEventLines, type LearnEvent } from "../../runtime/learn/connections.js";
import { DnsAnswers } from "../../runtime/learn/dns-answers.js";
import { widenDnsGroups, wildcardPlan } from "../../runtime/learn/dns-wildcards.js";
import { writePolicy } from "../../cli/learn/write-policy.js";
import { Learner, type LearnConnection } from "../../runtime/learn/learner.js";
import { input, ipv4, udp } from "../packet/craft.js";

const inv: Inventory = {
  ...emptyInventory(),
  workloads: [
    { name: "orders-1", namespace: "shop", service: "orders", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.1"] },
    { name: "orders-2", namespace: "shop", service: "orders", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.2"] },
    { name: "postgres-0", namespace: "shop", service: "postgres", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.9"] },
  ],
};
const wl = (name: string) => ({ kind: "workload" as const, ip: "10.0.0.0", name: `shop/${name}` });
const conn = (from: string, to: string, port: number, app?: string, proto: "tcp" | "udp" = "tcp"): LearnConnection => {
  const c: LearnConnection = { proto, src: wl(from), dst: { ...wl(to), port } };
  if (app !== undefined) c.app = app;
  return c;
};
const learn = (cs: LearnConnection[], dnsNames?: Map<string, string[]>) => {
  const l = new Learner(dnsNames ? { inventory: inv, dnsNames } : { inventory: inv });
  for (const c of cs) l.add(c);
  return l.result().map((r) => ({ id: r.id, from: r.from.name, to: r.to.name, kind: r.kind, apps: r.apps, ports: r.ports }));
};

describe("learning (NeuVector learn.go)", () => {
  test("one app rule per group pair: every app, any port; replicas share their service group", () => {
    expect(learn([conn("orders-1", "postgres-0", 5432, "PostgreSQL"), conn("orders-2", "postgres-0", 6432, "PostgreSQL"), conn("orders-1", "postgres-0", 6379, "Redis")])).toEqual([
      { id: 10000, from: "nv.orders.shop", to: "nv.postgres.shop", kind: "app", apps: ["PostgreSQL", "Redis"], ports: ["tcp/5432", "tcp/6379", "tcp/6432"] },
    ]);
  });

  test("unidentified connections make a port rule with the server ports, beside the app rule", () => {
    const rules = learn([conn("orders-1", "postgres-0", 5432, "PostgreSQL"), conn("orders-1", "postgres-0", 9000, "unknown"), conn("orders-1", "postgres-0", 53, undefined, "udp")]);
    expect(rules).toEqual([
      { id: 10000, from: "nv.orders.shop", to: "nv.postgres.shop", kind: "app", apps: ["PostgreSQL"], ports: ["tcp/5432"] },
      { id: 10001, from: "nv.orders.shop", to: "nv.postgres.shop", kind: "port", apps: [], ports: ["tcp/9000", "udp/53"] },
    ]);
  });

  test("more than 20 ports (MaxSvcPortNum) become any, and stay any", () => {
    const cs = Array.from({ length: 21 }, (_, i) => conn("orders-1", "postgres-0", 7000 + i));
    expect(learn(cs.slice(0, 20))[0]!.ports).toHaveLength(20);
    expect(learn([...cs, conn("orders-2", "postgres-0", 9999)])[0]).toMatchObject({ kind: "port", ports: ["any"] });
  });

  test("an app identified on a learned port replaces the port; the port rule goes when empty", () => {
    expect(learn([conn("orders-1", "postgres-0", 5432), conn("orders-1", "postgres-0", 5432, "PostgreSQL")])).toEqual([
      { id: 10001, from: "nv.orders.shop", to: "nv.postgres.shop", kind: "app", apps: ["PostgreSQL"], ports: ["tcp/5432"] },
    ]);
    // Another link (orders-2) still has the port: the rule keeps it.
    const kept = learn([conn("orders-1", "postgres-0", 5432), conn("orders-2", "postgres-0", 5432), conn("orders-1", "postgres-0", 5432, "PostgreSQL")]);
    expect(kept.map((r) => r.kind)).toEqual(["port", "app"]);
    // Seen again without the app after the replacement: learned again (NeuVector NVSHAS-6687).
    expect(learn([conn("orders-1", "postgres-0", 5432), conn("orders-1", "postgres-0", 5432, "PostgreSQL"), conn("orders-1", "postgres-0", 5432)]).map((r) => r.kind)).toEqual(["port", "app"]);
  });

  test("a side must be a container: node ↔ external is not learned; nodes and external are groups", () => {
    const l = new Learner({ inventory: inv });
    l.add({ proto: "tcp", src: { kind: "node", ip: "10.9.0.1", name: "n1" }, dst: { kind: "external", ip: "8.8.8.8", port: 443 }, app: "SSL" });
    l.add({ proto: "tcp", src: { kind: "node", ip: "10.9.0.1", name: "n1" }, dst: { ...wl("orders-1"), port: 8080 }, app: "HTTP" });
    l.add({ proto: "tcp", src: wl("orders-1"), dst: { kind: "external", ip: "8.8.8.8", port: 443 }, app: "SSL" });
    l.add({ proto: "tcp", src: { kind: "workload", ip: "10.0.0.77", name: "other/unknown-pod" }, dst: { ...wl("orders-1"), port: 80 } });
    expect(l.counts).toEqual({ connections: 4, learned: 2, skipped: 2 });
    expect(l.result().map((r) => `${r.from.name} -> ${r.to.name} ${r.kind}`)).toEqual(["nodes -> nv.orders.shop app", "nv.orders.shop -> external app"]);
  });

  test("external peers the capture resolved become one address group per name", () => {
    const names = new Map([["203.0.113.7", ["db-1.rds.example.com", "orders-db.prod.example.com"]]]);
    const rules = learn([{ proto: "tcp", src: wl("orders-1"), dst: { kind: "external", ip: "203.0.113.7", port: 5432 }, app: "PostgreSQL" }], names);
    expect(rules[0]).toMatchObject({ from: "nv.orders.shop", to: "orders-db.prod.example.com", kind: "app" });
  });
});

describe("--dns-wildcards", () => {
  const ext = (ip: string, port: number, app?: string): LearnConnection => ({ proto: "tcp", src: wl("orders-1"), dst: { kind: "external", ip, port }, ...(app ? { app } : {}) });
  const names = new Map([["203.0.113.1", ["db-1.rds.example.com"]], ["203.0.113.2", ["db-2.rds.example.com"]], ["198.51.100.9", ["api.example.org"]], ["198.51.100.10", ["com.io"]]]);
  const l = new Learner({ inventory: inv, dnsNames: names });
  for (const c of [ext("203.0.113.1", 5432, "PostgreSQL"), ext("203.0.113.2", 5433, "PostgreSQL"), ext("203.0.113.2", 9000), ext("198.51.100.9", 443, "SSL"), ext("198.51.100.10", 80)]) l.add(c);
  const rules = l.result();

  test("names under one parent (two labels at least) widen to one group; their rules merge", () => {
    expect([...wildcardPlan(rules)]).toEqual([["db-1.rds.example.com", "*.rds.example.com"], ["db-2.rds.example.com", "*.rds.example.com"]]);
    const wide = widenDnsGroups(rules);
    expect(wide.map((r) => `${r.id} ${r.to.name} ${r.kind} ${r.kind === "app" ? r.apps : r.ports}`)).toEqual([
      "10000 *.rds.example.com app PostgreSQL",
      "10002 *.rds.example.com port tcp/9000",
      "10003 api.example.org app SSL",
      "10004 com.io port tcp/80",
    ]);
    expect([...wide[0]!.appPorts.get("PostgreSQL")!]).toEqual(["tcp/5432", "tcp/5433"]);
  });

  test("without the flag the output says which names it would widen; with it, one wildcard group", () => {
    const base = { policyName: "p", mode: "monitor", lockPorts: false, paramNamespace: false, sources: [] };
    const plain = writePolicy(rules, { ...base, wildcards: wildcardPlan(rules) });
    expect(plain).toContain("# --dns-wildcards would make `db-1.rds.example.com` part of one group `*.rds.example.com`");
    expect(plain).toContain('group db-1-rds-example-com { address "db-1.rds.example.com" }');
    const wide = writePolicy(widenDnsGroups(rules), base);
    expect(wide).toContain('group any-rds-example-com { address "*.rds.example.com" }');
    expect(wide).toContain("rule 10000 allow orders -> any-rds-example-com app PostgreSQL learned");
  });
});

describe("learning input", () => {
  const ev = (type: string, action: string, app?: string, flow = 1): LearnEvent => ({ type, flow, first: "t", proto: "tcp", src: wl("orders-1"), dst: { ...wl("postgres-0"), port: 5432 }, action, ...(app ? { app } : {}) });

  test("one connection per flow; a flow-end record fills in the app a report lacked", () => {
    expect(connectionsOf([ev("learn", "learn"), ev("flow-end", "learn", "PostgreSQL")], false)).toEqual([expect.objectContaining({ app: "PostgreSQL" })]);
    expect(connectionsOf([ev("flow-end", "learn", "PostgreSQL", 2)], false)).toHaveLength(1);
  });

  test("violations are proposals only with --monitor; allowed flows never", () => {
    const evs = [ev("violation", "violate", "Redis", 1), ev("flow-end", "allow", "HTTP", 2)];
    expect(connectionsOf(evs, false)).toEqual([]);
    expect(connectionsOf(evs, true).map((c) => c.app)).toEqual(["Redis"]);
  });

  test("bad NDJSON lines are NV5501/NV5502 with their line", () => {
    const text = '{"type":"learn","flow":1,"proto":"tcp","src":{"ip":"10.0.0.1","kind":"workload"},"dst":{"ip":"10.0.0.9","kind":"workload","port":5432},"action":"learn"}\nnot json\n{"type":"learn","action":"learn","proto":"tcp","src":{"ip":"1"}}\n{"type":"threat"}\n';
    const r = parseEventLines(text, "ev.ndjson");
    expect(r.events).toHaveLength(1);
    expect(r.diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([["NV5501", 2], ["NV5502", 3]]);
    expect(r.diagnostics[1]!.message).toBe("event on line 3 `src` has no `kind` (workload, node, internal, external)");
  });

  test("DNS answers: A records and the CNAME chain credit every name; garbage is skipped", () => {
    // orders-db.prod.example.com CNAME db-1.rds.example.com, db-1.rds.example.com A 203.0.113.7
    const name = (n: string) => [...n.split(".").flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]), 0];
    const q = name("orders-db.prod.example.com");
    const msg = [0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0, ...q, 0, 1, 0, 1,
      0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, name("db-1.rds.example.com").length, ...name("db-1.rds.example.com"),
      ...name("db-1.rds.example.com"), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 7];
    const d = new DnsAnswers();
    const pkt = input(ipv4("10.0.0.53", "10.0.0.1", 17, udp(53, 40000, new Uint8Array(msg))), 0);
    d.packet(pkt.data, pkt.l3Offset);
    d.packet(new Uint8Array([0x45, 1, 2]), 0);
    expect(d.byAddress.get("203.0.113.7")).toEqual(["db-1.rds.example.com", "orders-db.prod.example.com"]);
  });
});

/**
 * DPI through the whole packet path on the real capture fixtures: a flow is pending while its
 * application decides the verdict, then decided when the application is identified; a late deny
 * resets the connection; and every manifest flow of every fixture comes out of the engine with
 * the manifest's application in its flow-end record (as the DPI stage's own replay test requires).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { parseIp } from "../../common/ip.js";
import type { PacketEvent } from "../../runtime/packet/engine.js";
import { ACK, PSH, SYN, input, ipv4, tcp } from "./craft.js";
import { CAPTURES, capture, engineFor } from "./engine.js";

const APP_POLICY = `policy p
settings { default-mode protect }
rule 10 allow any -> any app postgresql
`;

const DENY_HTTP = `policy p
settings { default-mode protect }
rule 10 deny any -> any app http
rule 20 allow any -> any
`;

const ALLOW_ALL = `policy p
rule 10 allow any -> any
`;

describe("pending until the application is known", () => {
  test("PostgreSQL: pending from the SYN, allowed by rule 10 once identified", () => {
    const e = engineFor(APP_POLICY);
    const v = e.process(capture("postgresql.pcap"));
    const flows = new Map<number, string[]>();
    for (const x of v) flows.set(x.flow, [...(flows.get(x.flow) ?? []), x.action]);
    expect(flows.size).toBe(2);
    for (const actions of flows.values()) {
      expect(actions[0]).toBe("pending");
      const first = actions.indexOf("allow");
      expect(first).toBeGreaterThan(2);
      // Once decided it stays decided.
      expect(actions.slice(first).every((a) => a === "allow")).toBe(true);
    }
    const decided = v.filter((x) => x.decided && x.action === "allow");
    expect(decided.length).toBe(2);
    expect(decided.every((x) => x.app === "PostgreSQL" && x.rule === 10)).toBe(true);
    e.flush();
    const ev = e.drainEvents();
    expect(ev.filter((x) => x.type !== "flow-end")).toEqual([]);
    expect(ev.map((x) => [x.app, x.action, x.rule])).toEqual([
      ["PostgreSQL", "allow", 10],
      ["PostgreSQL", "allow", 10],
    ]);
  });

  test("the same policy denies an identified non-PostgreSQL flow late, with a reset", () => {
    const e = engineFor(APP_POLICY);
    const v = e.process(capture("redis.pcap"));
    expect(v[0]!.action).toBe("pending");
    const resets = v.filter((x) => x.reset);
    expect(resets.length).toBe(6);
    const ev = e.drainEvents();
    expect(ev.filter((x) => x.type === "reset")).toHaveLength(6);
    expect(ev.filter((x) => x.type === "deny").every((x) => x.app === "Redis" && x.rule === 0)).toBe(true);
  });

  test("HTTP denied by an app rule: the handshake passes, then deny and reset both ways", () => {
    const e = engineFor(DENY_HTTP);
    const v = e.process(capture("nginx-http.pcap"));
    const byFlow = new Map<number, typeof v>();
    for (const x of v) byFlow.set(x.flow, [...(byFlow.get(x.flow) ?? []), x]);
    for (const pk of byFlow.values()) {
      expect(pk.slice(0, 3).map((x) => x.action)).toEqual(["pending", "pending", "pending"]);
      const r = pk.findIndex((x) => x.reset);
      expect(r).toBeGreaterThan(2);
      expect(pk.slice(r).every((x) => x.action === "deny")).toBe(true);
      expect(pk[r]).toMatchObject({ rule: 10, app: "nginx" });
    }
    const ev = e.drainEvents();
    const reset = ev.find((x) => x.type === "reset") as PacketEvent;
    expect(reset).toMatchObject({ action: "deny", rule: 10, app: "nginx" });
    // Both sides unmanaged: the default mode decided, and no side's mode is reported.
    expect(reset.mode).toBeUndefined();
    expect(e.stats().decisions.resets).toBe(byFlow.size);
  });

  test("a policy without application rules decides on the SYN", () => {
    const e = engineFor(ALLOW_ALL);
    const v = e.process(capture("mysql.pcap"));
    expect(v.every((x) => x.action === "allow" && x.rule === 10)).toBe(true);
  });
});

describe("stream prefixes", () => {
  const VH = `policy p
settings { default-mode protect }
group shop { address vh:shop.example.com }
rule 10 allow any -> shop
`;
  const C = "10.0.0.1";
  const S = "10.0.0.2";
  const req = "GET /cart HTTP/1.1\r\nHost: shop.example.com\r\nAccept: */*\r\n\r\n";
  const seg = (from: number, to: number, ms: number) => input(ipv4(C, S, 6, tcp(40000, 80, PSH | ACK, req.slice(from, to), { seq: 1001 + from })), ms);
  const handshake = [input(ipv4(C, S, 6, tcp(40000, 80, SYN, "", { seq: 1000 })), 0), input(ipv4(S, C, 6, tcp(80, 40000, SYN | ACK, "", { seq: 5000, ack: 1001 })), 1), input(ipv4(C, S, 6, tcp(40000, 80, ACK, "", { seq: 1001 })), 2)];
  const response = input(ipv4(S, C, 6, tcp(80, 40000, PSH | ACK, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", { seq: 5001 })), 20);

  test("segments out of order and retransmitted are put back in stream order", () => {
    const e = engineFor(VH);
    e.addDnsResolution("shop.example.com", [S]);
    const v = e.process([...handshake, seg(30, req.length, 3), seg(10, 30, 4), seg(10, 30, 5), seg(0, 12, 6), response]);
    expect(v.slice(0, 6).every((x) => x.action === "pending")).toBe(true);
    const decided = v.find((x) => x.action === "allow");
    expect(decided).toMatchObject({ rule: 10, decided: true });
    expect(e.stats().dpi.outOfOrderHeld).toBeGreaterThan(0);
  });

  test("data carried on the SYN starts after its sequence number", () => {
    const e = engineFor(VH);
    e.addDnsResolution("shop.example.com", [S]);
    const v = e.process([input(ipv4(C, S, 6, tcp(40000, 80, SYN, req, { seq: 1000 })), 0), response]);
    expect(v[1]).toMatchObject({ action: "allow", rule: 10, app: "HTTP" });
  });

  test("no free prefix buffer: the flow is decided with the application unknown, and counted", () => {
    const e = engineFor(APP_POLICY, { settings: { prefixSlots: 1 } });
    const open = (port: number, ms: number) => [
      input(ipv4(C, S, 6, tcp(port, 5432, SYN, "", { seq: 1000 })), ms),
      input(ipv4(C, S, 6, tcp(port, 5432, PSH | ACK, "\u0000\u0000", { seq: 1001 })), ms + 1),
    ];
    const v = e.process([...open(40001, 0), ...open(40002, 10)]);
    expect(v[1]!.action).toBe("pending");
    expect(v[3]).toMatchObject({ action: "deny", app: "unknown", rule: 0 });
    expect(e.stats().dpi.prefixExhausted).toBe(1);
  });
});

interface ManifestFlow {
  client: string;
  server: string;
  proto: "tcp" | "udp";
  sport: number;
  dport: number;
  app: string;
}

const manifests = ["manifest-debian.yaml", "manifest-npm.yaml"].flatMap((m) =>
  (parse(readFileSync(join(CAPTURES, m), "utf8")) as { file: string; flows: ManifestFlow[] }[]).map((e) => ({ ...e, manifest: m })),
);

describe("every fixture flow's application through the packet path", () => {
  // Small pools: one engine per capture, and these captures are small.
  const settings = { flows: 1024, prefixSlots: 64, fragSlots: 4, events: 1024, dnsNames: 64, batchBytes: 256 * 1024 };
  test.each(manifests.map((m) => [m.file, m] as const))("%s", (_file, m) => {
    const e = engineFor(ALLOW_ALL, { settings });
    e.process(capture(m.file));
    e.flush();
    const ends = e.drainEvents().filter((x) => x.type === "flow-end");
    for (const f of m.flows) {
      const hit = ends.find(
        (x) => x.proto === f.proto && x.src.port === f.sport && x.dst.port === f.dport && parseIp(x.src.ip) === parseIp(f.client) && parseIp(x.dst.ip) === parseIp(f.server),
      );
      expect(hit, `${f.proto} ${f.client}:${f.sport} -> ${f.server}:${f.dport}`).toBeDefined();
      expect(`${f.sport}->${f.dport} ${hit?.app}`).toBe(`${f.sport}->${f.dport} ${f.app}`);
    }
  });
});

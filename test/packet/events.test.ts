/**
 * Events out of the packet path: violation, deny and learn once per decision, with workload names
 * and groups, modes and rule ids; flow-end records; a full ring drops and counts; NDJSON lines.
 * Also the virtual-host wait (CHECK_VH) on a real TLS capture and the X-Forwarded-For lookup.
 */
import { describe, expect, test } from "vitest";
import { Enforcer } from "../../runtime/index.js";
import { eventLine, PacketEngine, type PacketEvent } from "../../runtime/packet/engine.js";
import { SYN, conversation, input, ipv4, tcp } from "./craft.js";
import { capture, engineFor, inventory, workload } from "./engine.js";

const SHOP = `policy shop
service web = nv.web.shop { mode protect }
service db = nv.db.shop { mode monitor }
service api = nv.api.shop { mode discover }
rule 10 allow web -> db port tcp/5432
rule 20 deny external -> web port tcp/8443
`;
const INV = inventory([
  workload("web-1", "shop", "web", ["10.0.0.1"]),
  workload("db-0", "shop", "db", ["10.0.0.2"]),
  workload("api-1", "shop", "api", ["10.0.0.3"]),
]);

const syn = (src: string, dst: string, sport: number, dport: number, ms: number) => input(ipv4(src, dst, 6, tcp(sport, dport, SYN)), ms);
const kinds = (ev: PacketEvent[]) => ev.map((e) => e.type);

describe("events", () => {
  test("allowed flows report nothing but their end", () => {
    const e = engineFor(SHOP, { inventory: INV });
    e.process([syn("10.0.0.1", "10.0.0.2", 40000, 5432, 0)]);
    expect(e.drainEvents()).toEqual([]);
    e.flush();
    const [end] = e.drainEvents();
    expect(end).toMatchObject({ type: "flow-end", action: "allow", rule: 10, mode: "monitor", end: "flush", state: "syn-sent" });
    expect(end!.src).toEqual({ ip: "10.0.0.1", port: 40000, kind: "workload", name: "shop/web-1", groups: ["web"] });
    expect(end!.dst).toMatchObject({ ip: "10.0.0.2", port: 5432, kind: "workload", name: "shop/db-0", groups: ["db"] });
  });

  test("violation (monitor), deny (protect) and learn (discover), once per flow", () => {
    const e = engineFor(SHOP, { inventory: INV });
    const v = e.process([
      syn("10.0.0.2", "10.0.0.1", 40001, 80, 0), // db (monitor) -> web (protect): basic contention -> monitor: violate
      syn("10.0.0.2", "10.0.0.1", 40001, 80, 1), // the SYN again: no second event
      syn("192.0.2.9", "10.0.0.1", 40002, 8443, 2), // external -> web (protect), rule 20: deny
      syn("10.0.0.3", "10.0.0.2", 40003, 11211, 3), // api (discover) -> db: learn
    ]);
    expect(v.map((x) => x.action)).toEqual(["violate", "violate", "deny", "learn"]);
    // A deny is reported at once; learn and violation reports wait for the application, and these
    // SYN-only flows carry none to identify, so theirs are written when the flows end.
    const [deny, ...early] = e.drainEvents();
    expect(early).toEqual([]);
    expect(deny).toMatchObject({ type: "deny", action: "deny", rule: 20, mode: "protect", src: { ip: "192.0.2.9", kind: "external" } });
    expect(deny!.time).toBe("1970-01-01T00:00:00.002000000Z");
    e.flush();
    const ev = e.drainEvents().filter((x) => x.type !== "flow-end");
    expect(kinds(ev)).toEqual(["violation", "learn"]);
    expect(ev[0]).toMatchObject({ action: "violate", rule: 0, mode: "monitor", src: { name: "shop/db-0" }, dst: { name: "shop/web-1" }, proto: "tcp" });
    expect(ev[1]).toMatchObject({ action: "learn", rule: 0, mode: "discover" });
    expect(e.stats().decisions.deniedPackets).toBe(1);
  });

  test("endpoints name their address groups (IPs, CIDRs, ranges; workload addresses too)", () => {
    const policy = `policy nets
service web = nv.web.shop { mode protect }
group partners { address 192.0.2.0/24, 198.51.100.7-198.51.100.9 }
group one-partner { address 192.0.2.9 }
group web-ips { address 10.0.0.1 }
rule 10 deny partners -> web port tcp/8443
`;
    const e = engineFor(policy, { inventory: INV });
    e.process([syn("192.0.2.9", "10.0.0.1", 40002, 8443, 0), syn("198.51.100.8", "10.0.0.1", 40003, 8443, 1), syn("203.0.113.1", "10.0.0.1", 40004, 8443, 2)]);
    const [a, b] = e.drainEvents();
    expect(a!.src.groups).toEqual(["partners", "one-partner"]);
    expect(b!.src.groups).toContain("partners");
    expect(b!.src.groups).not.toContain("one-partner");
    expect(a!.dst.groups).toEqual(expect.arrayContaining(["web", "web-ips"]));
    e.flush();
    const third = e.drainEvents().find((x) => x.type === "flow-end" && x.src.ip === "203.0.113.1");
    expect(third!.src.groups).not.toContain("partners");
  });

  test("NDJSON lines carry the documented fields", () => {
    const e = engineFor(SHOP, { inventory: INV });
    e.process([syn("192.0.2.9", "10.0.0.1", 40002, 8443, 5)]);
    e.flush();
    const lines = e.drainEvents().map(eventLine);
    expect(lines).toHaveLength(2);
    const deny = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(deny).sort()).toEqual(["action", "bytes", "dst", "first", "flow", "last", "mode", "packets", "proto", "rule", "src", "state", "time", "type"]);
    const end = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(end).toMatchObject({ type: "flow-end", end: "flush", packets: [1, 0], bytes: [40, 0] });
  });

  test("a full ring drops new events and counts them; the host never blocks", () => {
    const e = engineFor(SHOP, { inventory: INV, settings: { events: 16 } });
    e.process(Array.from({ length: 100 }, (_, i) => syn("192.0.2.9", "10.0.0.1", 30000 + i, 8443, i)));
    const s = e.stats();
    expect(s.events.emitted).toBe(16);
    expect(s.events.dropped).toBe(84);
    expect(e.drainEvents()).toHaveLength(16);
    // Drained after the batch: the next batch has room again.
    e.process([syn("192.0.2.9", "10.0.0.1", 29999, 8443, 200)]);
    expect(e.drainEvents()).toHaveLength(1);
  });

  test("a packet engine for an Enforcer's module and inventory", () => {
    const enforcer = new Enforcer(engineFor(SHOP).module);
    enforcer.setInventory(INV);
    const e = PacketEngine.forEnforcer(enforcer, INV);
    const [v] = e.process([syn("10.0.0.1", "10.0.0.2", 40000, 5432, 0)]);
    expect(v).toMatchObject({ action: "allow", rule: 10 });
    expect(enforcer.decide({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 5432 })).toMatchObject({ action: "allow", rule: 10 });
  });

  test("the host queue is bounded too", () => {
    const e = engineFor(SHOP, { inventory: INV, eventQueue: 10 });
    e.process(Array.from({ length: 30 }, (_, i) => syn("192.0.2.9", "10.0.0.1", 30000 + i, 8443, i)));
    expect(e.stats().events).toMatchObject({ emitted: 30, dropped: 20, queued: 10 });
  });
});

describe("virtual host and X-Forwarded-For", () => {
  const VH = `policy p
settings { default-mode protect }
group www { address vh:www.example.test }
rule 10 allow any -> www
`;

  test("TLS SNI: pending on the host until the ClientHello, then allowed or denied", () => {
    const e = engineFor(VH);
    e.addDnsResolution("www.example.test", ["127.0.0.1"]);
    const v = e.process(capture("nginx-tls.pcap"));
    const flows = [...new Set(v.map((x) => x.flow))];
    expect(flows).toHaveLength(2);
    const [www, api] = flows.map((f) => v.filter((x) => x.flow === f));
    expect(www![0]).toMatchObject({ action: "pending", rule: 10 });
    expect(www!.filter((x) => x.decided && !x.new)[0]).toMatchObject({ action: "allow", rule: 10 });
    // api.example.test is not www: implicit deny in protect, after the handshake passed: reset.
    expect(api![0]).toMatchObject({ action: "pending", rule: 10 });
    expect(api!.find((x) => x.reset)).toMatchObject({ action: "deny", rule: 0 });
  });

  test("an HTTP request's X-Forwarded-For client is looked up too; the more severe wins", () => {
    const POLICY = `policy p
service web = nv.web.shop { mode protect }
rule 10 allow any -> web port tcp/80
rule 5 deny external -> web
`;
    const e = engineFor(POLICY, { inventory: inventory([workload("web-1", "shop", "web", ["10.0.0.1"]), workload("ing", "kube", "ingress", ["10.0.0.9"])]) });
    const req = "GET / HTTP/1.1\r\nHost: shop.example.com\r\nX-Forwarded-For: 203.0.113.5, 10.0.0.9\r\n\r\n";
    const v = e.process(conversation({ client: "10.0.0.9", server: "10.0.0.1", cport: 45000, sport: 80, messages: [[true, req], [false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]] }));
    expect(v[0]).toMatchObject({ action: "allow", rule: 10 });
    const late = v.find((x) => x.reset);
    expect(late).toMatchObject({ action: "deny", rule: 5 });
    const deny = e.drainEvents().find((x) => x.type === "deny") as PacketEvent;
    expect(deny.xff).toEqual({ ip: "203.0.113.5", rule: 5, action: "deny" });
    expect(deny.src.name).toBe("kube/ing");
  });
});

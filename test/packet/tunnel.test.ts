/**
 * Tunnels and VLANs through the whole packet path (asm/packet/tunnel.ts, docs/formats.md "Tunnels
 * and VLANs"): the inner flow is the one decided and identified, its flow-end record carries the
 * tunnel kind, id and outer addresses; a tunnel that cannot be opened is counted by reason; flows
 * on different VLANs or tunnel ids never merge. Crafted from the specifications (RFC 2784/2890,
 * the ERSPAN draft, RFC 7348, RFC 8926, RFC 2003/4213); the wild corpus has the real ones.
 */
import { describe, expect, test } from "vitest";
import type { PacketEvent } from "../../runtime/packet/engine.js";
import { input, ipv4, ipv6, udp } from "./craft.js";
import { engineFor } from "./engine.js";

const ALLOW = "policy p\nrule 10 allow any -> any\n";
/** A DNS query for example.com (A, IN) and its answer-less reply: DPI names DNS from either. */
const QUERY = Uint8Array.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, ...Buffer.from("example"), 3, ...Buffer.from("com"), 0, 0, 1, 0, 1]);
const REPLY = Uint8Array.from([...QUERY.subarray(0, 2), 0x81, 0x80, ...QUERY.subarray(4)]);
const MAC = new Uint8Array(12).fill(0x02);

function inner(v6 = false): [Uint8Array, Uint8Array] {
  const [a, b] = v6 ? ["fd00::1", "fd00::2"] : ["10.1.0.1", "10.1.0.2"];
  const mk = v6 ? ipv6 : ipv4;
  return [mk(a, b, 17, udp(40000, 53, QUERY)), mk(b, a, 17, udp(53, 40000, REPLY))];
}

function ether(ip: Uint8Array, tags: number[] = []): Uint8Array {
  const type = (ip[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  const fields = [...tags.flatMap((t) => [0x8100, t]), type];
  return Uint8Array.from([...MAC, ...fields.flatMap((f) => [f >> 8, f & 0xff]), ...ip]);
}

function be(n: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => (n >> (8 * (bytes - 1 - i))) & 0xff);
}

const gre = (type: number, body: Uint8Array, o: { key?: number; seq?: number; csum?: boolean } = {}) =>
  Uint8Array.from([
    (o.csum ? 0x80 : 0) | (o.key !== undefined ? 0x20 : 0) | (o.seq !== undefined ? 0x10 : 0), 0, ...be(type, 2),
    ...(o.csum ? [0, 0, 0, 0] : []), ...(o.key !== undefined ? be(o.key, 4) : []), ...(o.seq !== undefined ? be(o.seq, 4) : []), ...body,
  ]);
const vxlan = (vni: number, frame: Uint8Array) => Uint8Array.from([0x08, 0, 0, 0, ...be(vni << 8, 4), ...frame]);
const geneve = (vni: number, type: number, body: Uint8Array, optWords = 0) =>
  Uint8Array.from([optWords, 0, ...be(type, 2), ...be(vni << 8, 4), ...new Array<number>(optWords * 4).fill(0), ...body]);
const erspan2 = (session: number, frame: Uint8Array) => Uint8Array.from([0x10, 0x64, ...be(session, 2), 0, 0, 0, 0, ...frame]);
const erspan3 = (session: number, frame: Uint8Array, platform = false) =>
  Uint8Array.from([0x20, 0x64, ...be(session, 2), 0, 0, 0, 0, 0, 0, 0, platform ? 1 : 0, ...(platform ? new Array<number>(8).fill(0) : []), ...frame]);

/** Both inner packets wrapped by `wrap` (outer: 192.0.2.1 <-> 192.0.2.2), through the engine: the flow-end records. */
function run(wrap: (ip: Uint8Array, reply: boolean) => Uint8Array, v6 = false): { ends: PacketEvent[]; stats: ReturnType<ReturnType<typeof engineFor>["stats"]> } {
  const e = engineFor(ALLOW);
  const [q, r] = inner(v6);
  e.process([input(wrap(q, false), 0), input(wrap(r, true), 1)]);
  e.flush();
  const ends = e.drainEvents().filter((x) => x.type === "flow-end");
  return { ends, stats: e.stats() };
}

const out4 = (proto: number, body: Uint8Array, reply: boolean) => ipv4(reply ? "192.0.2.2" : "192.0.2.1", reply ? "192.0.2.1" : "192.0.2.2", proto, body);
const out6 = (proto: number, body: Uint8Array, reply: boolean) => ipv6(reply ? "2001:db8::2" : "2001:db8::1", reply ? "2001:db8::1" : "2001:db8::2", proto, body);

describe("the inner flow is decided and identified; the record names the tunnel", () => {
  const cases: [string, (ip: Uint8Array, reply: boolean) => Uint8Array, string, number, boolean?][] = [
    ["IP in IP (RFC 2003)", (ip, r) => out4(4, ip, r), "ip-in-ip", 0],
    ["6in4 (RFC 4213)", (ip, r) => out4(41, ip, r), "ip-in-ip", 0, true],
    ["IPv6 in IPv6 (RFC 2473)", (ip, r) => out6(41, ip, r), "ip-in-ip", 0, true],
    ["GRE, IPv4, with key and sequence", (ip, r) => out4(47, gre(0x0800, ip, { key: 77, seq: 5 }), r), "gre", 77],
    ["GRE with checksum, IPv6 over IPv6", (ip, r) => out6(47, gre(0x86dd, ip, { csum: true }), r), "gre", 0, true],
    ["GRE transparent Ethernet bridging (0x6558) with a VLAN tag", (ip, r) => out4(47, gre(0x6558, ether(ip, [12])), r), "gre", 0],
    ["ERSPAN type I (0x88be without sequence)", (ip, r) => out4(47, gre(0x88be, ether(ip)), r), "erspan", 0],
    ["ERSPAN type II", (ip, r) => out4(47, gre(0x88be, erspan2(0x123, ether(ip)), { seq: 1 }), r), "erspan", 0x123],
    ["ERSPAN type III with the platform subheader", (ip, r) => out4(47, gre(0x22eb, erspan3(7, ether(ip), true), { seq: 1 }), r), "erspan", 7],
    ["VXLAN on 4789", (ip, r) => out4(17, udp(51000, 4789, vxlan(4242, ether(ip))), r), "vxlan", 4242],
    ["VXLAN on 8472 (Linux, flannel, Cilium)", (ip, r) => out4(17, udp(51000, 8472, vxlan(1, ether(ip))), r), "vxlan", 1],
    ["Geneve with options, Ethernet inside", (ip, r) => out4(17, udp(51000, 6081, geneve(99, 0x6558, ether(ip), 2)), r), "geneve", 99],
    ["Geneve carrying IPv6 directly", (ip, r) => out6(17, udp(51000, 6081, geneve(5, 0x86dd, ip)), r), "geneve", 5, true],
  ];
  test.each(cases)("%s", (_name, wrap, type, id, v6) => {
    const { ends, stats } = run(wrap, v6);
    expect(ends).toHaveLength(1);
    const f = ends[0]!;
    expect(f.proto).toBe("udp");
    expect([f.src.ip, f.src.port, f.dst.ip, f.dst.port]).toEqual(v6 ? ["fd00::1", 40000, "fd00::2", 53] : ["10.1.0.1", 40000, "10.1.0.2", 53]);
    expect(f.app).toBe("DNS");
    expect(f.confidence).toBe("certain");
    const outer6 = _name.includes("over IPv6") || _name.includes("IPv6 in IPv6") || _name.includes("Geneve carrying");
    expect(f.tunnel).toEqual({ type, id, src: outer6 ? "2001:db8::1" : "192.0.2.1", dst: outer6 ? "2001:db8::2" : "192.0.2.2" });
    expect(stats.tunneled).toBe(2);
    expect(stats.malformed.total).toBe(0);
  });

  test("a tunnel in a tunnel: the innermost flow, the outermost addresses and tunnel", () => {
    const { ends } = run((ip, r) => out4(17, udp(51000, 4789, vxlan(8, ether(ipv4("172.16.0.1", "172.16.0.2", 47, gre(0x0800, ip))))), r));
    expect(ends.map((f) => [f.src.ip, f.app, f.tunnel])).toEqual([["10.1.0.1", "DNS", { type: "vxlan", id: 8, src: "192.0.2.1", dst: "192.0.2.2" }]]);
  });
});

describe("what is not opened", () => {
  test("tunnels that break their header or carry no IP are counted by reason", () => {
    const arp = Uint8Array.from([...MAC, 0x08, 0x06, ...new Array<number>(28).fill(0)]);
    const e = engineFor(ALLOW);
    e.process([
      input(out4(17, udp(1, 4789, vxlan(1, arp)), false), 0), // VXLAN carrying ARP
      input(out4(47, gre(0x6558, arp), false), 1), // GRE bridging ARP
      input(out4(47, gre(0x0800, Uint8Array.of(0x60, 0, 0, 0)), false), 2), // says IPv4, is not
      input(out4(4, Uint8Array.of(1, 2, 3), false), 3), // IP in IP with no IP header
      input(out4(47, Uint8Array.of(0xc0, 0, 8, 0), false), 4), // the routing bit (RFC 1701 source routes)
      input(out4(47, gre(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(1, 2, "x"))).subarray(0, 12), false), 5), // cut short
    ]);
    const m = e.stats().malformed;
    // Not IP inside: 2; a header that says IP and is not, no IP header, the routing bit: 3; the inner header cut: 1.
    expect(m).toEqual({ total: 6, "tunnel-not-ip": 2, "bad-tunnel": 3, "too-short": 1 });
  });

  test("more than four tunnels deep is refused", () => {
    let p = ipv4("10.1.0.1", "10.1.0.2", 17, udp(1, 53, QUERY));
    for (let i = 0; i < 5; i++) p = ipv4("192.0.2.1", "192.0.2.2", 4, p);
    const e = engineFor(ALLOW);
    e.process([input(p, 0)]);
    expect(e.stats().malformed).toMatchObject({ total: 1, "tunnel-too-deep": 1 });
  });

  test("not a tunnel: GRE version 1 (PPTP), an unknown GRE type, UDP to 4789 without the VNI flag stay flows of their own", () => {
    const e = engineFor(ALLOW);
    e.process([
      input(out4(47, Uint8Array.of(0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 1), false), 0),
      input(out4(47, gre(0x883e, new Uint8Array(8)), false), 1),
      input(out4(17, udp(1, 4789, new Uint8Array(16)), false), 2),
    ]);
    e.flush();
    const ends = e.drainEvents().filter((x) => x.type === "flow-end");
    // Both GRE packets are one flow of protocol 47 between the two addresses (no ports).
    expect(ends.map((f) => [f.proto, f.tunnel, f.packets]).sort()).toEqual([[47, undefined, [2, 0]], ["udp", undefined, [1, 0]]]);
    expect(e.stats()).toMatchObject({ tunneled: 0, malformed: { total: 0 } });
  });
});

describe("zones: VLANs and tunnel ids never merge flows", () => {
  test("one 5-tuple on three VLANs (untagged, 42, QinQ 10/20) is three flows", () => {
    const [q, r] = inner();
    const e = engineFor(ALLOW);
    const both = (vlan?: number) => [input(q, 0), input(r, 1)].map((p) => (vlan === undefined ? p : { ...p, vlan }));
    e.process([...both(), ...both(42 << 12), ...both((10 << 12) | 20)]);
    e.flush();
    const ends = e.drainEvents().filter((x) => x.type === "flow-end");
    expect(ends.map((f) => [f.vlan, f.innerVlan, f.app, f.packets])).toEqual([
      [undefined, undefined, "DNS", [1, 1]],
      [42, undefined, "DNS", [1, 1]],
      [10, 20, "DNS", [1, 1]],
    ]);
  });

  test("one inner 5-tuple in two VXLAN networks is two flows", () => {
    const [q, r] = inner();
    const e = engineFor(ALLOW);
    const wrap = (vni: number, ip: Uint8Array, reply: boolean) => input(out4(17, udp(51000, 4789, vxlan(vni, ether(ip))), reply), 0);
    e.process([wrap(1, q, false), wrap(2, q, false), wrap(1, r, true), wrap(2, r, true)]);
    e.flush();
    const ends = e.drainEvents().filter((x) => x.type === "flow-end");
    expect(ends.map((f) => [f.tunnel?.id, f.packets])).toEqual([[1, [1, 1]], [2, [1, 1]]]);
  });
});

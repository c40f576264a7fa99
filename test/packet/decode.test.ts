/**
 * Decode paths on crafted packets: IPv4 with options, IPv6 with each extension header, TCP
 * options and flags, UDP, ICMP/ICMPv6 — and every malformed case, counted by its reason and
 * skipped (verdict `skip`, no flow).
 */
import { describe, expect, test } from "vitest";
import type { MalformedReason } from "../../runtime/packet/engine.js";
import { ACK, FIN, RST, SYN, fragmentExt, icmp, input, ipv4, ipv6, mssOption, optionsExt, tcp, udp } from "./craft.js";
import { engineFor } from "./engine.js";

const POLICY = `policy p
group web { address 10.0.0.2, fd00::2 }
rule 10 allow any -> web port tcp/80, udp/53, icmp
`;

const A = "10.0.0.1";
const B = "10.0.0.2";
const A6 = "fd00::1";
const B6 = "fd00::2";

function one(bytes: Uint8Array) {
  const e = engineFor(POLICY);
  const [v] = e.process([input(bytes, 1)]);
  return { v: v!, stats: e.stats() };
}

describe("decode", () => {
  test("IPv4 TCP SYN with MSS and window scale opens a flow and is decided", () => {
    const { v, stats } = one(ipv4(A, B, 6, tcp(40000, 80, SYN, "", { options: mssOption(1460, 7) })));
    expect(v).toMatchObject({ action: "allow", rule: 10, new: true });
    expect(v.flow).toBeGreaterThan(0);
    expect(stats.flows.active).toBe(1);
    expect(stats.malformed.total).toBe(0);
  });

  test("IPv4 options (NOP, record route) are skipped", () => {
    const opts = new Uint8Array([1, 7, 7, 4, 0, 0, 0, 0]);
    expect(one(ipv4(A, B, 6, tcp(40000, 80, SYN), { options: opts })).v.action).toBe("allow");
  });

  test("UDP and ICMP echo", () => {
    expect(one(ipv4(A, B, 17, udp(5353, 53, "x"))).v).toMatchObject({ action: "allow", rule: 10 });
    expect(one(ipv4(A, B, 1, icmp(8, 0, 7, 1))).v).toMatchObject({ action: "allow", rule: 10 });
    expect(one(ipv6(A6, B6, 58, icmp(128, 0, 7, 1))).v).toMatchObject({ action: "allow", rule: 10 });
  });

  test("ICMP echo request and reply are one flow", () => {
    const e = engineFor(POLICY);
    const [a, b] = e.process([input(ipv4(A, B, 1, icmp(8, 0, 9, 1)), 1), input(ipv4(B, A, 1, icmp(0, 0, 9, 1)), 2)]);
    expect(b!.flow).toBe(a!.flow);
    expect(b!.reply).toBe(true);
  });

  test("IPv6 through hop-by-hop, destination options, routing and AH headers", () => {
    const ah = { type: 51, body: new Uint8Array([0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]) };
    const exts = [optionsExt(0), optionsExt(60, 2), optionsExt(43), ah];
    expect(one(ipv6(A6, B6, 6, tcp(40000, 80, SYN), exts)).v).toMatchObject({ action: "allow", rule: 10 });
  });

  test("an atomic IPv6 fragment (offset 0, no more) is a whole datagram", () => {
    expect(one(ipv6(A6, B6, 17, udp(1000, 53, "q"), [fragmentExt(0, false, 77)])).v.action).toBe("allow");
  });

  test("a snapshot-truncated packet is decoded and counted", () => {
    const full = ipv4(A, B, 17, udp(1000, 53, "0123456789"));
    const { v, stats } = one(full.subarray(0, 30));
    expect(v.action).toBe("allow");
    expect(stats.truncated).toBe(1);
  });

  test("Ethernet padding after the IP total length is ignored", () => {
    const p = ipv4(A, B, 17, udp(1000, 53, "ab"));
    const padded = new Uint8Array(p.length + 18);
    padded.set(p);
    const { v, stats } = one(padded);
    expect(v.action).toBe("allow");
    expect(stats.truncated).toBe(0);
  });

  test("a frame without an IP header is skipped as not-IP", () => {
    const e = engineFor(POLICY);
    const [v] = e.process([{ data: new Uint8Array(60), l3Offset: -1, ts: 0n }]);
    expect(v).toMatchObject({ action: "skip", notIp: true });
    expect(e.stats().notIp).toBe(1);
  });

  const bad: [string, Uint8Array, MalformedReason][] = [
    ["empty", new Uint8Array(0), "too-short"],
    ["IPv4 shorter than 20 bytes", ipv4(A, B, 6, tcp(1, 80, SYN)).subarray(0, 19), "too-short"],
    ["IP version 5", (() => { const p = ipv4(A, B, 6, tcp(1, 80, SYN)); p[0] = 0x55; return p; })(), "bad-version"],
    ["IHL below 5", ipv4(A, B, 6, tcp(1, 80, SYN), { ihl: 4 }), "bad-ihl"],
    ["IHL past the packet", ipv4(A, B, 6, new Uint8Array(0), { ihl: 15 }), "bad-ihl"],
    ["total length below the header", ipv4(A, B, 6, tcp(1, 80, SYN), { totalLength: 12 }), "bad-total-length"],
    ["option length 0", ipv4(A, B, 6, tcp(1, 80, SYN), { options: new Uint8Array([7, 0, 0, 0]) }), "bad-ip-options"],
    ["option past the header", ipv4(A, B, 6, tcp(1, 80, SYN), { options: new Uint8Array([1, 1, 7, 9]) }), "bad-ip-options"],
    ["fragment not a multiple of 8", ipv4(A, B, 17, new Uint8Array(13), { more: true }), "bad-fragment"],
    ["fragment past 65535 (ping of death)", ipv4(A, B, 1, new Uint8Array(16), { fragOffset: 65528 }), "bad-fragment"],
    ["IPv6 zero payload length", ipv6(A6, B6, 6, tcp(1, 80, SYN), [], 0), "bad-total-length"],
    ["IPv6 hop-by-hop not first", ipv6(A6, B6, 6, tcp(1, 80, SYN), [optionsExt(60), optionsExt(0)]), "bad-ext-header"],
    ["IPv6 header past the payload", ipv6(A6, B6, 6, new Uint8Array(0), [optionsExt(60, 4)], 16), "bad-ext-header"],
    ["IPv6 chain of 9 headers", ipv6(A6, B6, 6, tcp(1, 80, SYN), Array.from({ length: 9 }, () => optionsExt(60))), "ext-chain-too-long"],
    ["TCP header cut by the capture", ipv4(A, B, 6, tcp(1, 80, SYN)).subarray(0, 30), "truncated-l4"],
    ["TCP data offset 4", ipv4(A, B, 6, tcp(1, 80, SYN, "", { dataOffset: 4 })), "bad-tcp-offset"],
    ["TCP data offset past the segment", ipv4(A, B, 6, tcp(1, 80, SYN, "", { dataOffset: 15 })), "bad-tcp-offset"],
    ["TCP MSS option of length 3", ipv4(A, B, 6, tcp(1, 80, SYN, "", { options: new Uint8Array([2, 3, 1, 1]) })), "bad-tcp-options"],
    ["TCP option past the header", ipv4(A, B, 6, tcp(1, 80, SYN, "", { options: new Uint8Array([1, 1, 8, 10]) })), "bad-tcp-options"],
    ["SYN+FIN", ipv4(A, B, 6, tcp(1, 80, SYN | FIN)), "bad-tcp-flags"],
    ["SYN+RST", ipv4(A, B, 6, tcp(1, 80, SYN | RST)), "bad-tcp-flags"],
    ["no TCP flags", ipv4(A, B, 6, tcp(1, 80, 0)), "bad-tcp-flags"],
    ["UDP length below 8", ipv4(A, B, 17, udp(1, 53, "x", 4)), "bad-udp-length"],
    ["UDP length past the datagram", ipv4(A, B, 17, udp(1, 53, "x", 200)), "bad-udp-length"],
    ["ICMP shorter than 8 bytes", ipv4(A, B, 1, new Uint8Array(4)), "bad-icmp"],
  ];

  test.each(bad)("malformed: %s", (_name, bytes, reason) => {
    const { v, stats } = one(bytes);
    expect(v).toMatchObject({ action: "skip", malformed: reason, flow: 0 });
    expect(stats.malformed.total).toBe(1);
    expect(stats.malformed[reason]).toBe(1);
    expect(stats.flows.created).toBe(0);
  });

  test("a flow's later packets are counted per direction and keep the verdict", () => {
    const e = engineFor(POLICY);
    const vs = e.process([
      input(ipv4(A, B, 6, tcp(40000, 80, SYN)), 1),
      input(ipv4(B, A, 6, tcp(80, 40000, SYN | ACK)), 2),
      input(ipv4(A, B, 6, tcp(40000, 80, ACK)), 3),
    ]);
    expect(new Set(vs.map((v) => v.flow)).size).toBe(1);
    expect(vs.map((v) => v.action)).toEqual(["allow", "allow", "allow"]);
    expect(vs[1]!.reply).toBe(true);
    expect(e.stats().flows.active).toBe(1);
  });

  test("a port the policy does not allow gets the implicit verdict", () => {
    const { v } = one(ipv4(A, B, 6, tcp(40000, 81, SYN)));
    expect(v).toMatchObject({ action: "learn", rule: 0 });
  });
});

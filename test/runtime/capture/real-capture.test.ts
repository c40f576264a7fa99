/**
 * Captures written by tcpdump 4.99.3 (libpcap 1.10.3) on loopback: HTTP over IPv4 and IPv6, taken on
 * `lo` (Ethernet), and on `any` as Linux cooked v2 (nanosecond file) and v1. Each .pcap has a .txt
 * beside it: tcpdump's own reading (`-tt -nn -q`, nanosecond times). Our reading must agree packet
 * for packet: time, addresses, ports and TCP payload length. Regenerate with
 * scripts/capture-pcap-fixtures.sh.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatIp, parseIp, V4_BASE } from "../../../common/ip.js";
import { LINKTYPE, parseCaptureBuffer, type CapturePacket } from "../../../runtime/capture/index.js";
import { collect, plain } from "./build.js";

const dir = new URL("../../fixtures/pcap/", import.meta.url);

interface Line {
  ts: bigint;
  family: "IP" | "IP6";
  src: string;
  sport: number;
  dst: string;
  dport: number;
  payload: number;
}

function tcpdumpLines(name: string): Line[] {
  const text = readFileSync(new URL(`${name}.txt`, dir), "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => {
      const m = /^(\d+)\.(\d{9}) .*?(IP6?) (\S+)\.(\d+) > (\S+)\.(\d+): tcp (\d+)$/.exec(l);
      if (!m) throw new Error(`unexpected tcpdump line: ${l}`);
      const [, sec, ns, family, src, sport, dst, dport, payload] = m;
      const ip = (s: string) => formatIp(parseIp(s)!);
      return { ts: BigInt(sec!) * 1_000_000_000n + BigInt(ns!), family: family as "IP" | "IP6", src: ip(src!), sport: +sport!, dst: ip(dst!), dport: +dport!, payload: +payload! };
    });
}

/** Decode the IP and TCP headers at the packet's layer-3 offset into a tcpdump line's fields. */
function ours(p: CapturePacket): Line {
  const ip = p.data.subarray(p.l3Offset);
  const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  const addr = (at: number, len: number) => {
    let v = 0n;
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(ip[at + i]!);
    return formatIp(len === 4 ? V4_BASE | v : v);
  };
  let tcpAt: number;
  let ipEnd: number;
  let src: string;
  let dst: string;
  if (p.l3Proto === "ipv4") {
    expect(ip[9]).toBe(6);
    tcpAt = (ip[0]! & 0x0f) * 4;
    ipEnd = view.getUint16(2);
    [src, dst] = [addr(12, 4), addr(16, 4)];
  } else {
    expect(p.l3Proto).toBe("ipv6");
    expect(ip[6]).toBe(6);
    tcpAt = 40;
    ipEnd = 40 + view.getUint16(4);
    [src, dst] = [addr(8, 16), addr(24, 16)];
  }
  const tcpHeader = (ip[tcpAt + 12]! >> 4) * 4;
  return {
    ts: p.ts,
    family: p.l3Proto === "ipv4" ? "IP" : "IP6",
    src,
    sport: view.getUint16(tcpAt),
    dst,
    dport: view.getUint16(tcpAt + 2),
    payload: ipEnd - tcpAt - tcpHeader,
  };
}

describe.each([
  ["lo-http.pcap", LINKTYPE.ETHERNET, 14, "1e-6"],
  ["any-sll2-ns.pcap", LINKTYPE.LINUX_SLL2, 20, "1e-9"],
  ["any-sll.pcap", LINKTYPE.LINUX_SLL, 16, "1e-6"],
])("%s", (name, linkType, l3Offset, resolution) => {
  const bytes = readFileSync(new URL(name, dir));

  test("agrees with tcpdump's reading, packet for packet", () => {
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(summary.interfaces).toEqual([{ linkType, snaplen: 262144, tsResolution: resolution, section: 0 }]);
    expect(summary.notIp).toBe(0);
    const expected = tcpdumpLines(name);
    expect(packets.length).toBe(expected.length);
    expect(packets.every((p) => p.l3Offset === l3Offset && !p.truncated)).toBe(true);
    expect(packets.map(ours)).toEqual(expected);
    // Both families and some payload, so the fixture exercises what it claims to.
    expect(new Set(expected.map((l) => l.family))).toEqual(new Set(["IP", "IP6"]));
    expect(expected.some((l) => l.payload > 0)).toBe(true);
  });

  test("streamed from the file, it reads the same", async () => {
    const streamed = await collect(new URL(name, dir).pathname, { chunkBytes: 100 });
    expect(plain(streamed.packets)).toEqual(plain(parseCaptureBuffer(bytes).packets));
  });
});

/**
 * The packet path's feed to the threat detectors (asm/threat/stream-feed.ts, dns-rates.ts,
 * trackers.ts; docs/threats.md "Where detection runs"), on crafted packets: in-order bytes only
 * (overlaps give their new bytes, retransmissions nothing, a gap stops the direction and is
 * counted), the bytes DPI buffered first, slowloris without a timer (at the next packet or at
 * expiry, not after the client closed), DNS queries over TCP framed across segments, floods
 * metered to workloads only, the client's window scaled, and nothing with threats or the
 * detection off.
 */
import { describe, expect, test } from "vitest";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { ACK, FIN, PSH, SYN, input, ip, icmp, mssOption, tcp, udp } from "../packet/craft.js";
import { engineFor, inventory, workload } from "../packet/engine.js";
import { CLI, OUTSIDE, WEB, runThreats, threatPolicy } from "../packet/threats.js";

const SMUGGLE = "POST /upload HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\nContent-Length: 11\r\n\r\nhello";

/** A client's TCP connection to WEB:port: handshake, then `segments` [offset in the stream, bytes, ms]. */
function stream(port: number, segments: [number, string, number][], o: { close?: boolean; client?: string } = {}): PacketInput[] {
  const c = o.client ?? CLI;
  const isn = 1000;
  const out = [
    input(ip(c, WEB, 6, tcp(40000, port, SYN, "", { seq: isn })), 0),
    input(ip(WEB, c, 6, tcp(port, 40000, SYN | ACK, "", { seq: 9000, ack: isn + 1 })), 1),
    input(ip(c, WEB, 6, tcp(40000, port, ACK, "", { seq: isn + 1, ack: 9001 })), 2),
  ];
  let end = 0;
  for (const [at, bytes, ms] of segments) {
    out.push(input(ip(c, WEB, 6, tcp(40000, port, PSH | ACK, bytes, { seq: isn + 1 + at, ack: 9001 })), ms));
    end = Math.max(end, at + bytes.length);
  }
  if (o.close) out.push(input(ip(c, WEB, 6, tcp(40000, port, FIN | ACK, "", { seq: isn + 1 + end, ack: 9001 })), (segments.at(-1)?.[2] ?? 3) + 1));
  return out;
}

const slugs = (r: { threats: { slug?: string }[] }) => r.threats.map((t) => t.slug);

describe("in-order bytes", () => {
  test("a request split over three segments is read whole", () => {
    const r = runThreats("monitor", stream(80, [[0, SMUGGLE.slice(0, 30), 10], [30, SMUGGLE.slice(30, 60), 11], [60, SMUGGLE.slice(60), 12]]));
    expect(slugs(r)).toEqual(["http-smuggling"]);
    expect(r.stats.threats.streamGaps).toBe(0);
  });

  test("overlapping and retransmitted segments give only their new bytes", () => {
    const r = runThreats("monitor", stream(80, [[0, SMUGGLE.slice(0, 30), 10], [0, SMUGGLE.slice(0, 30), 11], [20, SMUGGLE.slice(20, 60), 12], [60, SMUGGLE.slice(60), 13]]));
    expect(slugs(r)).toEqual(["http-smuggling"]);
    expect(r.stats.threats.streamGaps).toBe(0);
  });

  test("a missing segment stops the direction: counted, and nothing after it is read", () => {
    const r = runThreats("monitor", stream(80, [[0, SMUGGLE.slice(0, 30), 10], [60, SMUGGLE.slice(60), 12]]));
    expect(slugs(r)).toEqual([]);
    expect(r.stats.threats.streamGaps).toBe(1);
  });

  test("a segment that arrives early is a gap too, even when the hole is filled later", () => {
    const r = runThreats("monitor", stream(80, [[0, SMUGGLE.slice(0, 30), 10], [60, SMUGGLE.slice(60), 11], [30, SMUGGLE.slice(30, 60), 12]]));
    expect(r.stats.threats.streamGaps).toBe(1);
    expect(slugs(r)).toEqual([]);
  });

  test("the bytes DPI buffered before naming the application are read first", () => {
    // DPI names HTTP after the request line: the first segment, "POST /up", is read from its buffer.
    const r = runThreats("monitor", stream(80, [[0, SMUGGLE.slice(0, 8), 10], [8, SMUGGLE.slice(8), 11]]));
    expect(slugs(r)).toEqual(["http-smuggling"]);
  });

  test("both directions: a TLS 1.0 ServerHello after the ClientHello", () => {
    // TLS: the client's ClientHello and the server's ServerHello (TLS 1.0) come before DPI is sure.
    const hello = (type: number, body: number[]) => String.fromCharCode(0x16, 3, 1, 0, body.length + 4, type, 0, 0, body.length, ...body);
    const serverHello = hello(2, [3, 1, ...new Array(32).fill(7), 0, 0, 0x2f, 0]);
    const clientHello = hello(1, [3, 3, ...new Array(32).fill(9), 0, 0, 2, 0, 0x2f, 1, 0]);
    const packets = [
      ...stream(443, [[0, clientHello, 10]]),
      input(ip(WEB, CLI, 6, tcp(443, 40000, PSH | ACK, serverHello, { seq: 9001, ack: 1001 + clientHello.length })), 11),
    ];
    expect(slugs(runThreats("monitor", packets, { settings: "tls-1.0 on" }))).toEqual(["tls-1.0"]);
  });
});

describe("slowloris has no timer of its own", () => {
  const partial = stream(80, [[0, "GET / HTTP/1.1\r\n", 10], [16, "Host: web\r\n", 20]]);
  const policy = threatPolicy("monitor", "http-slowloris on");
  const inv = inventory([workload("web-1", "shop", "web", [WEB]), workload("cli-1", "shop", "cli", [CLI])]);
  const run = (packets: PacketInput[], idleMs: number) => {
    const e = engineFor(policy, { inventory: inv });
    e.process(packets);
    e.tick(packets.at(-1)!.ts + BigInt(idleMs) * 1_000_000n);
    return e.drainEvents().filter((x) => x.type === "threat");
  };

  test("an idle connection is judged when it expires, not when the timeout passes", () => {
    expect(run(partial, 10_000)).toEqual([]);
    const late = run(partial, 3_601_000);
    expect(late.map((t) => t.slug)).toEqual(["http-slowloris"]);
    expect(late[0]!.evidence).toMatch(/^request headers not complete after 36\d{5} ms$/);
  });

  test("the next packet of the flow judges it", () => {
    const next = input(ip(WEB, CLI, 6, tcp(80, 40000, ACK, "", { seq: 9001, ack: 1028 })), 4000);
    expect(run([...partial, next], 0).map((t) => t.slug)).toEqual(["http-slowloris"]);
  });

  test("a client that closed holds nothing open", () => {
    const closed = stream(80, [[0, "GET / HTTP/1.1\r\n", 10], [16, "Host: web\r\n", 20]], { close: true });
    expect(run(closed, 3_601_000)).toEqual([]);
  });
});

describe("DNS queries", () => {
  /** A standard query for `name` (type A), with its two-byte TCP length prefix when `tcp`. */
  function query(name: string, id: number, tcpPrefix = false): number[] {
    const q = [id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    for (const l of name.split(".")) q.push(l.length, ...Buffer.from(l));
    q.push(0, 0, 1, 0, 1);
    return tcpPrefix ? [q.length >> 8, q.length & 255, ...q] : q;
  }
  const text = (b: number[]) => String.fromCharCode(...b);

  test("over TCP: several in one segment, and one whose length prefix is split over two", () => {
    const a = query("a.example", 1, true);
    const b = query("b.example", 2, true);
    const c = query("c.example", 3, true);
    const all = text([...a, ...b, c[0]!]);
    const r = runThreats("monitor", stream(53, [[0, all, 10], [all.length, text(c.slice(1)), 11]]), { settings: "dns-flood.threshold 3; dns-flood.release 2" });
    expect(slugs(r)).toEqual(["dns-flood"]);
    expect(r.threats[0]!.evidence).toBe(`${CLI} sent 3 DNS queries in 1s`);
  });

  test("over UDP to port 53: each datagram from its own port, flooding a workload, not an outside server", () => {
    const udps = (dst: string) => Array.from({ length: 4 }, (_, i) => input(ip(CLI, dst, 17, udp(30000 + i, 53, new Uint8Array(query("x.example", i)))), i));
    expect(slugs(runThreats("monitor", udps(WEB), { settings: "dns-flood.threshold 4; dns-flood.release 3" }))).toEqual(["dns-flood"]);
    expect(slugs(runThreats("monitor", udps(OUTSIDE), { settings: "dns-flood.threshold 4; dns-flood.release 3" }))).toEqual([]);
  });
});

describe("floods and trackers", () => {
  const syns = (dst: string) => Array.from({ length: 5 }, (_, i) => input(ip(OUTSIDE, dst, 6, tcp(41000 + i, 80, SYN)), i));

  test("SYN floods are metered to workloads only", () => {
    expect(slugs(runThreats("monitor", syns(WEB), { settings: "syn-flood.threshold 5; syn-flood.release 4" }))).toEqual(["syn-flood"]);
    expect(slugs(runThreats("monitor", syns("198.51.100.7"), { settings: "syn-flood.threshold 5; syn-flood.release 4" }))).toEqual([]);
  });

  test("Protect denies the SYNs after the rise while the meter stays raised; Monitor only reports", () => {
    const flood = Array.from({ length: 8 }, (_, i) => input(ip(OUTSIDE, WEB, 6, tcp(42000 + i, 80, SYN)), i));
    const p = runThreats("protect", flood, { settings: "syn-flood.threshold 5; syn-flood.release 4" });
    expect(p.verdicts.map((v) => v.action)).toEqual(["allow", "allow", "allow", "allow", "deny", "deny", "deny", "deny"]);
    expect(p.threats).toHaveLength(1);
    expect(p.stats.threats.blockedFlows).toBe(4);
    expect(runThreats("monitor", flood, { settings: "syn-flood.threshold 5; syn-flood.release 4" }).verdicts.every((v) => v.action === "allow")).toBe(true);
  });

  test("ICMP echo replies unlike their requests, on one flow", () => {
    const echo = (reply: boolean, seq: number, body: string) => input(reply ? ip(WEB, CLI, 1, icmp(0, 0, 9, seq, Buffer.from(body))) : ip(CLI, WEB, 1, icmp(8, 0, 9, seq, Buffer.from(body))), seq * 10 + (reply ? 1 : 0));
    const packets = [1, 2, 3].flatMap((s) => [echo(false, s, "ping"), echo(true, s, `data-${s}`)]);
    expect(slugs(runThreats("monitor", packets))).toEqual(["icmp-tunneling"]);
  });

  test("the client's window is scaled by its window-scale option", () => {
    // The client offers scale 7: a raw window of 100 is 12,800 bytes, not a small window.
    const open = [
      input(ip(CLI, WEB, 6, tcp(40000, 80, SYN, "", { seq: 1, options: mssOption(1460, 7) })), 0),
      input(ip(WEB, CLI, 6, tcp(80, 40000, SYN | ACK, "", { seq: 9000, ack: 2, options: mssOption(1460, 7) })), 1),
    ];
    const window = (w: number, ms: number) => input(ip(CLI, WEB, 6, tcp(40000, 80, ACK, "", { seq: 2, ack: 9001, window: w })), ms);
    const small = (raw: number) => [...open, window(200, 2), window(raw, 3), window(raw, 9000), window(raw, 9500)];
    expect(slugs(runThreats("monitor", small(0), { settings: "tcp-small-window on" }))).toEqual(["tcp-small-window"]);
    expect(slugs(runThreats("monitor", small(100), { settings: "tcp-small-window on" }))).toEqual([]);
  });
});

describe("switched off", () => {
  const smuggling = stream(80, [[0, SMUGGLE, 10]]);

  test("threat detection off: nothing runs", () => {
    const r = runThreats("protect", smuggling, { threats: false });
    expect(r.threats).toEqual([]);
    expect(r.verdicts.every((v) => v.action === "allow")).toBe(true);
  });

  test("the detection off: nothing is reported", () => {
    expect(slugs(runThreats("monitor", smuggling, { settings: "http-smuggling off" }))).toEqual([]);
    expect(slugs(runThreats("monitor", smuggling))).toEqual(["http-smuggling"]);
  });
});

/**
 * The packet-level threat checks (asm/threat/packet-checks.ts, docs/threats.md) on crafted
 * packets: each detection fires exactly once on its attack, with its evidence, and not on the
 * traffic next to it; in Discover and Monitor it is reported and the verdicts are those of the
 * same packets with threat detection off; in Protect a `block` threat denies the flow from the
 * packet that raised it, a `report` one changes nothing; `slug off` silences it. A teardrop or ping
 * of death raised at a fragment of a datagram that has no flow yet is reported without one (flow 0)
 * and, in Protect, drops that fragment and the rest of its datagram.
 */
import { describe, expect, test } from "vitest";
import { formatIp, parseIp } from "../../common/ip.js";
import { THREATS } from "../../common/threats.js";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { ACK, PSH, SYN, conversation, icmp, input, ip, ipv4, ipv6, mssOption, tcp, udp } from "../packet/craft.js";
import { engineFor, inventory, workload } from "../packet/engine.js";
import { CLI, MODES, OUTSIDE, WEB, WEB6, policyPart, runThreats, threatPolicy, type RunOptions } from "../packet/threats.js";

const ICMP = 1;
const ICMP6 = 58;

function handshake(client: string, server: string, cport: number, sport: number, synMss?: number, synAckMss?: number): PacketInput[] {
  return [
    input(ip(client, server, 6, tcp(cport, sport, SYN, "", { seq: 100, options: synMss === undefined ? undefined : mssOption(synMss) })), 1),
    input(ip(server, client, 6, tcp(sport, cport, SYN | ACK, "", { seq: 900, ack: 101, options: synAckMss === undefined ? undefined : mssOption(synAckMss) })), 2),
    input(ip(client, server, 6, tcp(cport, sport, ACK, "", { seq: 101, ack: 901 })), 3),
  ];
}

function ping(src: string, dst: string, bytes: number, type = 8, id = 7): PacketInput {
  const v6 = src.includes(":");
  return input(ip(src, dst, v6 ? ICMP6 : ICMP, icmp(v6 ? (type === 8 ? 128 : 129) : type, 0, id, 1, new Uint8Array(bytes))), 1);
}

/** A UDP datagram to WEB:53 in two IPv4 fragments: [0, 24) and [at, 40). */
function fragments(at: number, v6 = false): PacketInput[] {
  const dgram = udp(5000, 53, new Uint8Array(32).fill(0x41));
  if (v6) {
    const frag = (off: number, end: number, more: boolean) =>
      input(ipv6("fd00::7", WEB6, 17, dgram.subarray(off, end), [{ type: 44, body: fragHeader(off, more) }]), 1);
    return [frag(0, 24, true), frag(at, 40, false)];
  }
  return [input(ipv4(OUTSIDE, WEB, 17, dgram.subarray(0, 24), { id: 9, more: true }), 1), input(ipv4(OUTSIDE, WEB, 17, dgram.subarray(at, 40), { id: 9, fragOffset: at }), 2)];
}

/**
 * The original teardrop: a UDP datagram to WEB:7777 whose last fragment [24, 28) lies inside the
 * first [0, 36) (not whole 8-byte units: malformed, kept as evidence); it can never complete.
 */
function classicTeardrop(id = 5): PacketInput[] {
  const first = udp(31337, 7777, new Uint8Array(28).fill(0x41));
  return [input(ipv4(OUTSIDE, WEB, 17, first, { id, more: true }), 1), input(ipv4(OUTSIDE, WEB, 17, new Uint8Array(4).fill(0x42), { id, fragOffset: 24 }), 2)];
}

/** An echo request of `bytes` data bytes from `src` in IPv4 fragments of `size` bytes (`order`: their indices). */
function fragmentedPing(src: string, dst: string, bytes: number, size: number, type = 8, order?: number[]): PacketInput[] {
  const body = icmp(type, 0, 7, 1, new Uint8Array(bytes).map((_, i) => i & 255));
  const parts: PacketInput[] = [];
  for (let off = 0; off < body.length; off += size) {
    const end = Math.min(off + size, body.length);
    parts.push(input(ipv4(src, dst, ICMP, body.subarray(off, end), { id: 3, fragOffset: off, more: end < body.length }), parts.length));
  }
  return order ? order.map((i) => ({ ...parts[i]!, ts: BigInt(parts.length + i) * 1000n })) : parts;
}

function fragHeader(off: number, more: boolean): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(2, off | (more ? 1 : 0));
  v.setUint32(4, 9);
  return body;
}

function ssh(serverLine: string, clientLine: string): PacketInput[] {
  return conversation({ client: OUTSIDE, server: WEB, cport: 40000, sport: 22, messages: [[false, serverLine], [true, clientLine]] });
}

interface Case {
  slug: string;
  packets: PacketInput[];
  evidence: string;
  options?: RunOptions;
  /** The index of the packet that raises it. */
  at: number;
}

const CASES: Case[] = [
  { slug: "tcp-small-mss", packets: handshake(OUTSIDE, WEB, 4000, 80, 48), evidence: "mss 48", at: 0 },
  {
    slug: "tcp-split-handshake",
    packets: [
      input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN, "", { seq: 100 })), 1),
      input(ip(WEB, OUTSIDE, 6, tcp(80, 4000, SYN, "", { seq: 900 })), 2),
      input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN | ACK, "", { seq: 100, ack: 901 })), 3),
      input(ip(WEB, OUTSIDE, 6, tcp(80, 4000, ACK, "", { seq: 901, ack: 101 })), 4),
    ],
    evidence: "SYN answered by SYN",
    at: 1,
  },
  { slug: "ping-death", packets: [ping(OUTSIDE, WEB, 32001), ping(WEB, OUTSIDE, 32001, 0)], evidence: "icmp 32001 bytes", at: 0 },
  { slug: "ip-teardrop", packets: [...fragments(16), input(ip(OUTSIDE, WEB, 17, udp(5000, 53, "again")), 3)], evidence: "overlap at 16", at: 1 },
  // Never completes: reported at the overlapping fragment, without a flow.
  { slug: "ip-teardrop", packets: [...classicTeardrop(), input(ip(OUTSIDE, WEB, 17, udp(31337, 7777, "again")), 3)], evidence: "overlap at 24", at: 1 },
  // 66,008 bytes: the fifth fragment takes it past 32,000 data bytes, the ninth past 65,535 (malformed).
  { slug: "ping-death", packets: fragmentedPing(OUTSIDE, WEB, 66_000, 8000), evidence: "icmp 39992 bytes", at: 4 },
  { slug: "ssh-v1", packets: ssh("SSH-1.5-OpenSSH_1.2.3\r\n", "SSH-1.5-client\r\n"), evidence: "SSH-1.5-OpenSSH_1.2.3", at: 3 },
  { slug: "k8s-mitm", packets: handshake(CLI, "10.96.0.9", 4000, 443), evidence: "10.96.0.9 is a Service externalIP", options: { externalIps: ["10.96.0.9"] }, at: 0 },
];

const info = (slug: string) => THREATS.find((t) => t.slug === slug)!;

describe.each(CASES)("$slug: $evidence", (c) => {
  const t = info(c.slug);

  test.each(MODES)("%s: reported once, with its evidence", (mode) => {
    const r = runThreats(mode, c.packets, c.options);
    const blocks = mode === "protect" && t.action === "block";
    expect(r.threats).toHaveLength(1);
    expect(r.threats[0]).toMatchObject({ threat: t.name, id: t.id, slug: t.slug, severity: t.severity, action: blocks ? "deny" : "report", evidence: c.evidence, rule: expect.any(Number) });
    expect(r.stats.threats).toEqual({ reported: 1, blockedFlows: blocks ? 1 : 0, byThreat: { [t.slug]: 1 }, streamGaps: 0 });
    expect(r.verdicts[c.at]).toMatchObject({ threat: t.slug, threatRaised: true });
    expect(r.verdicts.filter((v) => v.threatRaised)).toHaveLength(1);
  });

  test.each(MODES)("%s: verdicts against the same packets with threat detection off", (mode) => {
    const on = runThreats(mode, c.packets, c.options);
    const off = runThreats(mode, c.packets, { ...c.options, threats: false });
    expect(off.threats).toHaveLength(0);
    expect(off.verdicts.some((v) => v.threat !== undefined)).toBe(false);
    const ends = (r: typeof on) => r.events.filter((e) => e.type === "flow-end").map((e) => [e.flow, e.rule, e.mode]);
    expect(ends(on)).toEqual(ends(off));
    if (mode === "protect" && t.action === "block") {
      // The raising packet and every later packet of its flow are denied; earlier ones are not.
      const flow = on.verdicts[c.at]!.flow;
      on.verdicts.forEach((v, i) => {
        if (v.flow === flow && i >= c.at) expect(v, `packet ${i}`).toMatchObject({ action: "deny", threat: t.slug });
        else expect(policyPart(v), `packet ${i}`).toEqual(off.verdicts[i]);
      });
      expect(on.events.filter((e) => e.type === "reset")).toHaveLength(0);
    } else {
      expect(on.verdicts.map(policyPart)).toEqual(off.verdicts);
    }
    // The flow's policy verdict never changes: its flow-end record says what the rules decided.
    const policy = (r: typeof on) => r.events.filter((e) => e.type === "flow-end").map((e) => e.action);
    expect(policy(on)).toEqual(policy(off));
  });

  test(`\`${c.slug} off\` silences it; threat detection off too`, () => {
    const off = runThreats("protect", c.packets, { ...c.options, settings: `${c.slug} off` });
    expect(off.threats).toHaveLength(0);
    expect(off.stats.threats.reported).toBe(0);
    const none = runThreats("protect", c.packets, { ...c.options, threats: false });
    expect(off.verdicts).toEqual(none.verdicts);
  });
});

describe("tcp-small-mss", () => {
  const count = (packets: PacketInput[], settings?: string) => runThreats("monitor", packets, { settings }).threats.length;
  test("below the size only, on SYNs and SYN/ACKs, once per flow", () => {
    expect(count(handshake(OUTSIDE, WEB, 4000, 80, 256))).toBe(0);
    expect(count(handshake(OUTSIDE, WEB, 4000, 80, 255))).toBe(1);
    expect(count(handshake(OUTSIDE, WEB, 4000, 80, 1460, 1460))).toBe(0);
    expect(count(handshake(OUTSIDE, WEB, 4000, 80))).toBe(0);
    expect(count(handshake(OUTSIDE, WEB, 4000, 80, 1460, 100))).toBe(1);
    const [syn] = handshake(OUTSIDE, WEB, 4000, 80, 48);
    expect(count([syn!, { ...syn!, ts: 5_000_000n }])).toBe(1);
    // An MSS option outside a SYN is not a handshake's.
    expect(count([...handshake(OUTSIDE, WEB, 4000, 80), input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, PSH | ACK, "x", { seq: 101, options: mssOption(48) })), 4)])).toBe(0);
  });

  test("the size comes from the policy", () => {
    expect(count(handshake(OUTSIDE, WEB, 4000, 80, 536))).toBe(0);
    const r = runThreats("monitor", handshake(OUTSIDE, WEB, 4000, 80, 536), { settings: "tcp-small-mss.size 1000" });
    expect(r.threats.map((e) => e.evidence)).toEqual(["mss 536"]);
  });

  test("Protect: a small MSS in the SYN/ACK blocks the flow after the SYN passed, and drops without a reset", () => {
    const r = runThreats("protect", handshake(OUTSIDE, WEB, 4000, 80, 1460, 64));
    expect(r.verdicts.map((v) => v.action)).toEqual(["allow", "deny", "deny"]);
    expect(r.verdicts.map((v) => v.reset)).toEqual([undefined, undefined, undefined]);
    expect(r.threats.map((e) => [e.action, e.evidence])).toEqual([["deny", "mss 64"]]);
    expect(r.events.some((e) => e.type === "reset")).toBe(false);
  });
});

describe("tcp-split-handshake", () => {
  const run = (packets: PacketInput[], settings?: string) => runThreats("protect", packets, { settings });
  test("the client sending SYN/ACK alone is one too; a normal or repeated handshake is not", () => {
    const clientSynAck = [
      input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN, "", { seq: 100 })), 1),
      input(ip(OUTSIDE, WEB, 6, tcp(4000, 80, SYN | ACK, "", { seq: 100, ack: 5 })), 2),
    ];
    expect(run(clientSynAck).threats.map((e) => e.evidence)).toEqual(["client sent SYN/ACK"]);
    expect(run(handshake(OUTSIDE, WEB, 4000, 80)).threats).toHaveLength(0);
    const [syn] = handshake(OUTSIDE, WEB, 4000, 80);
    expect(run([syn!, { ...syn!, ts: 2_000_000n }, ...handshake(OUTSIDE, WEB, 4000, 80).slice(1)]).threats).toHaveLength(0);
  });

  test("report only by default; `tcp-split-handshake.action block` blocks it in Protect", () => {
    const packets = CASES.find((c) => c.slug === "tcp-split-handshake")!.packets;
    expect(run(packets).verdicts.map((v) => v.action)).toEqual(["allow", "allow", "allow", "allow"]);
    const blocked = run(packets, "tcp-split-handshake.action block");
    expect(blocked.verdicts.map((v) => v.action)).toEqual(["allow", "deny", "deny", "deny"]);
    expect(blocked.threats[0]!.action).toBe("deny");
  });
});

describe("ping-death", () => {
  const count = (packets: PacketInput[], settings?: string) => runThreats("monitor", packets, { settings }).threats.length;
  test("above the size, from the client, IPv4 and IPv6", () => {
    expect(count([ping(OUTSIDE, WEB, 32000)])).toBe(0);
    expect(count([ping(OUTSIDE, WEB, 32001)])).toBe(1);
    expect(count([ping(OUTSIDE, WEB, 100), ping(WEB, OUTSIDE, 40000, 0)])).toBe(0);
    expect(count([ping("fd00::7", WEB6, 40000)])).toBe(1);
    expect(count([ping(OUTSIDE, WEB, 1001)], "ping-death.size 1000")).toBe(1);
    // An echo reply is the responder's even when it opens the flow (its request never seen).
    expect(count([ping(WEB, OUTSIDE, 40000, 0)])).toBe(0);
  });

  test("a legal 3,000-byte ping in fragments that do not overlap raises nothing", () => {
    for (const mode of MODES) {
      const r = runThreats(mode, [...fragmentedPing(OUTSIDE, WEB, 3000, 1480), ...fragmentedPing(WEB, OUTSIDE, 3000, 1480, 0)]);
      expect(r.threats, mode).toEqual([]);
      expect(r.verdicts.map((v) => v.action), mode).toEqual(["hold", "hold", "allow", "hold", "hold", "allow"]);
      expect(r.stats.fragments).toMatchObject({ reassembled: 2, overlaps: 0 });
    }
  });

  test("past 65,535 bytes: once, at the fragment that passes the size; the malformed last fragment raises it when the size is 65535", () => {
    const packets = fragmentedPing(OUTSIDE, WEB, 66_000, 8000);
    const r = runThreats("monitor", packets);
    expect(r.threats.map((e) => [e.flow, e.evidence, e.src.port])).toEqual([[0, "icmp 39992 bytes", 7]]);
    expect(r.verdicts.at(-1)).toEqual({ action: "skip", rule: 0, flow: 0, malformed: "bad-fragment" });
    expect(r.stats.malformed).toEqual({ total: 1, "bad-fragment": 1 });
    const max = runThreats("monitor", packets, { settings: "ping-death.size 65535" });
    expect(max.threats.map((e) => e.evidence)).toEqual(["icmp 66000 bytes"]);
    expect(max.verdicts.at(-1)).toMatchObject({ malformed: "bad-fragment", threat: "ping-death", threatRaised: true });
    expect(max.verdicts.filter((v) => v.threatRaised)).toHaveLength(1);
  });

  test("out of order: judged once the first fragment (the ICMP header) is held", () => {
    // The last fragment first: the size is known, the flow (echo identifier) and the type not yet.
    const r = runThreats("monitor", fragmentedPing(OUTSIDE, WEB, 40000, 16000, 8, [2, 0, 1]));
    expect(r.threats.map((e) => [e.flow, e.evidence, e.src.port])).toEqual([[0, "icmp 40000 bytes", 7]]);
    expect(r.verdicts.map((v) => [v.action, v.threatRaised])).toEqual([["hold", undefined], ["hold", true], ["allow", undefined]]);
  });

  test("a fragmented reply is the responder's with or without its request's flow; Protect drops the request only", () => {
    const request = fragmentedPing(OUTSIDE, WEB, 40000, 1480);
    const reply = fragmentedPing(WEB, OUTSIDE, 40000, 1480, 0);
    expect(runThreats("monitor", reply).threats).toEqual([]);
    const r = runThreats("protect", [...request, ...reply]);
    expect(r.threats.map((e) => [e.flow, e.action, e.src.ip])).toEqual([[0, "deny", OUTSIDE]]);
    const at = r.verdicts.findIndex((v) => v.threatRaised);
    expect(r.verdicts.slice(at, request.length).every((v) => v.action === "deny")).toBe(true);
    // The request never completed: the reply opens a flow of its own, as if it came alone.
    expect(r.verdicts.slice(request.length)).toEqual(runThreats("protect", reply, { threats: false }).verdicts);
  });

  test("after reassembly: the datagram's size counts, not a fragment's", () => {
    const body = icmp(8, 0, 7, 1, new Uint8Array(40000));
    const parts = [0, 16000, 32000].map((off, i) => input(ipv4(OUTSIDE, WEB, ICMP, body.subarray(off, Math.min(off + 16000, body.length)), { id: 3, fragOffset: off, more: off + 16000 < body.length }), i));
    const r = runThreats("monitor", parts);
    expect(r.threats.map((e) => e.evidence)).toEqual(["icmp 40000 bytes"]);
    expect(r.verdicts.map((v) => v.action)).toEqual(["hold", "hold", "allow"]);
    expect(r.verdicts[2]).toMatchObject({ reassembled: true, threat: "ping-death", threatRaised: true });
  });
});

describe("ip-teardrop", () => {
  test("the original teardrop: reported once in every mode, its fragment dropped in Protect only", () => {
    for (const mode of MODES) {
      const r = runThreats(mode, classicTeardrop());
      expect(r.threats.map((e) => [e.flow, e.action, e.mode, e.evidence]), mode).toEqual([[0, mode === "protect" ? "deny" : "report", mode, "overlap at 24"]]);
      // The 5-tuple comes from the fragments: addresses, protocol, the first fragment's ports.
      expect(r.threats[0]).toMatchObject({ proto: "udp", src: { ip: OUTSIDE, port: 31337, kind: "external" }, dst: { ip: WEB, port: 7777, name: "shop/web-1", groups: ["web", "any"] }, rule: 10, packets: [0, 0] });
      expect(r.verdicts.map((v) => v.action), mode).toEqual(["skip", mode === "protect" ? "deny" : "hold"]);
      expect(r.stats.malformed).toEqual({ total: 1, "bad-fragment": 1 });
      expect(r.stats.fragments).toMatchObject({ overlaps: 1, reassembled: 0 });
    }
  });

  test("Protect drops the rest of the datagram; the pair's mode decides, as the flow would have", () => {
    const [first, inside] = classicTeardrop();
    const more = [16, 40].map((off, i) => input(ipv4(OUTSIDE, WEB, 17, new Uint8Array(8), { id: 5, fragOffset: off, more: true }), 3 + i));
    const r = runThreats("protect", [first!, inside!, ...more]);
    expect(r.verdicts.map((v) => [v.action, v.threat])).toEqual([["skip", undefined], ["deny", "ip-teardrop"], ["deny", "ip-teardrop"], ["deny", "ip-teardrop"]]);
    expect(r.threats).toHaveLength(1);
    // Between two addresses no workload holds, no mode applies: reported, not dropped.
    const outside = runThreats("protect", classicTeardrop().map((p) => ({ ...p, data: retarget(p.data, "198.51.100.7", "198.51.100.8") })));
    expect(outside.threats.map((e) => [e.action, e.mode])).toEqual([["report", undefined]]);
    expect(outside.verdicts.map((v) => v.action)).toEqual(["skip", "hold"]);
  });

  test("a held fragment's teardrop goes on the datagram's flow when it exists, and blocks it in Protect", () => {
    const dgram = udp(5000, 53, new Uint8Array(64));
    const packets = [
      input(ip(OUTSIDE, WEB, 17, udp(5000, 53, "first")), 1),
      input(ipv4(OUTSIDE, WEB, 17, dgram.subarray(0, 24), { id: 11, more: true }), 2),
      input(ipv4(OUTSIDE, WEB, 17, dgram.subarray(16, 40), { id: 11, fragOffset: 16, more: true }), 3),
      input(ip(OUTSIDE, WEB, 17, udp(5000, 53, "later")), 4),
    ];
    const r = runThreats("protect", packets);
    const flow = r.verdicts[0]!.flow;
    expect(r.threats.map((e) => [e.flow, e.action, e.evidence])).toEqual([[flow, "deny", "overlap at 16"]]);
    expect(r.verdicts.map((v) => [v.action, v.flow])).toEqual([["allow", flow], ["hold", 0], ["deny", flow], ["deny", flow]]);
  });

  test("a retransmitted fragment (an exact duplicate) is a teardrop, as in NeuVector; after completion it starts anew", () => {
    const dgram = udp(5000, 53, new Uint8Array(64).fill(1));
    const frag = (off: number, end: number, more: boolean) => input(ipv4(OUTSIDE, WEB, 17, dgram.subarray(off, end), { id: 12, fragOffset: off, more }), off);
    const [a, b, c] = [frag(0, 24, true), frag(24, 48, true), frag(48, 72, false)];
    const dup = runThreats("monitor", [a, b, b, c]);
    expect(dup.threats.map((e) => [e.flow, e.evidence])).toEqual([[0, "overlap at 24"]]);
    expect(dup.verdicts.map((v) => [v.action, v.threatRaised])).toEqual([["hold", undefined], ["hold", undefined], ["hold", true], ["allow", undefined]]);
    // Resent after the datagram completed: a new datagram of one fragment, nothing overlaps.
    expect(runThreats("monitor", [a, b, c, c]).threats).toEqual([]);
  });

  test("overlapping IPv4 fragments only; IPv6 overlaps are counted, not reported (NeuVector: IPv4)", () => {
    expect(runThreats("monitor", fragments(24)).threats).toHaveLength(0);
    const v6 = runThreats("monitor", fragments(16, true));
    expect(v6.verdicts[1]).toMatchObject({ reassembled: true, overlap: true });
    expect(v6.threats).toHaveLength(0);
    expect(v6.stats.fragments.overlaps).toBe(1);
    expect(runThreats("monitor", fragments(8)).threats.map((e) => e.evidence)).toEqual(["overlap at 8"]);
  });
});

describe("ssh-v1", () => {
  const run = (server: string, client: string, settings?: string) => runThreats("protect", ssh(server, client), { settings });
  test("either side's identification line; 1.99 and 2.0 are not protocol 1", () => {
    expect(run("SSH-1.99-OpenSSH_3.9\r\n", "SSH-2.0-client\r\n").threats).toHaveLength(0);
    expect(run("SSH-2.0-OpenSSH_9.6\r\n", "SSH-2.0-client\r\n").threats).toHaveLength(0);
    expect(run("SSH-2.0-OpenSSH_9.6\r\n", "SSH-1.5-client\r\n").threats.map((e) => e.evidence)).toEqual(["SSH-1.5-client"]);
    // Not at the start of a stream: not an identification line.
    const late = conversation({ client: OUTSIDE, server: WEB, cport: 40001, sport: 22, messages: [[false, "SSH-2.0-x\r\n"], [true, "SSH-2.0-y\r\n"], [true, "SSH-1.5-z\r\n"]] });
    expect(runThreats("monitor", late).threats).toHaveLength(0);
  });

  test("evidence is the line, clipped to 64 bytes; severity and action from the policy", () => {
    const long = `SSH-1.5-${"x".repeat(100)}\r\n`;
    const r = run(long, "SSH-1.5-c\r\n", "ssh-v1.severity high; ssh-v1.action block");
    expect(r.threats).toHaveLength(1);
    expect(r.threats[0]!.evidence).toBe(long.slice(0, 64));
    expect(r.threats[0]).toMatchObject({ severity: "high", action: "deny" });
    expect(r.verdicts.slice(3).every((v) => v.action === "deny")).toBe(true);
  });
});

describe("k8s-mitm", () => {
  const ext = { externalIps: ["10.96.0.9", "fd00::9"] };
  test("only a workload's new flow to a Service externalIP", () => {
    expect(runThreats("protect", handshake(OUTSIDE, "10.96.0.9", 4000, 443), ext).threats).toHaveLength(0);
    expect(runThreats("protect", handshake(CLI, "10.96.0.10", 4000, 443), ext).threats).toHaveLength(0);
    expect(runThreats("protect", handshake(CLI, "10.96.0.9", 4000, 443)).threats).toHaveLength(0);
    const v6 = runThreats("monitor", handshake(WEB6, "fd00::9", 4000, 443), ext);
    expect(v6.threats.map((e) => [e.evidence, e.src.name])).toEqual([["fd00::9 is a Service externalIP", "shop/web-1"]]);
  });

  test("evidence writes the address as the host does (RFC 5952 for IPv6)", () => {
    const addrs = ["2001:db8::1", "fd00:0:0:1:0:0:0:9", "1:0:2:3:4:5:6:7", "1:2:3:4:5:6:7:8", "fd00:abcd::", "fd00:0:0:1:1:0:0:1"];
    for (const a of addrs) {
      const r = runThreats("monitor", handshake(WEB6, a, 4000, 443), { externalIps: [a] });
      expect(r.threats.map((e) => e.evidence)).toEqual([`${formatIp(parseIp(a)!)} is a Service externalIP`]);
    }
  });

  test("the set follows the inventory: more than the engine holds is refused", () => {
    const many = { externalIps: Array.from({ length: 17 }, (_, i) => `10.97.0.${i}`) };
    expect(runThreats("monitor", handshake(CLI, "10.97.0.16", 4000, 443), many).threats).toHaveLength(1);
    expect(() => runThreatsWithCap(16, many.externalIps)).toThrow(/17 Service externalIPs, more than the packet setting `externalIps` \(16\)/);
  });
});

/** An IPv4 packet between other addresses (the header checksum is not checked). */
function retarget(data: Uint8Array, src: string, dst: string): Uint8Array {
  const out = data.slice();
  out.set(src.split(".").map(Number), 12);
  out.set(dst.split(".").map(Number), 16);
  return out;
}

function runThreatsWithCap(cap: number, ips: string[]) {
  const inv = inventory([workload("cli-1", "shop", "cli", [CLI])]);
  inv.serviceExternalIps = ips;
  return engineFor(threatPolicy("monitor"), { inventory: inv, settings: { externalIps: cap } });
}

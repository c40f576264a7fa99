/**
 * The host's copy of frames into engine memory (runtime/packet/engine.ts load): frames that lie one
 * after the other in one buffer go in as one copy. Whatever way the frames arrive (views of one
 * capture buffer, separate arrays, gaps, repeats, cut to the batch, no IP header), every packet
 * gets the verdict, events and counters it gets when each frame is an array of its own.
 */
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { ACK, PSH, input, ipv4, tcp, udp } from "./craft.js";
import { CAPTURES, capture, engineFor } from "./engine.js";

const POLICY = `policy p
rule 10 allow any -> any app http, ssl, dns
rule 20 deny any -> any app ssh
`;
const SMALL = { flows: 256, prefixSlots: 16, fragSlots: 4, events: 1024, dnsNames: 16, batchPackets: 64, batchBytes: 256 * 1024 };

/** Each frame in an array of its own. */
const separate = (packets: PacketInput[]) => packets.map((p) => ({ ...p, data: new Uint8Array(p.data) }));

function run(packets: PacketInput[]) {
  const e = engineFor(POLICY, { settings: SMALL });
  const verdicts = e.process(packets);
  e.flush();
  const { memory: _, ...stats } = e.stats();
  return { verdicts, events: e.drainEvents(), stats };
}

/** The packets again, each loop 20 minutes later (the frames are the same views: offsets repeat). */
function looped(packets: PacketInput[], loops: number): PacketInput[] {
  return Array.from({ length: loops }, (_, k) => packets.map((p) => ({ ...p, ts: p.ts + BigInt(k) * 1_200_000_000_000n }))).flat();
}

describe("frames copied into the engine", () => {
  const fixtures = readdirSync(CAPTURES).filter((f) => f.endsWith(".pcap")).sort();

  test("views of capture buffers (runs, repeats) decide like separate arrays", () => {
    const packets = looped(fixtures.flatMap((f) => capture(f)), 2);
    expect(packets.length).toBeGreaterThan(1000);
    expect(run(packets)).toEqual(run(separate(packets)));
  });

  test("gaps, frames out of buffer order, frames cut to the batch and frames without an IP header", () => {
    // One buffer holding frames with gaps of 0, 16 and 300 bytes (the last too wide to join), a
    // frame larger than the batch area, and views in reverse order.
    const frames = [
      ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80, PSH | ACK, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n")),
      ipv4("10.0.0.2", "10.0.0.1", 6, tcp(80, 40000, PSH | ACK, "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n")),
      ipv4("10.0.0.3", "10.0.0.4", 6, tcp(40001, 22, PSH | ACK, "SSH-2.0-OpenSSH_9.2\r\n")),
      ipv4("10.0.0.4", "10.0.0.3", 6, tcp(22, 40001, PSH | ACK, "SSH-2.0-OpenSSH_9.3\r\n")),
    ];
    const gaps = [0, 16, 300, 8];
    const size = frames.reduce((n, f, k) => n + f.length + (gaps[k] ?? 0), 0);
    const buf = new Uint8Array(size + 300 * 1024);
    let at = 0;
    const views = frames.map((f, k) => {
      buf.set(f, at);
      const v = buf.subarray(at, at + f.length);
      at += f.length + (gaps[k] ?? 0);
      return v;
    });
    const huge = buf.subarray(at, at + 300 * 1024);
    huge.set(ipv4("10.0.0.5", "10.0.0.6", 17, udp(5000, 9, "x")));
    const packets: PacketInput[] = [
      ...views.map((v, k) => ({ data: v, l3Offset: 0, ts: BigInt(k) * 1_000_000n })),
      { data: huge, l3Offset: 0, ts: 5_000_000n },
      { data: views[0]!, l3Offset: -1, ts: 6_000_000n },
      { data: views[1]!, l3Offset: 0.5, ts: 6_000_000n },
      ...[...views].reverse().map((v, k) => ({ data: v, l3Offset: 0, ts: BigInt(7 + k) * 1_000_000n })),
      input(ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80, ACK)), 20),
    ];
    const got = run(packets);
    expect(got).toEqual(run(separate(packets)));
    expect(got.verdicts.map((v) => v.app)).toEqual([undefined, "HTTP", "SSH", "SSH", "unknown", undefined, undefined, "SSH", "SSH", "HTTP", "HTTP", "HTTP"]);
    expect(got.verdicts[4]).toMatchObject({ new: true, flow: 3 });
    expect(got.verdicts[5]).toMatchObject({ notIp: true });
  });
});

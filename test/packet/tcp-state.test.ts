/**
 * Flow table and TCP state: who the client is, the state a flow ends in, idle timeouts per state
 * driven by packet time only, port reuse, and flow-end records with per-direction counts.
 */
import { describe, expect, test } from "vitest";
import type { PacketEvent } from "../../runtime/packet/engine.js";
import { ACK, FIN, PSH, RST, SYN, conversation, icmp, input, ipv4, tcp, udp } from "./craft.js";
import { engineFor } from "./engine.js";

const POLICY = `policy p
rule 10 allow any -> any
`;
const A = "10.0.0.1";
const B = "10.0.0.2";
const S = 1000;

function ends(events: PacketEvent[]): PacketEvent[] {
  return events.filter((e) => e.type === "flow-end");
}

describe("tcp state and timeouts", () => {
  test("a full conversation ends closed, with packets and bytes per direction", () => {
    const e = engineFor(POLICY);
    const pk = conversation({ client: A, server: B, cport: 40000, sport: 80, messages: [[true, "hello"], [false, "world!"]] });
    e.process(pk);
    expect(e.stats().flows.active).toBe(1);
    e.tick(BigInt(60 * S) * 1_000_000n);
    const [end] = ends(e.drainEvents());
    expect(end).toMatchObject({ end: "closed", state: "closed", src: { ip: A, port: 40000 }, dst: { ip: B, port: 80 }, proto: "tcp" });
    // client: SYN, ACK, data, ACK of the server's data, FIN, last ACK; server: SYN-ACK, ACK, data, FIN.
    expect(end!.packets).toEqual([6, 4]);
    expect(end!.bytes[0]).toBe(6 * 40 + 5);
    expect(end!.bytes[1]).toBe(4 * 40 + 6);
    expect(e.stats().flows).toMatchObject({ active: 0, ended: 1, timedOut: 1 });
  });

  test("RST ends a flow as reset", () => {
    const e = engineFor(POLICY);
    e.process([input(ipv4(A, B, 6, tcp(1, 80, SYN)), 0), input(ipv4(B, A, 6, tcp(80, 1, RST | ACK)), 1)]);
    e.tick(20_000_000_000n);
    expect(ends(e.drainEvents())[0]).toMatchObject({ end: "reset", state: "closed" });
  });

  test("a flow first seen at its SYN-ACK belongs to the SYN's sender", () => {
    const e = engineFor(POLICY);
    e.process([input(ipv4(B, A, 6, tcp(80, 40000, SYN | ACK)), 0)]);
    e.flush();
    expect(ends(e.drainEvents())[0]).toMatchObject({ src: { ip: A, port: 40000 }, dst: { ip: B, port: 80 }, state: "syn-received", packets: [0, 1], end: "flush" });
  });

  test("a flow picked up mid-stream is established, its first sender the client", () => {
    const e = engineFor(POLICY);
    e.process([input(ipv4(A, B, 6, tcp(40000, 80, PSH | ACK, "x")), 0)]);
    e.flush();
    expect(ends(e.drainEvents())[0]).toMatchObject({ state: "established", src: { ip: A } });
  });

  test("idle timeouts by state run on packet time", () => {
    const e = engineFor(POLICY);
    e.process([
      input(ipv4(A, B, 6, tcp(1, 80, SYN)), 0), // embryonic: 30 s
      input(ipv4(A, B, 6, tcp(2, 80, PSH | ACK, "x")), 0), // established: 3600 s
      input(ipv4(A, B, 6, tcp(3, 80, FIN | ACK)), 0), // fin: 30 s
      input(ipv4(A, B, 17, udp(4, 53, "q")), 0), // udp: 60 s
      input(ipv4(A, B, 1, icmp(8, 0, 5, 1)), 0), // icmp: 10 s
      input(ipv4(A, B, 47, new Uint8Array(8)), 0), // other: 60 s
    ]);
    const at = (s: number) => {
      e.tick(BigInt(s) * 1_000_000_000n);
      return e.stats().flows.active;
    };
    expect(at(9)).toBe(6);
    expect(at(11)).toBe(5);
    expect(at(29)).toBe(5);
    expect(at(31)).toBe(3);
    expect(at(61)).toBe(1);
    expect(at(3599)).toBe(1);
    expect(at(3601)).toBe(0);
    expect(e.stats().flows.timedOut).toBe(6);
  });

  test("packets run expiry too: a flow in a shorter-timeout list opened later still expires on time", () => {
    const e = engineFor(POLICY);
    const other = (s: number, port: number) => input(ipv4(B, A, 17, udp(port, 9, "x")), s * 1000);
    e.process([
      input(ipv4(A, B, 6, tcp(2, 80, PSH | ACK, "x")), 0), // established: 3600 s
      input(ipv4(A, B, 17, udp(4, 53, "q")), 1000), // udp: 60 s, expires after 61 s
      input(ipv4(A, B, 1, icmp(8, 0, 5, 1)), 2000), // icmp: 10 s, expires after 12 s
    ]);
    e.process([other(11, 1)]);
    expect(e.stats().flows).toMatchObject({ active: 4, timedOut: 0 });
    e.process([other(13, 2)]);
    expect(e.stats().flows).toMatchObject({ active: 4, timedOut: 1 });
    e.process([other(62, 3)]);
    // The first udp flow is gone; the later ones (11 s and 13 s) have a minute each.
    expect(e.stats().flows).toMatchObject({ active: 4, timedOut: 2 });
  });

  test("packets expire at most 64 flows each; the rest go on the next packets", () => {
    const e = engineFor(POLICY);
    e.process(Array.from({ length: 100 }, (_, i) => input(ipv4(A, B, 17, udp(1000 + i, 53, "q")), 0)));
    const late = (port: number) => input(ipv4(B, A, 6, tcp(port, 80, PSH | ACK, "x")), 61_000);
    e.process([late(1)]);
    expect(e.stats().flows.timedOut).toBe(64);
    e.process([late(2)]);
    expect(e.stats().flows).toMatchObject({ timedOut: 100, active: 2 });
  });

  test("timeouts are settings", () => {
    const e = engineFor(POLICY, { settings: { timeouts: { udp: 5 } } });
    e.process([input(ipv4(A, B, 17, udp(4, 53, "q")), 0)]);
    e.tick(6_000_000_000n);
    expect(e.stats().flows.active).toBe(0);
  });

  test("activity keeps a flow alive; a late packet does not move the clock back", () => {
    const e = engineFor(POLICY);
    const p = (ms: number) => input(ipv4(A, B, 17, udp(4, 53, "q")), ms);
    e.process([p(0), p(50_000), p(100_000), p(20_000)]);
    e.tick(150_000_000_000n);
    expect(e.stats().flows.active).toBe(1);
    e.tick(161_000_000_000n);
    expect(e.stats().flows.active).toBe(0);
  });

  test("a new SYN on a closed flow's ports opens a new flow", () => {
    const e = engineFor(POLICY);
    const first = conversation({ client: A, server: B, cport: 40000, sport: 80, messages: [] });
    const again = conversation({ client: A, server: B, cport: 40000, sport: 80, messages: [], t0: 100, isn: [90000, 7000] });
    const v = e.process([...first, ...again]);
    expect(v[0]!.flow).not.toBe(v[first.length]!.flow);
    expect(v[first.length]!.new).toBe(true);
    expect(e.stats().flows).toMatchObject({ created: 2, ended: 1, active: 1 });
  });

  test("flush ends every flow with reason flush", () => {
    const e = engineFor(POLICY);
    e.process(Array.from({ length: 50 }, (_, i) => input(ipv4(A, B, 6, tcp(1000 + i, 80, SYN)), i)));
    e.flush();
    const all = ends(e.drainEvents());
    expect(all).toHaveLength(50);
    expect(all.every((x) => x.end === "flush")).toBe(true);
    expect(e.stats().flows.active).toBe(0);
  });
});

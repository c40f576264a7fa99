/**
 * The port-guess setting (PSF_PORT_GUESS, `nvp replay --port-guess`): a flow that carried payload
 * and that content left unknown is named by its port in its flow-end record, confidence
 * `port-guess`; without the setting it stays unknown with its reason. Content always wins, flows
 * without payload get no guess, and the decision never sees the guess (docs/protocols.md, "Port
 * guesses").
 */
import { describe, expect, test } from "vitest";
import type { PacketEvent, PacketInput } from "../../runtime/packets.js";
import { ACK, PSH, SYN, input, ipv4, tcp, udp } from "./craft.js";
import { engineFor } from "./engine.js";

const ALLOW = "policy p\nrule 10 allow any -> any\n";
const ONLY_MYSQL = "policy p\nsettings { default-mode protect }\nrule 10 allow any -> any app mysql\n";
const C = "10.0.0.1";
const S = "10.0.0.2";

/** A TCP connection with a SYN, then each [dir, bytes] as one segment. */
function session(dport: number, parts: [0 | 1, string][], sport = 40000): PacketInput[] {
  const seq = [1000, 9000];
  const out = [input(ipv4(C, S, 6, tcp(sport, dport, SYN, "", { seq: 999 })), 0), input(ipv4(S, C, 6, tcp(dport, sport, SYN | ACK, "", { seq: 8999, ack: 1000 })), 1)];
  let t = 2;
  for (const [d, data] of parts) {
    out.push(input(d === 0 ? ipv4(C, S, 6, tcp(sport, dport, ACK | PSH, data, { seq: seq[0] })) : ipv4(S, C, 6, tcp(dport, sport, ACK | PSH, data, { seq: seq[1] })), t++));
    seq[d] = seq[d]! + data.length;
  }
  return out;
}

function flowEnd(policy: string, portGuess: boolean, packets: PacketInput[]): { end: PacketEvent; actions: string[] } {
  const e = engineFor(policy, { settings: { portGuess } });
  const actions = e.process(packets).map((v) => v.action);
  e.flush();
  const ends = e.drainEvents().filter((x) => x.type === "flow-end");
  expect(ends).toHaveLength(1);
  return { end: ends[0]!, actions };
}

describe("port guesses, only when asked", () => {
  // A client that spoke something no parser knows, and a server that never answered.
  const oneSided = session(3306, [[0, "\x01\x02hello there\r\n"]]);

  test("a one-sided unknown flow to 3306: unknown and why by default, MySQL port-guess with the setting", () => {
    const off = flowEnd(ALLOW, false, oneSided).end;
    // The first bytes fit no parser's opening, yet some wait for more: given up at the end.
    expect([off.app, off.confidence, off.unidentified?.reason]).toEqual(["unknown", undefined, "gave-up"]);
    const on = flowEnd(ALLOW, true, oneSided).end;
    expect([on.app, on.confidence, on.unidentified]).toEqual(["MySQL", "port-guess", undefined]);
  });

  test.each([
    ["rejected (both sides spoke, nothing matched) on 6379", session(6379, [[0, "\x00\x01??"], [1, "\x00\x02!!"]]), "Redis"],
    ["gave up on 9092 after 8 packets", session(9092, Array.from({ length: 8 }, (_, i): [0, string] => [0, i === 0 ? "GET /aaaa" : "aaaa"])), "Kafka"],
    ["a mid-stream flow whose first sender was the server (client port 5432)", session(41000, [[0, "\x7f\x7f"]], 5432), "PostgreSQL"],
  ] as [string, PacketInput[], string][])("%s", (_w, packets, app) => {
    const f = flowEnd(ALLOW, true, packets).end;
    expect([f.app, f.confidence]).toEqual([app, "port-guess"]);
  });

  test("a UDP datagram nobody answered on 514 that no syslog parser takes: Syslog port-guess", () => {
    const f = flowEnd(ALLOW, true, [input(ipv4(C, S, 17, udp(40000, 514, "\x00\x00binary")), 0)]).end;
    expect([f.app, f.confidence]).toEqual(["Syslog", "port-guess"]);
  });

  test("content wins: Redis on port 80 stays Redis, certain", () => {
    const f = flowEnd(ALLOW, true, session(80, [[0, "*1\r\n$4\r\nPING\r\n"], [1, "+PONG\r\n"]])).end;
    expect([f.app, f.confidence]).toEqual(["Redis", "certain"]);
  });

  test("no guess for a flow without payload, nor on an unregistered port", () => {
    const syn = flowEnd(ALLOW, true, [input(ipv4(C, S, 6, tcp(40000, 3306, SYN)), 0)]).end;
    expect([syn.app, syn.unidentified?.reason]).toEqual([undefined, "no-payload"]);
    const odd = flowEnd(ALLOW, true, session(4444, [[0, "\x01\x02hello"]])).end;
    expect([odd.app, odd.unidentified?.reason]).toEqual(["unknown", "gave-up"]);
  });

  test("the decision never sees the guess: `app mysql` does not allow a guessed MySQL flow", () => {
    const on = flowEnd(ONLY_MYSQL, true, oneSided);
    const off = flowEnd(ONLY_MYSQL, false, oneSided);
    // Pending while the application could still be MySQL, then denied by the implicit rule.
    expect(on.actions).toEqual(off.actions);
    expect([off.end.app, off.end.action, off.end.rule]).toEqual(["unknown", "deny", 0]);
    expect([on.end.app, on.end.action, on.end.rule]).toEqual(["MySQL", "deny", 0]);
  });
});

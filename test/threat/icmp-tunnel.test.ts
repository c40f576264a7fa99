/**
 * asm/threat/icmp-tunnel.ts: echo replies that carry their request's payload never fire; the
 * threshold's mismatched reply (default 3) reports once per flow; replies to other sequence
 * numbers and replies without a request are not compared; honest echoes in between do not reset.
 */
import { describe, expect, test } from "vitest";
import { loadTrackers, type Trackers } from "./trackers-harness.js";

/** A flow's 16-byte state and its echo calls. */
function flow(t: Trackers) {
  const state = t.alloc(16);
  const echo = (isReply: boolean, seq: number, payload: string) => {
    const data = Uint8Array.from(payload, (c) => c.charCodeAt(0));
    t.ex.icmpEcho(state, isReply ? 1 : 0, seq, t.bytes(data), data.length);
  };
  return {
    request: (seq: number, payload: string) => echo(false, seq, payload),
    reply: (seq: number, payload: string) => echo(true, seq, payload),
  };
}

/** The 56 bytes Linux ping sends after its 8-byte timestamp. */
const PING = Array.from({ length: 48 }, (_, i) => String.fromCharCode(0x10 + i)).join("");

describe("ICMP tunneling", () => {
  test("normal pings never fire", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    for (let seq = 1; seq <= 1000; seq++) {
      const payload = `ts${seq.toString().padStart(6, "0")}${PING}`;
      f.request(seq, payload);
      f.reply(seq, payload);
      if (seq % 7 === 0) f.reply(seq, payload); // a duplicate reply (DUP!)
    }
    const empty = flow(t);
    empty.request(1, "");
    empty.reply(1, "");
    expect(t.findings()).toEqual([]);
  });

  test("3 mismatched replies report exactly once", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    for (let seq = 1; seq <= 2; seq++) {
      f.request(seq, `GET /secret-${seq}`);
      f.reply(seq, `tunnelled data ${seq}`);
    }
    expect(t.findings()).toEqual([]);
    f.request(3, "more");
    f.reply(3, "");
    expect(t.findings()).toEqual([{ threat: "icmp-tunneling", evidence: "echo replies unlike their requests: 3" }]);
    for (let seq = 4; seq < 100; seq++) {
      f.request(seq, "x");
      f.reply(seq, "y");
    }
    expect(t.findings()).toEqual([]);
  });

  test("honest echoes in between do not reset the count (NeuVector's does)", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    for (let seq = 1; seq <= 5; seq++) {
      f.request(seq, `data ${seq}`);
      f.reply(seq, seq % 2 ? `other ${seq}` : `data ${seq}`);
    }
    expect(t.findings().map((x) => x.threat)).toEqual(["icmp-tunneling"]);
  });

  test("only replies to the last request's sequence number are compared", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    f.reply(1, "no request yet");
    f.request(1, "a");
    for (let i = 0; i < 10; i++) f.reply(2, "b");
    f.request(2, "b");
    f.reply(1, "a");
    expect(t.findings()).toEqual([]);
  });

  test("the threshold comes from icmp-tunneling.threshold; flows count apart", async () => {
    const t = await loadTrackers();
    t.set("icmp-tunneling.threshold", 5);
    const a = flow(t);
    const b = flow(t);
    for (let seq = 1; seq <= 4; seq++) {
      a.request(seq, "q");
      a.reply(seq, "r");
      b.request(seq, "q");
      b.reply(seq, "r");
    }
    expect(t.findings()).toEqual([]);
    a.request(5, "q");
    a.reply(5, "r");
    expect(t.findings()).toEqual([{ threat: "icmp-tunneling", evidence: "echo replies unlike their requests: 5" }]);
  });
});

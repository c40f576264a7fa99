/**
 * DNS detectors (asm/threat/dns.ts) on crafted messages over UDP and TCP: zone transfer and NULL
 * questions, compression-pointer loops and chains, the overflow condition (long and unparsed, or
 * long and malformed; a long legal answer is not), TCP messages split anywhere, and the
 * tunneling signal of one query.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, loadStream, threats, UDP, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
/** A name as labels (no compression). */
const name = (n: string) => [...n.split(".").filter(Boolean).flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]), 0];
const question = (n: number[] | string, type: number) => [...(typeof n === "string" ? name(n) : n), ...u16(type), ...u16(1)];
const record = (n: number[], type: number, rdata: number[]) => [...n, ...u16(type), ...u16(1), 0, 0, 0, 60, ...u16(rdata.length), ...rdata];

interface Msg {
  response?: boolean;
  opcode?: number;
  questions?: number[][];
  answers?: number[][];
  additional?: number[][];
  tail?: number[];
}
function message(m: Msg): Uint8Array {
  const q = m.questions ?? [];
  const an = m.answers ?? [];
  const ar = m.additional ?? [];
  const flags = (m.response ? 0x8000 : 0) | ((m.opcode ?? 0) << 11) | 0x0100;
  return Uint8Array.from([0x12, 0x34, ...u16(flags), ...u16(q.length), ...u16(an.length), 0, 0, ...u16(ar.length), ...q.flat(), ...an.flat(), ...ar.flat(), ...(m.tail ?? [])]);
}
const tcp = (...msgs: Uint8Array[]) => cat(...msgs.flatMap((m) => [u16(m.length), m]));
const udp = (m: Uint8Array) => threats(s.flow(APP.DNS, UDP).data("c", m));
const udpFromServer = (m: Uint8Array) => threats(s.flow(APP.DNS, UDP).data("s", m));

/** A response to `q` with `n` A records (each name a pointer to the question) and a TXT of `txt` bytes. */
function bigAnswer(n: number, txt: number): Uint8Array {
  const answers = Array.from({ length: n }, (_, i) => record([0xc0, 12], 1, [10, 0, (i >> 8) & 0xff, i & 0xff]));
  const chunks: number[] = [];
  for (let left = txt; left > 0; left -= 256) chunks.push(Math.min(255, left - 1), ...new Array(Math.min(255, left - 1)).fill(0x61));
  answers.push(record([0xc0, 12], 16, chunks));
  return message({ response: true, questions: [question("big.example.com", 1)], answers });
}

describe("question types", () => {
  test("AXFR, IXFR and NULL queries", () => {
    expect(udp(message({ questions: [question("example.com", 252)] }))).toEqual(["dns-zone-transfer"]);
    expect(udp(message({ questions: [question("example.com", 251)] }))).toEqual(["dns-zone-transfer"]);
    expect(udp(message({ questions: [question("example.com", 10)] }))).toEqual(["dns-null-type"]);
    expect(udp(message({ questions: [question("example.com", 1)] }))).toEqual([]);
  });

  test("the evidence names the type", () => {
    const [f] = s.flow(APP.DNS, UDP).data("c", message({ questions: [question("example.com", 251)] }));
    expect(f!.evidence).toBe("question type IXFR (251)");
  });

  test("a response repeating the question is not an attempt", () => {
    expect(udpFromServer(message({ response: true, questions: [question("example.com", 252)] }))).toEqual([]);
  });

  test("TCP: messages back to back, and split at every byte, give the same findings", () => {
    const bytes = tcp(message({ questions: [question("a.example", 1)] }), message({ questions: [question("zone.example", 252)] }), message({ questions: [question("n.example", 10)] }));
    expect(threats(s.flow(APP.DNS).data("c", bytes))).toEqual(["dns-zone-transfer", "dns-null-type"]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(threats(feedSplit(s.flow(APP.DNS), "c", bytes, [cut])), `cut ${cut}`).toEqual(["dns-zone-transfer", "dns-null-type"]);
    }
    // One byte per segment.
    const all = Array.from({ length: bytes.length }, (_, i) => i);
    expect(threats(feedSplit(s.flow(APP.DNS), "c", bytes, all))).toEqual(["dns-zone-transfer", "dns-null-type"]);
  });
});

describe("loop pointer", () => {
  /** A query whose name is `n` pointers, each to the one before, the first to a real name. */
  function chain(n: number): Uint8Array {
    // Question 1: "a.example" at 12; then n extra questions, each a pointer to the previous one.
    const qs = [question("a.example", 1)];
    let prev = 12;
    let at = 12 + qs[0]!.length;
    for (let i = 0; i < n; i++) {
      qs.push(question([0xc0 | (prev >> 8), prev & 0xff], 1));
      prev = at;
      at += 6;
    }
    return message({ opcode: 0, questions: qs });
  }

  test("a pointer to itself", () => {
    const m = message({ questions: [question([0xc0, 12], 1)] });
    const f = s.flow(APP.DNS, UDP).data("c", m);
    expect(threats(f)).toEqual(["dns-loop-pointer"]);
    expect(f[0]!.evidence).toBe("more than 63 compression pointers in a name");
  });

  test("two pointers pointing at each other", () => {
    // Question 1's name points at question 2's, which points back.
    const m = message({ questions: [question([0xc0, 18], 1), question([0xc0, 12], 1)] });
    expect(udp(m)).toEqual(["dns-loop-pointer", "dns-loop-pointer"]);
  });

  test("a chain of 64 pointers is one too many, 63 is not", () => {
    expect(udp(chain(63))).toEqual([]);
    expect(udp(chain(64))).toEqual(["dns-loop-pointer"]);
  });

  test("a CNAME whose target loops", () => {
    const m = message({ response: true, questions: [question("a.example", 1)], answers: [record([0xc0, 12], 5, [0xc0, 39])] });
    // The rdata starts at 39 and points at itself.
    expect(m[39]).toBe(0xc0);
    expect(udpFromServer(m)).toEqual(["dns-loop-pointer"]);
  });

  test("TCP: followed when the message is in one segment, not when it is split", () => {
    const bytes = tcp(message({ questions: [question([0xc0, 12], 1)] }));
    expect(threats(s.flow(APP.DNS).data("c", bytes))).toEqual(["dns-loop-pointer"]);
    expect(threats(feedSplit(s.flow(APP.DNS), "c", bytes, [5]))).toEqual([]);
  });
});

describe("overflow", () => {
  const query = message({ questions: [question("example.com", 1)] });

  test("a long message with more than 1024 bytes after its last record", () => {
    const m = cat(query, new Uint8Array(3000 - query.length).fill(0x41));
    const f = s.flow(APP.DNS, UDP).data("c", m);
    expect(threats(f)).toEqual(["dns-overflow"]);
    expect(f[0]!.evidence).toBe(`unparsed bytes: ${3000 - query.length} of the message`);
  });

  test("TCP: a long unparsed message split anywhere is reported once", () => {
    const m = cat(query, new Uint8Array(3000 - query.length).fill(0x41));
    const bytes = tcp(query, m, query);
    for (let cut = 0; cut <= bytes.length; cut += 11) {
      expect(threats(feedSplit(s.flow(APP.DNS), "c", bytes, [cut, cut + 1, cut + 1500])), `cut ${cut}`).toEqual(["dns-overflow"]);
    }
  });

  test("a long message that does not parse", () => {
    // A label type 0x80 in the question name.
    const m = message({ questions: [question([0x80, 0x41], 1)], tail: new Array(2500).fill(0) });
    const f = s.flow(APP.DNS, UDP).data("s", m);
    expect(threats(f)).toEqual(["dns-overflow"]);
    expect(f[0]!.evidence).toBe(`message does not parse: ${m.length} bytes`);
  });

  test("short messages, malformed or with junk after them, are not reported", () => {
    expect(udp(cat(query, new Uint8Array(1500)))).toEqual([]);
    expect(udp(message({ questions: [question([0x80], 1)] }))).toEqual([]);
    expect(udp(Uint8Array.of(1, 2, 3))).toEqual([]);
  });

  test("at most 1024 bytes left is not an overflow", () => {
    const m = bigAnswer(10, 2500);
    expect(udpFromServer(cat(m, new Uint8Array(1024)))).toEqual([]);
    expect(udpFromServer(cat(m, new Uint8Array(1025)))).toEqual(["dns-overflow"]);
  });

  test("dns-overflow.size sets the length that is checked", () => {
    const m = cat(query, new Uint8Array(1100));
    expect(udp(m)).toEqual([]);
    s.setParam("dns-overflow", 0, 1024);
    try {
      expect(udp(m)).toEqual(["dns-overflow"]);
    } finally {
      s.setParam("dns-overflow", 0, 2048);
    }
  });

  test("a large legal answer, over UDP and over TCP split at every byte", () => {
    const m = bigAnswer(150, 2000);
    expect(m.length).toBeGreaterThan(4000);
    expect(udpFromServer(m)).toEqual([]);
    const bytes = tcp(m, m);
    for (let cut = 0; cut <= bytes.length; cut += 7) {
      expect(threats(feedSplit(s.flow(APP.DNS), "s", bytes, [cut, cut + 3])), `cut ${cut}`).toEqual([]);
    }
  });

  test("a long TCP message cut short by the stream's next prefix is malformed", () => {
    // The length prefix says 3000 but a record's rdata runs past it.
    const m = bigAnswer(1, 2900);
    const bad = cat(u16(m.length - 10), m.subarray(0, m.length - 10));
    expect(threats(s.flow(APP.DNS).data("s", bad))).toEqual(["dns-overflow"]);
  });
});

describe("tunneling signal", () => {
  const q = (n: string, type = 1) => message({ questions: [question(n, type)] });
  const encoded = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPJQWEY3EMVTGO";

  test("a query with a long base32, base64 or hex label", () => {
    expect(s.dnsEncodedQuery(q(`${encoded}.t.example.com`))).toBe(true);
    expect(s.dnsEncodedQuery(q("aGVsbG8gd29ybGQsIHRoaXMgaXMgYmFzZTY0IGRhdGEgaW4gZG5z.x.example"))).toBe(true);
    expect(s.dnsEncodedQuery(q(`x.${"0123456789abcdef".repeat(3)}.example`))).toBe(true);
  });

  test("ordinary names, and names too short, are not", () => {
    expect(s.dnsEncodedQuery(q("www.example.com"))).toBe(false);
    expect(s.dnsEncodedQuery(q("this-is-a-perfectly-normal-but-very-long-hostname-label.example"))).toBe(false);
    expect(s.dnsEncodedQuery(q(`${encoded.slice(0, 39)}.example`))).toBe(false);
    expect(s.dnsEncodedQuery(q("ip-10-0-1-23-ec2-internal-compute-zone-a-b-c-d-e.example"))).toBe(false);
  });

  test("responses and malformed names are not", () => {
    expect(s.dnsEncodedQuery(message({ response: true, questions: [question(`${encoded}.example`, 1)] }))).toBe(false);
    const cut = q(`${encoded}.example`).subarray(0, 30);
    expect(s.dnsEncodedQuery(cut)).toBe(false);
    expect(s.dnsEncodedQuery(new Uint8Array(5))).toBe(false);
  });

  test("dns-tunneling.label-length sets the label length", () => {
    s.setParam("dns-tunneling", 1, 60);
    try {
      expect(s.dnsEncodedQuery(q(`${encoded}.t.example.com`))).toBe(false);
    } finally {
      s.setParam("dns-tunneling", 1, 40);
    }
    expect(s.dnsEncodedQuery(q(`${encoded}.t.example.com`))).toBe(true);
  });

  test("dnsIsQuery", () => {
    expect(s.dnsIsQuery(q("example.com"))).toBe(true);
    expect(s.dnsIsQuery(message({ response: true, questions: [question("example.com", 1)] }))).toBe(false);
    expect(s.dnsIsQuery(message({ opcode: 4, questions: [question("example.com", 1)] }))).toBe(false);
    expect(s.dnsIsQuery(message({}))).toBe(false);
    expect(s.dnsIsQuery(new Uint8Array(11))).toBe(false);
  });
});

/**
 * TNS (asm/threat/tns.ts): SELECT statements in the client's Data packets that carry an OALL8
 * call (or a piggyback before it) go to the SQL injection matcher, with 16- and 32-bit packet
 * lengths and the stream cut anywhere; other calls and other packets do not.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, latin1, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

/** A Data packet: 8-byte header (16-bit length, or 32-bit on large-SDU sessions), data flags, body. */
function data(body: Uint8Array, wide = false): Uint8Array {
  const n = body.length + 10;
  const head = wide ? [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff] : [n >> 8, n & 0xff, 0, 0];
  return cat(head, [6, 0, 0, 0], [0, 0], body);
}
const oall8 = (sql: string) => cat([0x03, 0x5e, 0x07, 0x02, 0x80, 0x21, 0x00, 0x01, 0x01, sql.length], latin1(sql), [0x01, 0x01, 0x00, 0x00, 0x01]);
const ATTACK = "SELECT ename FROM emp WHERE id='' UNION SELECT password FROM dba_users --";

describe("TNS", () => {
  test("SELECT in an OALL8 call, 16- and 32-bit lengths", () => {
    expect(threats(s.flow(APP.TNS).data("c", data(oall8(ATTACK))))).toEqual(["sql-injection"]);
    expect(threats(s.flow(APP.TNS).data("c", data(oall8(ATTACK), true)))).toEqual(["sql-injection"]);
  });

  test("after a piggyback call in the same packet", () => {
    const body = cat([0x11, 0x69, 0x00, 0x01, 0x01, 0x01, 0x02], oall8(ATTACK));
    expect(threats(s.flow(APP.TNS).data("c", data(body)))).toEqual(["sql-injection"]);
  });

  test("the statement ends at 0x00 or 0x01", () => {
    const body = cat([0x03, 0x5e, 0x07], latin1("SELECT 1 UNION SELECT 2"), [0x00], latin1(" -- x"));
    expect(threats(s.flow(APP.TNS).data("c", data(body)))).toEqual([]);
  });

  test("legal statements, other calls, other packets", () => {
    expect(threats(s.flow(APP.TNS).data("c", data(oall8("SELECT note FROM t WHERE note = 'union station'"))))).toEqual([]);
    expect(threats(s.flow(APP.TNS).data("c", data(cat([0x03, 0x76], oall8(ATTACK).subarray(2)))))).toEqual([]);
    const connect = cat([0, 58, 0, 0, 1, 0, 0, 0], new Array(26).fill(0), latin1(ATTACK.slice(0, 24)));
    expect(threats(s.flow(APP.TNS).data("c", connect))).toEqual([]);
    expect(threats(s.flow(APP.TNS).data("s", data(oall8(ATTACK))))).toEqual([]);
  });

  test("packets back to back, the stream cut at every byte", () => {
    const stream = cat(data(oall8("SELECT 1 FROM dual")), data(Uint8Array.of(0x03, 0x5e)), data(oall8(ATTACK), true), data(oall8("select sysdate from dual")));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(threats(feedSplit(s.flow(APP.TNS), "c", stream, [cut])), `cut ${cut}`).toEqual(["sql-injection"]);
    }
  });

  test("a packet type TNS does not have ends the parsing", () => {
    expect(threats(s.flow(APP.TNS).data("c", cat([0, 12, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4], data(oall8(ATTACK)))))).toEqual([]);
  });
});

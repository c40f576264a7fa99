/**
 * TDS (asm/threat/tds.ts): the UTF-16LE text of SQL Batch messages to the SQL injection matcher,
 * with and without ALL_HEADERS, over several TDS packets and TCP segments cut anywhere (also
 * inside a code unit); other packet types carry no batch text; a TLS record ends the parsing.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const utf16 = (t: string) => Uint8Array.from([...t].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]));
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
const packet = (type: number, status: number, payload: Uint8Array) => cat([type, status, (payload.length + 8) >> 8, (payload.length + 8) & 0xff, 0, 0, 1, 0], payload);
const ALL_HEADERS = Uint8Array.from([...le32(22), ...le32(18), 2, 0, ...new Array(8).fill(0), ...le32(1)]);
const batch = (sql: string, headers = true) => packet(1, 1, cat(headers ? ALL_HEADERS : [], utf16(sql)));
const ATTACK = "SELECT * FROM t WHERE id=1; WAITFOR DELAY '0:0:5'--";

describe("TDS", () => {
  test("an SQL batch, with and without ALL_HEADERS", () => {
    const f = s.flow(APP.TDS).data("c", batch(ATTACK));
    expect(threats(f)).toEqual(["sql-injection"]);
    // The low bytes of the last 40 code units, up to the tail that completed the match.
    expect(f[0]!.evidence).toBe(`${ATTACK.slice(-40)} [waitfor delay]`);
    expect(threats(s.flow(APP.TDS).data("c", batch(ATTACK, false)))).toEqual(["sql-injection"]);
  });

  test("legal batches, and non-ASCII text", () => {
    expect(threats(s.flow(APP.TDS).data("c", cat(batch("SELECT 1 AS x"), batch("SELECT * FROM a UNION SELECT * FROM b"), batch("SELECT N'ünïon' -- '"))))).toEqual([]);
    expect(threats(s.flow(APP.TDS).data("c", batch("SELECT N'日本' FROM t WHERE a='' UNION SELECT 1 --")))).toEqual(["sql-injection"]);
  });

  test("a batch over two TDS packets, the TCP stream cut at every byte", () => {
    const text = cat(ALL_HEADERS, utf16(ATTACK));
    const stream = cat(packet(0x12, 1, Uint8Array.of(0, 0, 0x1a, 0, 6, 0xff)), packet(1, 0, text.subarray(0, 41)), packet(1, 1, text.subarray(41)), batch("SELECT 2"));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(threats(feedSplit(s.flow(APP.TDS), "c", stream, [cut])), `cut ${cut}`).toEqual(["sql-injection"]);
    }
  });

  test("other packet types carry no batch text", () => {
    expect(threats(s.flow(APP.TDS).data("c", packet(3, 1, utf16(ATTACK))))).toEqual([]);
    expect(threats(s.flow(APP.TDS).data("s", batch(ATTACK)))).toEqual([]);
  });

  test("a TLS record where a packet should be ends the parsing", () => {
    const f = s.flow(APP.TDS);
    expect(f.data("c", cat([0x17, 3, 3, 0, 4, 1, 2, 3, 4], batch(ATTACK)))).toEqual([]);
  });
});

/**
 * PostgreSQL (asm/threat/pgsql.ts): Query and Parse text to the SQL injection matcher after the
 * startup message, through framing split anywhere; SSL/GSS negotiation the server accepts, and
 * bytes that are not the protocol, leave the flow alone.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, latin1, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const be32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const startup = () => {
  const body = latin1("user\0app\0database\0shop\0\0");
  return cat(be32(body.length + 8), be32(0x00030000), body);
};
const message = (type: string, body: Uint8Array | string) => {
  const b = typeof body === "string" ? latin1(body) : body;
  return cat(type, be32(b.length + 4), b);
};
const Q = (sql: string) => message("Q", `${sql}\0`);
const P = (name: string, sql: string) => message("P", cat(`${name}\0${sql}\0`, [0, 0]));
const sslRequest = cat(be32(8), be32(0x04d2162f));
const ATTACK = "SELECT * FROM users WHERE name='' OR 1=1 --'";

function session(...client: Uint8Array[]): string[] {
  const f = s.flow(APP.PostgreSQL);
  return threats(f.data("c", cat(startup(), ...client)));
}

describe("PostgreSQL", () => {
  test("Query and Parse text", () => {
    expect(session(Q(ATTACK))).toEqual(["sql-injection"]);
    expect(session(P("s1", ATTACK), message("B", "\0s1\0\0\0\0\0\0\0"), message("E", "\0\0\0\0\0"), message("S", ""))).toEqual(["sql-injection"]);
    expect(session(P("", "select pg_sleep(10)"))).toEqual(["sql-injection"]);
  });

  test("the statement name and other messages are not SQL text", () => {
    expect(session(P("union--", "SELECT 1"), message("p", "x' union select 1 --\0"), message("d", "1 union all --"))).toEqual([]);
  });

  test("a legal session, split at every byte", () => {
    const all = cat(startup(), Q("SELECT * FROM a UNION SELECT * FROM b"), P("", "SELECT note FROM t WHERE note = 'union station'"), message("S", ""), Q(ATTACK), message("X", ""));
    for (let cut = 0; cut <= all.length; cut++) {
      expect(threats(feedSplit(s.flow(APP.PostgreSQL), "c", all, [cut])), `cut ${cut}`).toEqual(["sql-injection"]);
    }
  });

  test("SSLRequest: refused, then plaintext; accepted, then nothing", () => {
    const refused = s.flow(APP.PostgreSQL);
    refused.data("c", sslRequest);
    refused.data("s", "N");
    expect(threats(refused.data("c", cat(startup(), Q(ATTACK))))).toEqual(["sql-injection"]);
    const accepted = s.flow(APP.PostgreSQL);
    accepted.data("c", sslRequest);
    accepted.data("s", "S");
    expect(accepted.data("c", cat(startup(), Q(ATTACK)))).toEqual([]);
    // The answer not seen yet: a TLS record from the client means it was yes.
    const early = s.flow(APP.PostgreSQL);
    early.data("c", sslRequest);
    expect(early.data("c", cat([0x16, 3, 1, 0, 40], Q(ATTACK)))).toEqual([]);
  });

  test("bytes that are not the protocol", () => {
    expect(threats(s.flow(APP.PostgreSQL).data("c", cat(be32(16), be32(0x04d2162e), be32(1), be32(2), Q(ATTACK))))).toEqual([]);
    expect(session(message("Z", "x"), Q(ATTACK))).toEqual([]);
    expect(session(cat("Q", be32(2)), Q(ATTACK))).toEqual([]);
  });
});

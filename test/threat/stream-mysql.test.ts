/**
 * MySQL detectors (asm/threat/mysql.ts) on crafted sessions: a login refused with 1044, 1045 or
 * 1698 (also after an auth switch), other errors and later errors not, COM_QUERY and
 * COM_STMT_PREPARE text to the SQL injection matcher through packet framing split anywhere,
 * a query continued over a 16 MB packet boundary, and sessions that turn to TLS or compression.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, latin1, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const le = (v: number, n: number) => Array.from({ length: n }, (_, i) => (v >> (8 * i)) & 0xff);
const packet = (seq: number, payload: Uint8Array | number[] | string) => {
  const p = typeof payload === "string" ? latin1(payload) : Uint8Array.from(payload);
  return cat([...le(p.length, 3), seq], p);
};
const greeting = packet(0, cat([10], "8.0.36\0", le(7, 4), "abcdefgh\0", le(0xffff, 2), [255], le(2, 2), le(0xdfff, 2), [21], new Array(10).fill(0), "ijklmnopqrst\0mysql_native_password\0"));
const CAPS = 0x000fa68d & ~0x0800 & ~0x0020;
const login = (caps = CAPS, user = "bob") => packet(1, cat(le(caps, 4), le(1 << 24, 4), [33], new Array(23).fill(0), `${user}\0`, [20], new Array(20).fill(1), "mysql_native_password\0"));
const ok = (seq = 2) => packet(seq, [0, 0, 0, 2, 0, 0, 0]);
const err = (code: number, msg: string, seq = 2) => packet(seq, cat([0xff], le(code, 2), "#28000", msg));
const authSwitch = packet(2, cat([0xfe], "mysql_native_password\0", new Array(20).fill(2), [0]));
const query = (text: string, cmd = 3) => packet(0, cat([cmd], text));

/** A session: greeting, login, the server's answers, then client bytes. Findings of all of it. */
function run(server: Uint8Array[], client: Uint8Array[] = []): string[] {
  const f = s.flow(APP.MySQL);
  const out = [...f.data("s", greeting), ...f.data("c", login())];
  for (const b of server) out.push(...f.data("s", b));
  for (const b of client) out.push(...f.data("c", b));
  return threats(out);
}

describe("access deny", () => {
  test("1045 after the login, with the server's message as evidence", () => {
    const f = s.flow(APP.MySQL);
    f.data("s", greeting);
    f.data("c", login());
    const d = f.data("s", err(1045, "Access denied for user 'bob'@'10.0.0.7' (using password: YES)"));
    expect(threats(d)).toEqual(["mysql-access-deny"]);
    expect(d[0]!.evidence).toBe("error 1045: Access denied for user 'bob'@'10.0.0.7' (using password: YES)".slice(0, 64));
  });

  test("1044 and MariaDB's 1698; other login errors are not", () => {
    expect(run([err(1044, "Access denied for user 'bob'@'%' to database 'x'")])).toEqual(["mysql-access-deny"]);
    expect(run([err(1698, "Access denied for user 'root'@'localhost'")])).toEqual(["mysql-access-deny"]);
    expect(run([err(1040, "Too many connections")])).toEqual([]);
    expect(run([err(1130, "Host is not allowed to connect")])).toEqual([]);
  });

  test("after an auth switch round trip", () => {
    expect(run([authSwitch, err(1045, "Access denied", 4)], [packet(3, new Array(20).fill(9))])).toEqual(["mysql-access-deny"]);
    // The client's auth-switch answer arriving before the verdict changes nothing.
    const f = s.flow(APP.MySQL);
    f.data("s", greeting);
    f.data("c", login());
    f.data("s", authSwitch);
    f.data("c", packet(3, new Array(20).fill(9)));
    expect(threats(f.data("s", err(1045, "Access denied", 4)))).toEqual(["mysql-access-deny"]);
  });

  test("an ERR after a successful login is not a refused login", () => {
    expect(run([ok(), err(1045, "Access denied", 1)], [query("SELECT 1")])).toEqual([]);
  });

  test("the whole session split at every byte of each direction", () => {
    const server = cat(greeting, authSwitch, err(1045, "Access denied for user 'bob'"));
    for (let cut = 0; cut <= server.length; cut++) {
      const f = s.flow(APP.MySQL);
      const out = [...f.data("s", server.subarray(0, greeting.length)), ...feedSplit(f, "c", login(), [cut % 40])];
      out.push(...feedSplit(f, "s", server.subarray(greeting.length), [Math.max(0, cut - greeting.length)]));
      expect(threats(out), `cut ${cut}`).toEqual(["mysql-access-deny"]);
    }
  });
});

describe("SQL injection in commands", () => {
  const attack = "SELECT name FROM users WHERE id='' UNION SELECT password FROM admins -- '";

  test("COM_QUERY and COM_STMT_PREPARE", () => {
    expect(run([ok()], [query(attack)])).toEqual(["sql-injection"]);
    expect(run([ok()], [query(attack, 0x16)])).toEqual(["sql-injection"]);
    // Other commands carry no SQL text.
    expect(run([ok()], [query(attack, 0x02)])).toEqual([]);
  });

  test("legal queries", () => {
    expect(run([ok()], [query("SELECT name FROM t WHERE note = 'union station'"), query("SELECT * FROM a UNION SELECT * FROM b"), query("SELECT @@version_comment LIMIT 1")])).toEqual([]);
  });

  test("several commands per segment, split at every byte", () => {
    const client = cat(query("SELECT 1"), packet(0, [0x0e]), query(attack), query("SELECT sleep(5)"));
    for (let cut = 0; cut <= client.length; cut++) {
      const f = s.flow(APP.MySQL);
      f.data("s", greeting);
      f.data("c", login());
      f.data("s", ok());
      expect(threats(feedSplit(f, "c", client, [cut])), `cut ${cut}`).toEqual(["sql-injection", "sql-injection"]);
    }
  });

  test("a query continued after a 16 MB packet", () => {
    const first = new Uint8Array(0xffffff).fill(0x20);
    first[0] = 3;
    first.set(latin1("SELECT 1 UNION SELECT 2"), 1);
    const stream = cat(packet(0, first), packet(1, " -- tail"), query("SELECT 1"));
    const f = s.flow(APP.MySQL);
    f.data("s", greeting);
    f.data("c", login());
    f.data("s", ok());
    const cuts = Array.from({ length: Math.ceil(stream.length / 200_000) }, (_, i) => i * 200_000);
    expect(threats(feedSplit(f, "c", stream, cuts))).toEqual(["sql-injection"]);
  });

  test("a session that turns to TLS or compression is left alone", () => {
    const SSL = 0x0800;
    const tlsFlow = s.flow(APP.MySQL);
    tlsFlow.data("s", greeting);
    tlsFlow.data("c", packet(1, cat(le(CAPS | SSL, 4), le(1 << 24, 4), [33], new Array(23).fill(0))));
    expect(tlsFlow.data("c", query(attack))).toEqual([]);
    const zip = s.flow(APP.MySQL);
    zip.data("s", greeting);
    zip.data("c", login(CAPS | 0x0020));
    zip.data("s", ok());
    expect(zip.data("c", query(attack))).toEqual([]);
  });

  test("a client that speaks before any greeting is not followed", () => {
    const f = s.flow(APP.MySQL);
    expect(f.data("c", query(attack))).toEqual([]);
    f.data("s", greeting);
    expect(f.data("s", err(1045, "Access denied"))).toEqual([]);
  });
});

/**
 * The SQL injection matcher (asm/threat/sql.ts) over whole query texts: each of the eight
 * patterns fires once with its fragment as evidence, and legal queries that contain the same
 * words (in literals, comments, other identifiers, without the comment tail) do not.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { loadStream, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const ATTACKS: [string, string, string][] = [
  ["tautology with quoted tokens", "SELECT * FROM users WHERE name='adam' or 'x' = 'x'", "[or tautology]"],
  ["tautology with numbers", "SELECT * FROM users WHERE id='' OR 1=1", "[or tautology]"],
  ["tautology with double quotes", 'select * from t where a=\'1\' or "z"="z"', "[or tautology]"],
  ["tautology, token longer than the one compared", "SELECT * FROM t WHERE a='' or abc=abcd", "[or tautology]"],
  ["tautology after a failed attempt at the token's quote", "SELECT * FROM t WHERE a='' or 'q' or k=k", "[or tautology]"],
  ["sleep", "SELECT * FROM u WHERE id=1 AND SLEEP(5)", "[sleep]"],
  ["sleep with spaces", "select 1 and sleep ( 12 )", "[sleep]"],
  ["pg_sleep", "SELECT pg_sleep(10)", "[sleep]"],
  ["sqlmap's __TIME__ placeholder", "select * from t where u = '' or sleep(__TIME__)='", "[sleep]"],
  ["benchmark with many rounds", "SELECT BENCHMARK(5000000, MD5('x'))", "[benchmark]"],
  ["benchmark with a comment tail", "SELECT BENCHMARK(100, MD5(1)) -- x", "[benchmark, comment]"],
  ["waitfor delay", "SELECT 1; WAITFOR DELAY '0:0:5'--", "[waitfor delay]"],
  ["union after a closing quote", "SELECT name FROM t WHERE id='' UNION SELECT password FROM users --", "[union, comment]"],
  ["union after 1, hash comment", "SELECT 1 UNION SELECT @@version #", "[union, comment]"],
  ["union with a =' tail", "SELECT a FROM t WHERE id=1 union select b from u where c='", "[union, comment]"],
  ["exec", "EXEC master..xp_cmdshell 'dir' --", "[exec, comment]"],
  ["execute with a block comment", "SELECT * FROM t WHERE a='x'; execute sp_who /* y", "[exec, comment]"],
  ["or 1=1", "SELECT * FROM t WHERE a = 2 OR 1=1 --", "[or 1=1, comment]"],
];

const LEGAL: [string, string][] = [
  ["union in a literal", "SELECT name FROM t WHERE note = 'union station'"],
  ["union in a literal with a later =' tail", "SELECT name FROM t WHERE note = 'union station' AND b='x'"],
  ["union without a comment", "SELECT * FROM a UNION SELECT * FROM b"],
  ["union and a comment on the next line", "SELECT 1 UNION SELECT 2\n-- totals"],
  ["union in a comment", "SELECT 1 /* 1 union */ FROM t WHERE a='x'"],
  ["a column named like sleep", "SELECT sleep_minutes FROM t"],
  ["a column named like benchmark", "SELECT benchmark_result FROM t -- note"],
  ["exec inside an identifier", "SELECT * FROM executions WHERE state='done'"],
  ["exec inside a literal", "INSERT INTO log VALUES ('exec --')"],
  ["a comment marker inside a literal", "SELECT * FROM t WHERE s = '-- no' OR exec_id = 3"],
  ["or without a tautology", "SELECT * FROM orders WHERE note = 'x' OR status = 'open'"],
  ["backslash-escaped quote", "SELECT * FROM users WHERE name = 'O\\'Brien -- x' OR 1 = 2"],
  ["doubled quote", "SELECT * FROM t WHERE a = 'it''s' -- trailing comment"],
  ["benchmark without a comment", "SELECT BENCHMARK(10, 1)"],
  ["waitfor without delay", "WAITFOR TIME '22:20' --"],
  ["or 1=10 would need a tail", "SELECT * FROM t WHERE a = 2 OR 1=1"],
  ["update with a comment", "UPDATE t SET a = 1 WHERE id = 2 -- fix #12"],
];

describe("SQL injection patterns", () => {
  test.each(ATTACKS)("%s", (_, text, label) => {
    const f = s.sql(text);
    expect(f.map((x) => x.threat)).toEqual(["sql-injection"]);
    expect(f[0]!.evidence.endsWith(` ${label}`)).toBe(true);
  });

  test.each(LEGAL)("legal: %s", (_, text) => {
    expect(s.sql(text)).toEqual([]);
  });

  test("the evidence is the text up to the match, clipped to 40 characters", () => {
    const text = "SELECT name, email, created FROM customers WHERE id=7 AND SLEEP(5) AND 1";
    const end = text.indexOf("(5)") + 3;
    const [f] = s.sql(text);
    expect(f!.evidence).toBe(`${text.slice(end - 40, end)} [sleep]`);
  });

  test("one finding per query, however many patterns match", () => {
    expect(s.sql("SELECT 1 UNION SELECT sleep(5) -- '; exec x --")).toHaveLength(1);
  });

  test("the tautology must follow SELECT at the start of the text", () => {
    expect(s.sql("DELETE FROM t WHERE a='' or 'x'='x'")).toEqual([]);
    expect(s.sql("  \n select * from t where a='' or 'x'='x'")).toHaveLength(1);
  });

  test("legal queries that fire, as in NeuVector (docs/threats-parsers.md)", () => {
    expect(s.sql("SELECT 1 UNION SELECT 2 -- note")).toHaveLength(1);
    expect(s.sql("EXEC sp_x @a='v'")).toHaveLength(1);
    expect(s.sql("SELECT pg_sleep(1)")).toHaveLength(1);
  });

  test("MySQL query attributes before the text do not hide the tautology", () => {
    expect(s.sql("\x00\x01SELECT * FROM t WHERE a='' or 'x'='x'")).toHaveLength(1);
  });

  test("backslash escapes are MySQL's only", () => {
    const text = "SELECT * FROM t WHERE a = 'x\\' UNION SELECT 1 --'";
    expect(s.sql(text, true)).toEqual([]);
    expect(s.sql(text, false)).toHaveLength(1);
  });
});

/**
 * Fuzz: every stream parser on random bytes and on mutated real sessions (the capture fixtures'
 * pieces with bytes flipped, overwritten, inserted, deleted), each payload placed flush against
 * the end of linear memory so that a read past it traps, cut at random points. No input traps or
 * hangs, findings stay within what the parser can report, and cutting the same bytes differently
 * gives the same threats (the one documented exception: a DNS loop pointer over TCP is followed
 * only when its message is in one segment). `THREAT_FUZZ_SCALE=20` runs longer.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { APPS } from "../../common/apps.js";
import { fixtureFlows } from "../dpi/manifest.js";
import { mutate, type Mutation, payloadEdits } from "../packet/mutate.js";
import { APP, inOrderPieces, loadStream, TCP, UDP, type Finding, type Stream } from "./harness.js";

const SCALE = Number(process.env.THREAT_FUZZ_SCALE ?? 1);
/** FINDINGS_MAX of asm/threat/found.ts: a call keeps its first findings only. */
const FINDINGS_MAX = 4;

/** What each parser family may report. */
const REPORTS: Record<number, string[]> = {
  1: ["dns-zone-transfer", "dns-null-type", "dns-overflow", "dns-loop-pointer"],
  2: ["http-negative-length", "http-smuggling", "http-slowloris", "struts-rce"],
  3: ["ssl-heartbleed", "ssl-cipher-overflow", "ssl-v2-v3", "tls-1.0", "tls-1.1"],
  4: ["mysql-access-deny", "sql-injection"],
  5: ["sql-injection"],
  6: ["sql-injection"],
  7: ["sql-injection"],
};
const APPS_READ = [APP.DNS, APP.HTTP, APP.nginx, APP.SSL, APP.MySQL, APP.PostgreSQL, APP.TDS, APP.TNS];
/** Every application with a parser (HTTP servers and HTTP APIs included). */
const WANTED = ["DNS", "SSL", "MySQL", "PostgreSQL", "TDS", "TNS", "HTTP", "Apache", "nginx", "Jetty", "NodeJS", "Wordpress", "CouchDB", "ElasticSearch", "Consul"];
const wantedIds = WANTED.map((n) => APPS.find((a) => a.name === n)!.id);

type Piece = { dir: 0 | 1; bytes: Uint8Array };
interface Session {
  name: string;
  app: number;
  proto: number;
  pieces: Piece[];
}

const real: Session[] = fixtureFlows()
  .map((f) => ({ name: `${f.file} #${f.index}`, app: APPS.find((a) => a.name === f.app)?.id ?? 0, proto: f.flow.proto, pieces: inOrderPieces(f.flow) }))
  .filter((f) => wantedIds.includes(f.app) && f.pieces.length > 0);

let s: Stream;
let plain: Stream;
/** dns-overflow.size at its minimum, so that generated messages reach the overflow check. */
let small: Stream;
beforeAll(async () => {
  s = await loadStream(true);
  plain = await loadStream();
  small = await loadStream(true);
  small.setParam("dns-overflow", 0, 512);
});

/** Feed pieces (each cut at `cuts`, offsets into it) to a new flow; every finding checked. */
function run(st: Stream, ses: Session, cuts: number[][] = []): Finding[] {
  const flow = st.flow(ses.app, ses.proto);
  const family = st.ex.streamFamily(ses.app);
  const out: Finding[] = [];
  ses.pieces.forEach((p, i) => {
    const at = ses.proto === UDP ? [] : [...new Set(cuts[i] ?? [])].filter((c) => c > 0 && c < p.bytes.length).sort((a, b) => a - b);
    let from = 0;
    for (const c of [...at, p.bytes.length]) {
      const got = flow.data(p.dir === 0 ? "c" : "s", p.bytes.subarray(from, c), BigInt(i) * 1000n);
      for (const f of got) {
        expect(REPORTS[family], `${ses.name}: ${f.threat}`).toContain(f.threat);
        expect(f.evidence.length).toBeLessThanOrEqual(64);
      }
      expect(got.length).toBeLessThanOrEqual(FINDINGS_MAX);
      out.push(...got);
      from = c;
    }
  });
  flow.tick(BigInt(ses.pieces.length) * 1000n);
  return out;
}

/** The same bytes cut differently give the same threats (see the file comment). */
function sameThreats(ses: Session, whole: Finding[], split: Finding[]): void {
  const skip = (t: string) => ses.app === APP.DNS && ses.proto === TCP && t === "dns-loop-pointer";
  const w = new Set(whole.map((f) => f.threat).filter((t) => !skip(t)));
  const p = new Set(split.map((f) => f.threat).filter((t) => !skip(t)));
  if (whole.length < FINDINGS_MAX) expect([...p].sort(), ses.name).toEqual([...w].sort());
  else for (const t of w) expect(p.has(t)).toBe(true);
}

/** Flip, overwrite, insert, delete or cut bytes. */
const edit = (b: Uint8Array, edits: Mutation[]) => mutate(b, edits, { end: true });
const arbEdits = payloadEdits(8);
const arbCuts = fc.array(fc.array(fc.nat({ max: 4096 }), { maxLength: 4 }), { maxLength: 40 });

describe("stream parsers never trap", () => {
  test("real sessions as captured, cut anywhere", () => {
    expect(real.length).toBeGreaterThan(40);
    fc.assert(
      fc.property(fc.constantFrom(...real), arbCuts, (ses, cuts) => {
        const whole = run(s, ses);
        sameThreats(ses, whole, run(s, ses, cuts));
      }),
      { numRuns: 300 * SCALE, seed: 0x7e55 + SCALE },
    );
  });

  test("mutated real sessions", () => {
    fc.assert(
      fc.property(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), arbEdits), { minLength: 1, maxLength: 4 }), arbCuts, (ses, edits, cuts) => {
        const pieces = ses.pieces.map((p) => ({ ...p }));
        for (const [which, e] of edits) {
          const i = which % pieces.length;
          pieces[i] = { dir: pieces[i]!.dir, bytes: edit(pieces[i]!.bytes, e) };
        }
        const m = { ...ses, pieces };
        sameThreats(m, run(s, m), run(s, m, cuts));
      }),
      { numRuns: 1500 * SCALE, seed: 0x7e56 + SCALE },
    );
  });

  test("random bytes for every application, both directions, TCP and UDP", () => {
    const arbPiece = fc.record({ dir: fc.constantFrom<0 | 1>(0, 1), bytes: fc.uint8Array({ maxLength: 600 }) });
    fc.assert(
      fc.property(fc.constantFrom(...APPS_READ), fc.constantFrom(TCP, UDP, TCP), fc.array(arbPiece, { minLength: 1, maxLength: 6 }), arbCuts, (app, proto, pieces, cuts) => {
        const ses = { name: `random ${app}/${proto}`, app, proto, pieces };
        sameThreats(ses, run(s, ses), run(s, ses, cuts));
      }),
      { numRuns: 2000 * SCALE, seed: 0x7e57 + SCALE },
    );
  });

  test("protocol openings followed by random bytes", () => {
    // Real first bytes drive each parser past its first checks before the noise.
    const openings = real.map((r) => ({ ...r, pieces: r.pieces.slice(0, 3) }));
    fc.assert(
      fc.property(fc.constantFrom(...openings), fc.array(fc.record({ dir: fc.constantFrom<0 | 1>(0, 1), bytes: fc.uint8Array({ minLength: 1, maxLength: 3000 }) }), { maxLength: 4 }), arbCuts, (ses, noise, cuts) => {
        const m = { ...ses, pieces: [...ses.pieces, ...noise] };
        sameThreats(m, run(s, m), run(s, m, cuts));
      }),
      { numRuns: 800 * SCALE, seed: 0x7e58 + SCALE },
    );
  });

  test("the SQL matcher on random text and mutated attacks", () => {
    const attacks = ["SELECT * FROM u WHERE a='' or 'x'='x'", "1' AND SLEEP(5)#", "SELECT BENCHMARK(100,1) --", "'; WAITFOR DELAY '0:0:5'--", "' UNION SELECT 1 --", "exec xp_cmdshell 'x' --", "a OR 1=1 /*"];
    const arbText = fc.oneof(
      fc.string({ maxLength: 200 }).map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff)),
      fc.tuple(fc.constantFrom(...attacks), arbEdits).map(([a, e]) => edit(Uint8Array.from(a, (c) => c.charCodeAt(0)), e)),
      fc.uint8Array({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(arbText, fc.boolean(), (text, mysql) => {
        const f = s.sql(text, mysql);
        expect(f.length).toBeLessThanOrEqual(1);
        for (const x of f) expect(x.threat).toBe("sql-injection");
      }),
      { numRuns: 3000 * SCALE, seed: 0x7e59 + SCALE },
    );
  });
});

describe("the contract", () => {
  test("each parser's state stays below the owner byte", () => {
    const owner = Number(plain.ex.STREAM_STATE_BYTES.value) - 1;
    for (let f = 1; f <= 7; f++) expect(plain.ex.familyStateBytes(f), `family ${f}`).toBeLessThanOrEqual(owner);
  });

  test("streamWanted: the applications with a parser", () => {
    const wanted = APPS.filter((a) => plain.ex.streamWanted(a.id) !== 0).map((a) => a.name);
    expect(wanted.sort()).toEqual([...WANTED].sort());
    expect(plain.ex.streamWanted(0xffff)).toBe(0);
  });

  test("an application that changes family midway is left alone", () => {
    const http = plain.flow(APP.HTTP);
    http.data("c", "GET / HTTP/1.1\r\n");
    // The same state handed to the TLS parser: ignored, not misread.
    const heartbeat = Uint8Array.of(24, 3, 2, 0, 3, 1, 0x40, 0);
    expect(plain.flow(APP.SSL, TCP, http.at).data("c", heartbeat)).toEqual([]);
    expect(plain.flow(APP.SSL).data("c", heartbeat).map((x) => x.threat)).toEqual(["ssl-heartbleed"]);
    // HTTP servers share the HTTP parser's state.
    expect(plain.flow(APP.nginx, TCP, http.at).data("c", "Content-Length: -1\r\n\r\n").map((x) => x.threat)).toEqual(["http-negative-length"]);
  });

  test("empty payloads and other protocols do nothing", () => {
    for (const app of APPS_READ) {
      const f = plain.flow(app, TCP);
      expect(f.data("c", new Uint8Array(0))).toEqual([]);
      expect(f.state().every((b) => b === 0 || app === APP.HTTP || b === plain.ex.streamFamily(app))).toBe(true);
      const icmp = plain.flow(app, 1);
      expect(icmp.data("c", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")).toEqual([]);
    }
  });
});

/**
 * Structure-aware inputs reach the parsers' deeper states: streams assembled from protocol pieces
 * (request lines, headers, numbers, chunk framing, SQL keywords and quotes, DNS names and
 * pointers, TLS records and hello fields), cut at random points, must give the same threats as
 * the same bytes whole.
 */
describe("grammar fuzz: cut anywhere, same threats", () => {
  /** Cases with findings: the property must not hold only because nothing is ever found. */
  let hits = 0;
  const count = (f: Finding[]) => {
    if (f.length > 0) hits++;
    return f;
  };
  const enough = (runs: number) => {
    expect(hits, "cases with findings").toBeGreaterThan(runs / 50);
    hits = 0;
  };
  const soup = (pieces: string[], max: number) => fc.array(fc.constantFrom(...pieces), { maxLength: max }).map((p) => p.join(""));
  const bytesOf = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0) & 0xff);

  test("HTTP requests", () => {
    const arbHeader = fc.constantFrom(
      "Content-Length: 5", "Content-Length: 5", "Content-Length: -1", "Content-Length: 5, 6", "content-length:5,5", "Content-Length: 6",
      "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Upgrade: h2c", "X-A: b", "Content-Type: application/xml", " folded",
    );
    const arbChunk = fc.oneof(
      fc.constantFrom("3\r\nabc\r\n", "5;x=y\r\n<cmd>\r\n", "8000000000000000\r\n", "10000000000000000\r\n", "z\r\n"),
      fc.constantFrom('class="java.lang.ProcessBuilder">', "<command>", "<string>/bin/sh</string>", " ").map((t) => `${t.length.toString(16)}\r\n${t}\r\n`),
    );
    const arbBody = fc.array(fc.constantFrom('class="java.lang.ProcessBuilder">', "<command>", "\n", "<string>/bin/sh</string>", "abc"), { maxLength: 5 }).map((p) => p.join(""));
    const arbRequest = fc
      .tuple(fc.constantFrom("GET / HTTP/1.1", "POST /x HTTP/1.1", "PUT /y HTTP/1.0", "CONNECT h:1 HTTP/1.1", "GET / HTTP/2.0", "BAD"), fc.array(arbHeader, { maxLength: 4 }), fc.array(arbChunk, { maxLength: 4 }), arbBody, fc.boolean())
      .map(([line, headers, chunks, body, endChunks]) => {
        const chunked = headers.some((h) => h.endsWith("chunked"));
        const payload = chunked ? `${chunks.join("")}${endChunks ? "0\r\n\r\n" : ""}` : body;
        const cl = chunked ? headers : headers.map((h) => (h === "Content-Length: 5" ? `Content-Length: ${payload.length}` : h));
        return `${line}\r\n${cl.map((h) => `${h}\r\n`).join("")}\r\n${payload}`;
      });
    fc.assert(
      fc.property(fc.array(arbRequest, { minLength: 1, maxLength: 4 }), arbCuts, (reqs, cuts) => {
        const text = reqs.join("");
        const ses = { name: `http ${JSON.stringify(text)}`, app: APP.HTTP, proto: TCP, pieces: [{ dir: 0 as const, bytes: bytesOf(text) }] };
        sameThreats(ses, count(run(s, ses)), run(s, ses, cuts));
      }),
      { numRuns: 3000 * SCALE, seed: 0x7e60 + SCALE },
    );
    enough(3000 * SCALE);
  });

  const sqlPieces = [
    "SELECT ", "select", " ", "'", '"', "`", "or", "OR ", "1", "=", "x", "abc", "union", "UNION", "--", "-", "#", "/*", "*/", "\n", "sleep(", "5", ")",
    "benchmark(", "99999", ",", "exec", "execute ", "waitfor", " delay", "\\", ";", "(", "__TIME__",
  ];

  test("SQL in PostgreSQL Query messages", () => {
    const be32 = (v: number) => [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    const startup = Uint8Array.from([...be32(16), ...be32(0x30000), ...bytesOf("user\0x\0\0")]);
    const q = (t: string) => Uint8Array.from([0x51, ...be32(t.length + 5), ...bytesOf(t), 0]);
    fc.assert(
      fc.property(fc.array(soup(sqlPieces, 30), { minLength: 1, maxLength: 3 }), arbCuts, (texts, cuts) => {
        const stream = Uint8Array.from([...startup, ...texts.flatMap((t) => [...q(t)])]);
        const ses = { name: `pgsql ${JSON.stringify(texts)}`, app: APP.PostgreSQL, proto: TCP, pieces: [{ dir: 0 as const, bytes: stream }] };
        const whole = count(run(s, ses));
        sameThreats(ses, whole, run(s, ses, cuts));
        // The framed texts find what the matcher finds on each text alone.
        const alone = texts.filter((t) => s.sql(bytesOf(t), false).length > 0).length;
        expect(whole.length).toBe(alone);
      }),
      { numRuns: 3000 * SCALE, seed: 0x7e61 + SCALE },
    );
    enough(3000 * SCALE);
  });

  test("the tautology automaton against a regular expression", () => {
    // NeuVector's pattern 1 as nvp reads it: leading blanks allowed, `.*` across lines.
    const re = /^[\x00-\x20]*select[^]*'\s+or\s+((?:'|")?[0-9a-z_]+(?:'|")?)\s*=\s*\1/i;
    const arbWord = fc.constantFrom("x", "X", "1", "ab", "abc", "a_1", "Ab");
    const arbQuote = fc.constantFrom("", "", "'", '"');
    const arbSpace = fc.constantFrom("", " ", "  ", "\n", "\t");
    const arbToken = fc.tuple(arbQuote, arbWord, arbQuote).map((t) => t.join(""));
    const arbNoise = fc.array(fc.constantFrom("'", " ", "or", "=", "x", "'x'", "\n", "1"), { maxLength: 4 }).map((p) => p.join(""));
    const arbText = fc
      .tuple(fc.constantFrom("SELECT * FROM t WHERE a=", " select 1 where b=", "DELETE FROM t WHERE a="), arbNoise, fc.constantFrom("'", "' ", "x"), arbSpace, fc.constantFrom("or", "OR", "oR", "and"), arbSpace, arbToken, arbSpace, fc.constantFrom("=", "==", "<"), arbSpace, fc.oneof(arbToken, fc.constant("")), arbNoise)
      .map(([head, n1, q, s1, or, s2, a, s3, eq, s4, b, n2]) => `${head}${n1}${q}${s1}${or}${s2}${a}${s3}${eq}${s4}${b === "" ? a : b}${n2}`);
    fc.assert(
      fc.property(arbText, (text) => {
        const f = s.sql(bytesOf(text), true);
        const tautology = f.some((x) => x.evidence.endsWith("[or tautology]"));
        if (re.test(text)) expect(f.length, text).toBe(1);
        if (tautology) expect(re.test(text), text).toBe(true);
        if (tautology) hits++;
      }),
      { numRuns: 5000 * SCALE, seed: 0x7e62 + SCALE },
    );
    enough(5000 * SCALE);
  });

  test("DNS messages over TCP", () => {
    const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
    const arbName = fc.tuple(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 80 }))).map(([labels, ptr]) => [
      ...labels.flatMap((n) => [n, ...new Array(n).fill(0x61)]),
      ...(ptr === null ? [0] : [0xc0, ptr]),
    ]);
    const arbType = fc.constantFrom(1, 5, 10, 16, 28, 41, 251, 252, 255, 0x4000);
    const arbQuestion = fc.tuple(arbName, arbType).map(([n, t]) => [...n, ...u16(t), 0, 1]);
    const arbRecord = fc.tuple(arbName, arbType, fc.integer({ min: 0, max: 30 }), fc.integer({ min: -2, max: 2 })).map(([n, t, len, skew]) => [
      ...n, ...u16(t), 0, 1, 0, 0, 0, 9, ...u16(Math.max(0, len + skew)), ...new Array(len).fill(0x62),
    ]);
    const arbMessage = fc
      .tuple(fc.boolean(), fc.constantFrom(0, 0, 1, 3, 4, 6), fc.array(arbQuestion, { maxLength: 3 }), fc.array(arbRecord, { maxLength: 4 }), fc.integer({ min: -1, max: 1 }), fc.integer({ min: 0, max: 1500 }), fc.integer({ min: -3, max: 3 }))
      .map(([qr, op, qs, rs, countSkew, junk, lenSkew]) => {
        const body = [0, 7, (qr ? 0x80 : 0) | (op << 3), 0, ...u16(Math.max(0, qs.length + countSkew)), ...u16(rs.length), 0, 0, 0, 0, ...qs.flat(), ...rs.flat(), ...new Array(junk).fill(0)];
        return [...u16(Math.max(0, body.length + lenSkew)), ...body];
      });
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 4 }), fc.constantFrom<0 | 1>(0, 1), arbCuts, (msgs, dir, cuts) => {
        const ses = { name: "dns", app: APP.DNS, proto: TCP, pieces: [{ dir, bytes: Uint8Array.from(msgs.flat()) }] };
        sameThreats(ses, count(run(small, ses)), run(small, ses, cuts));
      }),
      { numRuns: 3000 * SCALE, seed: 0x7e63 + SCALE },
    );
    enough(3000 * SCALE);
  });

  test("TLS records", () => {
    const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
    const arbExt = fc.tuple(fc.constantFrom(43, 0, 11, 0xff01), fc.array(fc.constantFrom(3, 4, 1, 2, 0), { maxLength: 3 })).map(([t, d]) => [...u16(t), ...u16(d.length), ...d]);
    const arbHello = fc.tuple(fc.constantFrom(0x0300, 0x0301, 0x0302, 0x0303), fc.integer({ min: 0, max: 32 }), fc.array(arbExt, { maxLength: 3 }), fc.integer({ min: -2, max: 2 })).map(([v, sid, exts, skew]) => {
      const e = exts.flat();
      const body = [...u16(v), ...new Array(32).fill(1), sid, ...new Array(sid).fill(2), 0x13, 1, 0, ...u16(e.length), ...e];
      return [2, 0, ...u16(Math.max(0, body.length + skew)), ...body];
    });
    const arbHeartbeat = fc.tuple(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 40 })).map(([t, declared, pay]) => [t, ...u16(declared), ...new Array(pay).fill(0x41)]);
    const arbRecord = fc
      .tuple(fc.constantFrom(20, 21, 22, 23, 24, 22, 24), fc.constantFrom(0x0301, 0x0303, 0x0300), fc.oneof(arbHello, arbHeartbeat, fc.array(fc.nat({ max: 255 }), { maxLength: 20 })))
      .map(([t, v, payload]) => [t, ...u16(v), ...u16(payload.length), ...payload]);
    const arbV2 = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 33 })).map(([cs, sid, ch]) => {
      const body = [1, 0, 2, ...u16(cs), ...u16(sid), ...u16(ch), ...new Array(cs + ch).fill(9)];
      return [0x80 | (body.length >> 8), body.length & 0xff, ...body];
    });
    fc.assert(
      fc.property(fc.option(arbV2), fc.array(fc.tuple(fc.constantFrom<0 | 1>(0, 1), arbRecord), { minLength: 1, maxLength: 6 }), arbCuts, (v2, records, cuts) => {
        const pieces: Piece[] = [...(v2 ? [{ dir: 0 as const, bytes: Uint8Array.from(v2) }] : []), ...records.map(([dir, r]) => ({ dir, bytes: Uint8Array.from(r) }))];
        const ses = { name: "tls", app: APP.SSL, proto: TCP, pieces };
        sameThreats(ses, count(run(s, ses)), run(s, ses, cuts));
      }),
      { numRuns: 3000 * SCALE, seed: 0x7e64 + SCALE },
    );
    enough(3000 * SCALE);
  });
});

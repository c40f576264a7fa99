/**
 * HTTP request detectors (asm/threat/http.ts, stream-struts.ts) on crafted client streams:
 * negative Content-Length and chunk sizes, smuggling, the Struts XStream payload in the first
 * 2 KB of a body, slowloris timers with packet times, pipelined requests whose bodies are
 * skipped, every split giving the same findings, and the flows the parser leaves alone.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, latin1, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const MS = 1_000_000n;
const http = () => s.flow(APP.HTTP);
const send = (text: string | Uint8Array) => threats(http().data("c", text));
const post = (headers: string, body = "") => `POST /api HTTP/1.1\r\nHost: shop\r\n${headers}\r\n${body}`;

const STRUTS_BODY =
  '<map><entry><jdk.nashorn.internal.objects.NativeString><flags>0</flags><value class="com.sun.xml.internal.bind.v2.runtime.unmarshaller.Base64Data">' +
  '<dataHandler><dataSource class="com.sun.xml.internal.ws.encoding.xml.XMLMessage$XmlDataSource"><is class="javax.crypto.CipherInputStream">' +
  '<cipher class="javax.crypto.NullCipher"><initialized>false</initialized><opmode>0</opmode><serviceIterator class="javax.imageio.spi.FilterIterator">' +
  '<iter class="javax.imageio.spi.FilterIterator"><iter class="java.util.Collections$EmptyIterator"/><next class="java.lang.ProcessBuilder">\n' +
  "  <command>\n    <string>/bin/sh</string>\n    <string>-c</string>\n    <string>touch /tmp/pwned</string>\n  </command>\n" +
  "  <redirectErrorStream>false</redirectErrorStream></next></iter></serviceIterator></cipher></is></dataSource></dataHandler></value></jdk.nashorn.internal.objects.NativeString></entry></map>";

describe("negative body length", () => {
  test("a Content-Length below zero", () => {
    const f = http().data("c", post("Content-Length: -5\r\n"));
    expect(threats(f)).toEqual(["http-negative-length"]);
    expect(f[0]!.evidence).toBe("Content-Length below zero");
  });

  test("a chunk size of 2^63 or more", () => {
    const chunked = (size: string) => post("Transfer-Encoding: chunked\r\n", `${size}\r\nabc`);
    expect(send(chunked("8000000000000000"))).toEqual(["http-negative-length"]);
    expect(send(chunked("ffffffffffffffff;ext=1"))).toEqual(["http-negative-length"]);
    expect(send(chunked("10000000000000000"))).toEqual(["http-negative-length"]);
    expect(send(chunked("7fffffffffffffff"))).toEqual([]);
    expect(send(chunked("000000000000000000000003"))).toEqual([]);
  });

  test("legal lengths", () => {
    expect(send(post("Content-Length: 0\r\n"))).toEqual([]);
    expect(send(post("Content-Length: +3\r\n", "abc"))).toEqual([]);
    expect(send(post("content-length:3 \r\n", "abc"))).toEqual([]);
  });
});

describe("smuggling", () => {
  test("two Content-Length headers that differ", () => {
    const f = http().data("c", post("Content-Length: 5\r\nX-A: b\r\nContent-Length: 6\r\n", "hello!"));
    expect(threats(f)).toEqual(["http-smuggling"]);
    expect(f[0]!.evidence).toBe("Content-Length 5 and 6");
  });

  test("a list of two values that differ", () => {
    expect(send(post("Content-Length: 5, 6\r\n", "hello!"))).toEqual(["http-smuggling"]);
  });

  test("the same value twice is not smuggling", () => {
    expect(send(post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"))).toEqual([]);
    expect(send(post("Content-Length: 5,5\r\n", "hello"))).toEqual([]);
  });

  test("headers named like Content-Length are not it", () => {
    expect(send(post("Content-Length: 5\r\nX-Content-Length: 6\r\nContent-Lengths: 7\r\n", "hello"))).toEqual([]);
  });
});

describe("pipelined requests", () => {
  // Bodies that look like headers must be skipped, not parsed.
  const stream = cat(
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    post("Content-Length: 35\r\n", "Content-Length: -1\r\nContent-Length:"),
    post("Transfer-Encoding: chunked\r\n", "a\r\n0123456789\r\n14;x\r\nContent-Length: -9\r\n\r\n0\r\nTrailer: x\r\n\r\n"),
    "\r\n",
    post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"),
    "GET /next HTTP/1.1\r\n\r\n",
    post("Content-Length: -2\r\n"),
  );

  test("each request's headers are parsed, bodies skipped", () => {
    expect(threats(http().data("c", stream))).toEqual(["http-smuggling"]);
  });

  test("split at every byte, and byte by byte, the same", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(threats(feedSplit(http(), "c", stream, [cut])), `cut ${cut}`).toEqual(["http-smuggling"]);
    }
    const all = Array.from({ length: stream.length }, (_, i) => i);
    expect(threats(feedSplit(http(), "c", stream, all))).toEqual(["http-smuggling"]);
  });

  test("a negative length after pipelined requests", () => {
    const two = cat("GET /a HTTP/1.1\r\n\r\n", post("Content-Length: 2\r\n", "ok"), post("Content-Length: -1\r\n"));
    expect(threats(http().data("c", two))).toEqual(["http-negative-length"]);
  });
});

describe("Struts XStream RCE", () => {
  const xml = (body: string) => post(`Content-Type: application/xml\r\nContent-Length: ${body.length}\r\n`, body);

  test("the exploit body", () => {
    const f = http().data("c", xml(STRUTS_BODY));
    expect(threats(f)).toEqual(["struts-rce"]);
  });

  test("split at every byte", () => {
    const bytes = latin1(xml(STRUTS_BODY));
    for (let cut = 0; cut <= bytes.length; cut += 3) {
      expect(threats(feedSplit(http(), "c", bytes, [cut])), `cut ${cut}`).toEqual(["struts-rce"]);
    }
  });

  test("other shells, other cases and quotes", () => {
    expect(send(xml("<next class='java.lang.ProcessBuilder'><command><string>/bin/bash</string></command></next>"))).toEqual(["struts-rce"]);
    expect(send(xml('<next CLASS="JAVA.LANG.PROCESSBUILDER"> <COMMAND> <STRING>cmd.exe</STRING>'))).toEqual(["struts-rce"]);
    expect(send(xml('<a class="java.lang.ProcessBuilde"><next class="java.lang.ProcessBuilder"><command><string>sh</string>'))).toEqual(["struts-rce"]);
  });

  test("in a chunked body, across chunks", () => {
    const body = '<next class="java.lang.ProcessBuilder"><command><string>/bin/sh</string>';
    const chunks = `${(20).toString(16)}\r\n${body.slice(0, 20)}\r\n${(body.length - 20).toString(16)}\r\n${body.slice(20)}\r\n0\r\n\r\n`;
    expect(send(post("Transfer-Encoding: chunked\r\n", chunks))).toEqual(["struts-rce"]);
  });

  test("look-alikes and payloads past the first 2 KB", () => {
    expect(send(xml('<next class="java.lang.ProcessBuilder"><command><string>/usr/bin/id</string>'))).toEqual([]);
    expect(send(xml('<next class="java.lang.ProcessBuilder"><x/><command><string>/bin/sh</string>'))).toEqual([]);
    expect(send(xml('<p>class="java.lang.ProcessBuilder" is how you run /bin/sh</p>'))).toEqual([]);
    expect(send(xml(`${" ".repeat(2100)}${STRUTS_BODY}`))).toEqual([]);
  });

  test("each request of a connection gets its own 2 KB", () => {
    const first = xml("x".repeat(3000));
    expect(threats(http().data("c", cat(first, xml(STRUTS_BODY))))).toEqual(["struts-rce"]);
  });
});

describe("slowloris", () => {
  test("headers not complete after header-timeout", () => {
    const f = http();
    expect(f.data("c", "GET / HTTP/1.1\r\nHost: a\r\n", 1000n * MS)).toEqual([]);
    expect(f.tick(3900n * MS)).toEqual([]);
    const late = f.tick(4100n * MS);
    expect(threats(late)).toEqual(["http-slowloris"]);
    expect(late[0]!.evidence).toBe("request headers not complete after 3100 ms");
    expect(f.tick(9000n * MS)).toEqual([]);
  });

  test("the rest of the headers arriving late is reported when it arrives", () => {
    const f = http();
    f.data("c", "GET / HTTP/1.1\r\nHo", 0n);
    expect(threats(f.data("c", "st: a\r\n\r\n", 3500n * MS))).toEqual(["http-slowloris"]);
  });

  test("headers complete in time, then nothing", () => {
    const f = http();
    f.data("c", "GET / HTTP/1.1\r\n", 0n);
    f.data("c", "Host: a\r\n\r\n", 2000n * MS);
    expect(f.tick(60_000n * MS)).toEqual([]);
  });

  test("a body whose first byte is late", () => {
    const f = http();
    f.data("c", post("Content-Length: 10\r\n"), 0n);
    expect(f.tick(29_000n * MS)).toEqual([]);
    const late = f.tick(30_001n * MS);
    expect(threats(late)).toEqual(["http-slowloris"]);
    expect(late[0]!.evidence).toBe("no request body byte 30001 ms after the headers");
  });

  test("a slow but legal upload: body bytes keep coming", () => {
    const f = http();
    f.data("c", post("Content-Length: 10\r\n"), 0n);
    for (let i = 1; i <= 10; i++) expect(f.data("c", "x", BigInt(i) * 20_000n * MS), `byte ${i}`).toEqual([]);
    expect(f.tick(400_000n * MS)).toEqual([]);
  });

  test("a chunked body's first byte counts", () => {
    const f = http();
    f.data("c", post("Transfer-Encoding: chunked\r\n"), 0n);
    expect(f.data("c", "5", 10_000n * MS)).toEqual([]);
    expect(f.tick(100_000n * MS)).toEqual([]);
  });

  test("the timeouts are the threat's parameters", () => {
    s.setParam("http-slowloris", 0, 100);
    s.setParam("http-slowloris", 1, 200);
    try {
      const f = http();
      f.data("c", "GET / HTTP/1.1\r\n", 0n);
      expect(threats(f.tick(101n * MS))).toEqual(["http-slowloris"]);
      const g = http();
      g.data("c", post("Content-Length: 1\r\n"), 0n);
      expect(threats(g.tick(201n * MS))).toEqual(["http-slowloris"]);
    } finally {
      s.setParam("http-slowloris", 0, 3000);
      s.setParam("http-slowloris", 1, 30_000);
    }
  });

  test("each pipelined request starts its own header timer", () => {
    const f = http();
    f.data("c", "GET /1 HTTP/1.1\r\n\r\n", 0n);
    f.data("c", "GET /2 HTTP/1.1\r\n", 5000n * MS);
    expect(f.tick(7000n * MS)).toEqual([]);
    expect(threats(f.tick(8500n * MS))).toEqual(["http-slowloris"]);
  });
});

describe("what the parser leaves alone", () => {
  test("responses", () => {
    expect(threats(http().data("s", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\nContent-Length: 2\r\n\r\n"))).toEqual([]);
  });

  test("a stream that is not HTTP/1.x", () => {
    const f = http();
    expect(f.data("c", Uint8Array.of(0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5))).toEqual([]);
    expect(f.data("c", post("Content-Length: -1\r\n"))).toEqual([]);
    expect(send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nContent-Length: -1\r\n\r\n")).toEqual([]);
    expect(send("GET / HTTX/1.1\r\nContent-Length: -1\r\n\r\n")).toEqual([]);
    expect(send("GET / HTTP/1.1\r\nno colon here\r\nContent-Length: -1\r\n\r\n")).toEqual([]);
  });

  test("CONNECT tunnels and protocol upgrades", () => {
    expect(send(`CONNECT db:443 HTTP/1.1\r\nHost: db\r\n\r\n${post("Content-Length: -1\r\n")}`)).toEqual([]);
    expect(send(`GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n${post("Content-Length: -1\r\n")}`)).toEqual([]);
  });

  test("HTTP servers named from the Server header are HTTP", () => {
    expect(threats(s.flow(APP.nginx).data("c", post("Content-Length: -1\r\n")))).toEqual(["http-negative-length"]);
  });
});

/** readCapture over files and streams: chunking never changes the result, gzip, sources, early exit. */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { LINKTYPE, frameFor, parseCaptureBuffer, readCapture, writePcap } from "../../../runtime/capture/index.js";
import { block, chunked, collect, concat, epb, idb, ipv4, ipv6, outcome, plain, shb, spb } from "./build.js";

const dir = mkdtempSync(join(tmpdir(), "nvp-capture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const V4 = ipv4([172, 16, 0, 1], [172, 16, 0, 2], 100);
const V6 = ipv6(60);

/** A few captures of every shape the readers know, to be fed in every chunking. */
const CORPUS: Record<string, Uint8Array> = {
  pcapLe: writePcap(
    Array.from({ length: 7 }, (_, i) => ({ ts: BigInt(i) * 1_000_001_000n, data: frameFor(LINKTYPE.ETHERNET, i % 2 ? V4 : V6).subarray(0, 20 + i * 13) })),
    LINKTYPE.ETHERNET,
  ),
  pcapBeNs: writePcap([{ ts: 5n, data: V4 }, { ts: 6n, data: V6 }, { ts: 7n, data: new Uint8Array(0) }], LINKTYPE.RAW, { nanos: true, bigEndian: true }),
  pcapng: concat(
    shb(),
    idb(LINKTYPE.ETHERNET, { tsresol: 9 }),
    block(4, new Uint8Array(30)),
    epb(0, 10n, frameFor(LINKTYPE.ETHERNET, V4)),
    shb(false),
    idb(LINKTYPE.LINUX_SLL2, { le: false, snaplen: 64 }),
    spb(frameFor(LINKTYPE.LINUX_SLL2, V6).subarray(0, 64), 120, false),
    block(0xbad, new Uint8Array(301), false),
    epb(0, 11n, frameFor(LINKTYPE.LINUX_SLL2, V4), { le: false }),
  ),
};

describe("chunking never changes the result", () => {
  test.each(Object.entries(CORPUS))("%s fed one byte at a time", async (_name, bytes) => {
    const sync = parseCaptureBuffer(bytes);
    expect(sync.summary.error).toBeUndefined();
    const streamed = await collect(chunked(bytes, [1]));
    expect(plain(streamed.packets)).toEqual(plain(sync.packets));
    expect(outcome(streamed.summary)).toEqual(outcome(sync.summary));
    expect(streamed.summary.inputBytes).toBe(bytes.length);
  });

  test("random chunk sizes, whole and cut anywhere (property)", async () => {
    const names = Object.keys(CORPUS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (name, sizes, cutAt) => {
          const whole = CORPUS[name]!;
          const bytes = cutAt === undefined ? whole : whole.subarray(0, cutAt % (whole.length + 1));
          const sync = parseCaptureBuffer(bytes);
          const streamed = await collect(chunked(bytes, sizes));
          expect(plain(streamed.packets)).toEqual(plain(sync.packets));
          expect(outcome(streamed.summary)).toEqual(outcome(sync.summary));
        },
      ),
      { numRuns: 150 },
    );
  });

  test("a file path reads like the buffer, and knows its size", async () => {
    const bytes = CORPUS.pcapng!;
    const r = await collect(file("a.pcapng", bytes), { chunkBytes: 7 });
    expect(plain(r.packets)).toEqual(plain(parseCaptureBuffer(bytes).packets));
    expect(r.summary).toMatchObject({ inputSize: bytes.length, inputBytes: bytes.length, offset: bytes.length, gzip: false });
  });

  test("a block skipped while streaming is never buffered, however large", async () => {
    // 5 MiB is over the 1.3 MiB limit on blocks that are held in memory, so only a streamed skip passes.
    const big = concat(shb(), idb(LINKTYPE.RAW), block(0xbad, new Uint8Array(5 * 1024 * 1024)), epb(0, 1n, V4));
    const r = await collect(file("big-skip.pcapng", big), { chunkBytes: 64 * 1024 });
    expect(r.summary.error).toBeUndefined();
    expect(r.packets).toHaveLength(1);
    expect(r.summary.skipped).toEqual({ "pcapng:custom": 1 });
  });
});

describe("gzip", () => {
  const plainBytes = CORPUS.pcapLe!;
  const gz = gzipSync(plainBytes);
  const expected = parseCaptureBuffer(plainBytes);

  test("a .gz file streams through zlib; offsets count decompressed bytes", async () => {
    const r = await collect(file("a.pcap.gz", gz));
    expect(plain(r.packets)).toEqual(plain(expected.packets));
    expect(r.summary).toMatchObject({ gzip: true, inputSize: gz.length, inputBytes: gz.length, offset: plainBytes.length });
    expect(r.summary.error).toBeUndefined();
  });

  test("gzip detected across 1-byte chunks, and in memory", async () => {
    const r = await collect(chunked(gz, [1]));
    expect(plain(r.packets)).toEqual(plain(expected.packets));
    const s = parseCaptureBuffer(gz);
    expect(plain(s.packets)).toEqual(plain(expected.packets));
    expect(s.summary.gzip).toBe(true);
  });

  test("truncated gzip data: the packets it held, then an error", async () => {
    const cut = gz.subarray(0, gz.length - 60);
    const r = await collect(chunked(cut, [5, 17]));
    const s = parseCaptureBuffer(cut);
    expect(r.packets.length).toBeGreaterThan(0);
    expect(r.packets.length).toBeLessThan(expected.packets.length);
    expect(r.summary.error).toMatchObject({ kind: "truncated", message: "truncated gzip data" });
    expect(plain(r.packets)).toEqual(plain(s.packets));
    expect(s.summary.error).toEqual(r.summary.error);
  });

  test("corrupt gzip data ends the read with an error, never an exception", async () => {
    const bad = gz.slice();
    bad.fill(0xff, 30, 60);
    const r = await collect(chunked(bad, [64]));
    expect(r.summary.error?.kind).toMatch(/corrupt|truncated/);
    const s = parseCaptureBuffer(bad);
    expect(s.summary.error?.kind).toMatch(/corrupt|truncated/);
  });
});

describe("sources", () => {
  test("a missing file is an I/O error at offset 0", async () => {
    const r = await collect(join(dir, "nope.pcap"));
    expect(r.packets).toEqual([]);
    expect(r.summary.error).toMatchObject({ kind: "io", offset: 0 });
    expect(r.summary.error?.message).toMatch(/^cannot read the capture: ENOENT/);
  });

  test("a directory is an I/O error", async () => {
    expect((await collect(dir)).summary.error?.kind).toBe("io");
  });

  test("a Readable, including one in text mode", async () => {
    const ok = await collect(Readable.from([Buffer.from(CORPUS.pcapBeNs!)]));
    expect(ok.packets).toHaveLength(3);
    const text = createReadStream(file("t.pcap", CORPUS.pcapLe!)).setEncoding("latin1");
    const r = await collect(text as unknown as AsyncIterable<Uint8Array>);
    expect(r.summary.error).toMatchObject({ kind: "io", message: "cannot read the capture: the capture stream is in text mode (it has an encoding set)" });
  });

  test("an empty stream is an empty capture", async () => {
    expect((await collect(chunked(new Uint8Array(0)))).summary.error).toEqual({ kind: "truncated", message: "the capture is empty", offset: 0 });
  });

  test("leaving the loop early closes the file", async () => {
    const stream = createReadStream(file("early.pcap", CORPUS.pcapLe!), { highWaterMark: 16 });
    const reader = readCapture(stream);
    for await (const p of reader) {
      expect(p.iface).toBe(0);
      break;
    }
    expect(reader.summary.packets).toBe(1);
    expect(stream.destroyed).toBe(true);
  });

  test("leaving a gzip capture early closes the file and stops zlib", async () => {
    const stream = createReadStream(file("early.pcap.gz", gzipSync(CORPUS.pcapLe!)), { highWaterMark: 16 });
    const reader = readCapture(stream);
    for await (const _ of reader) break;
    expect(reader.summary).toMatchObject({ packets: 1, gzip: true });
    expect(stream.destroyed).toBe(true);
  });

  test("a reader is iterated once; bad options throw at once", () => {
    const reader = readCapture(chunked(CORPUS.pcapLe!));
    reader[Symbol.asyncIterator]();
    expect(() => reader[Symbol.asyncIterator]()).toThrow(/only once/);
    expect(() => readCapture("x.pcap", { maxPacketBytes: -1 })).toThrow(RangeError);
    expect(() => readCapture("x.pcap", { chunkBytes: 0 })).toThrow(/chunkBytes/);
  });
});

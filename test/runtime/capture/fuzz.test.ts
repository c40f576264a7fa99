/** Random and mutated bytes: the readers never throw, always end, and what they deliver is sound. */
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { LINKTYPE, frameFor, parseCaptureBuffer, pcapHeader, type ParsedCapture, writePcap } from "../../../runtime/capture/index.js";
import { chunked, collect, concat, epb, idb, ipv4, ipv6, outcome, plain, shb, spb } from "./build.js";

const MAX = 4096;

/** Every delivered packet is self-consistent, and the summary agrees with what was delivered. */
function sound(r: ParsedCapture, inputLength: number): void {
  const { packets, summary } = r;
  expect(summary.packets).toBe(packets.length);
  expect(summary.bytes).toBe(packets.reduce((n, p) => n + p.capturedLength, 0));
  for (const p of packets) {
    expect(p.data.length).toBe(p.capturedLength);
    expect(p.capturedLength).toBeLessThanOrEqual(MAX);
    expect(p.iface).toBeLessThan(summary.interfaces.length);
    expect(p.linkType).toBe(summary.interfaces[p.iface]?.linkType);
    if (p.l3Offset >= 0) {
      expect(p.l3Offset).toBeLessThan(p.capturedLength);
      expect(p.data[p.l3Offset]! >> 4).toBe(p.l3Proto === "ipv4" ? 4 : 6);
    } else {
      expect(p.l3Proto).toBe("other");
    }
  }
  if (!summary.gzip) {
    expect(summary.offset).toBeLessThanOrEqual(inputLength);
    if (summary.error) expect(summary.error.offset).toBeLessThanOrEqual(inputLength);
    else expect(summary.offset).toBe(inputLength);
  }
}

const V4 = ipv4([10, 9, 8, 7], [10, 9, 8, 6], 12);
const SEEDS = [
  writePcap([{ ts: 1n, data: frameFor(LINKTYPE.ETHERNET, V4) }, { ts: 2n, data: frameFor(LINKTYPE.ETHERNET, ipv6(4)) }], LINKTYPE.ETHERNET),
  writePcap([{ data: frameFor(LINKTYPE.NULL, V4) }], LINKTYPE.NULL, { nanos: true, bigEndian: true }),
  concat(shb(), idb(LINKTYPE.LINUX_SLL, { tsresol: 0x8a }), epb(0, 3n, frameFor(LINKTYPE.LINUX_SLL, V4)), spb(frameFor(LINKTYPE.LINUX_SLL, V4), 56)),
  concat(shb(false), idb(LINKTYPE.RAW, { le: false }), epb(0, 9n, V4, { le: false })),
];

/** A valid capture with some bytes overwritten, some cut off, or random bytes appended. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([seed, edits, cut, tail]) => {
    const bytes = concat(seed, tail);
    for (const [at, value] of edits) bytes[at % bytes.length] = value;
    return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  });

/** Random bytes after a valid file header, so the record decoders see the noise. */
const noisyBody = fc
  .tuple(fc.constantFrom(pcapHeader(1), pcapHeader(276, { bigEndian: true, nanos: true }), concat(shb(), idb(1)), concat(shb(false), idb(113, { le: false }))), fc.uint8Array({ maxLength: 600 }))
  .map(([head, body]) => concat(head, body));

describe("never throws, always ends", () => {
  test("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const r = parseCaptureBuffer(bytes, { maxPacketBytes: MAX });
        sound(r, bytes.length);
        expect(r.packets.length > 0 || r.summary.error !== undefined || bytes.length > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test("valid headers followed by noise", () => {
    fc.assert(
      fc.property(noisyBody, (bytes) => sound(parseCaptureBuffer(bytes, { maxPacketBytes: MAX }), bytes.length)),
      { numRuns: 500 },
    );
  });

  test("mutated captures", () => {
    fc.assert(
      fc.property(mutated, (bytes) => sound(parseCaptureBuffer(bytes, { maxPacketBytes: MAX }), bytes.length)),
      { numRuns: 800 },
    );
  });

  test("gzip of noise and of mutated captures", () => {
    fc.assert(
      fc.property(fc.oneof(mutated, noisyBody), fc.option(fc.nat(), { nil: undefined }), (bytes, cut) => {
        const gz = gzipSync(bytes);
        const input = cut === undefined ? gz : gz.subarray(0, cut % (gz.length + 1));
        sound(parseCaptureBuffer(input, { maxPacketBytes: MAX }), input.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe("streaming agrees with the buffer reader on bad data", () => {
  test("mutated captures and noise in random chunks (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, noisyBody, fc.uint8Array({ maxLength: 300 })), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }), async (bytes, sizes) => {
        const sync = parseCaptureBuffer(bytes, { maxPacketBytes: MAX });
        const streamed = await collect(chunked(bytes, sizes), { maxPacketBytes: MAX });
        expect(plain(streamed.packets)).toEqual(plain(sync.packets));
        expect(outcome(streamed.summary)).toEqual(outcome(sync.summary));
      }),
      { numRuns: 300 },
    );
  });

  test("truncated gzip in random chunks (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDS), fc.nat(), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }), async (seed, cut, sizes) => {
        const gz = gzipSync(seed);
        const input = gz.subarray(0, cut % (gz.length + 1));
        const sync = parseCaptureBuffer(input);
        const streamed = await collect(chunked(input, sizes));
        expect(plain(streamed.packets)).toEqual(plain(sync.packets));
        expect(outcome(streamed.summary)).toEqual(outcome(sync.summary));
      }),
      { numRuns: 150 },
    );
  });
});

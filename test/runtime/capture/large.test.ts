/**
 * A 200 MB capture generated on disk streams through in bounded memory: the reader never holds the
 * file, and what it holds at any moment stays far below the file's size. Memory is sampled as
 * heap plus ArrayBuffers (where file chunks live) after forced collections.
 */
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { LINKTYPE, frameFor, pcapHeader, pcapRecord, readCapture } from "../../../runtime/capture/index.js";
import { ipv4 } from "./build.js";

setFlagsFromString("--expose_gc");
const gc = runInNewContext("gc") as () => void;

const dir = mkdtempSync(join(tmpdir(), "nvp-capture-large-"));
const path = join(dir, "large.pcap");
const TARGET = 200 * 1024 * 1024;
let packetsWritten = 0;
let capturedWritten = 0;

beforeAll(() => {
  // One megabyte of records with sizes from 60 to 1514 bytes, written again and again.
  const records: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const frame = frameFor(LINKTYPE.ETHERNET, ipv4([10, 0, i & 255, 1], [10, 1, 0, 2], 26 + ((i * 397) % 1480)));
    const rec = pcapRecord({ ts: 1_795_428_000_000_000_000n + BigInt(i) * 1000n, data: frame });
    records.push(rec);
    size += rec.length;
  }
  const block = Buffer.concat(records);
  const fd = openSync(path, "w");
  writeSync(fd, pcapHeader(LINKTYPE.ETHERNET));
  let written = 24;
  while (written < TARGET) {
    writeSync(fd, block);
    written += block.length;
    packetsWritten += records.length;
    capturedWritten += block.length - 16 * records.length;
  }
  closeSync(fd);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test("200 MB streams in bounded memory", async () => {
  const size = statSync(path).size;
  expect(size).toBeGreaterThanOrEqual(TARGET);
  gc();
  const baseline = used();
  let peak = 0;
  let ipv4 = 0;
  const reader = readCapture(path);
  for await (const p of reader) {
    if (p.l3Proto === "ipv4") ipv4++;
    if (reader.summary.packets % 20_000 === 0) {
      gc();
      peak = Math.max(peak, used() - baseline);
    }
  }
  const s = reader.summary;
  expect(s.error).toBeUndefined();
  expect([s.packets, s.bytes, s.offset, s.inputBytes, s.inputSize]).toEqual([packetsWritten, capturedWritten, size, size, size]);
  expect(ipv4).toBe(packetsWritten);
  // A few chunks of 256 KiB and the reader's own state: megabytes, against 200 MB of file.
  expect(peak).toBeLessThan(16 * 1024 * 1024);
});

test("the same capture gzip-compressed streams in bounded memory too", async () => {
  const gz = join(dir, "large.pcap.gz");
  await pipeline(createReadStream(path), createGzip({ level: 1 }), createWriteStream(gz));
  gc();
  const baseline = used();
  let peak = 0;
  const reader = readCapture(gz);
  for await (const _ of reader) {
    if (reader.summary.packets % 20_000 === 0) {
      gc();
      peak = Math.max(peak, used() - baseline);
    }
  }
  const s = reader.summary;
  expect(s.error).toBeUndefined();
  expect([s.gzip, s.packets, s.bytes, s.offset, s.inputBytes]).toEqual([true, packetsWritten, capturedWritten, statSync(path).size, statSync(gz).size]);
  // Decompressed output queues up to 1 MiB ahead of the reader, and zlib keeps its own buffers.
  expect(peak).toBeLessThan(32 * 1024 * 1024);
});

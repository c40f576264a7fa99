/**
 * gzip member by member (runtime/capture/gzip.ts, gunzip-stream.ts): data after the last complete
 * member is ignored and counted, never an error; several members join up; a member whose CRC-32
 * or length is wrong, or that is cut, is a fault after every packet before it was delivered; the
 * streamed and the in-memory reader agree, however the bytes arrive. And `nvp replay` on such files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { main } from "../../../cli/main.js";
import { memoryIo } from "../../../cli/io.js";
import { parseCaptureBuffer } from "../../../runtime/capture/index.js";
import { chunked, collect, plain } from "./build.js";

const pcap = readFileSync(join(import.meta.dirname, "../../fixtures/captures/postgresql.pcap"));
const expected = parseCaptureBuffer(pcap);
const gz = gzipSync(pcap);
const dir = mkdtempSync(join(tmpdir(), "nvp-gz-"));

/** Both readers, the stream in several chunkings; they must agree with each other. */
async function read(bytes: Uint8Array) {
  const mem = parseCaptureBuffer(bytes);
  for (const sizes of [[bytes.length], [1], [7, 300], [4096]]) {
    const r = await collect(chunked(bytes, sizes));
    expect(plain(r.packets)).toEqual(plain(mem.packets));
    expect([r.summary.error, r.summary.gzipTrailing]).toEqual([mem.summary.error, mem.summary.gzipTrailing]);
  }
  return mem;
}

describe("gzip members", () => {
  test("bytes after a complete member are ignored and counted", async () => {
    for (const tail of [Buffer.from("trailing garbage\n"), Buffer.alloc(512), Buffer.from([0x1f, 0x8b, 0x09])]) {
      const r = await read(Buffer.concat([gz, tail]));
      expect(plain(r.packets)).toEqual(plain(expected.packets));
      expect(r.summary.error).toBeUndefined();
      expect(r.summary.gzipTrailing).toBe(tail.length);
    }
  });

  test("a capture split over several members reads as one", async () => {
    const cut = 1000;
    const r = await read(Buffer.concat([gzipSync(pcap.subarray(0, cut)), gzipSync(pcap.subarray(cut))]));
    expect(plain(r.packets)).toEqual(plain(expected.packets));
    expect(r.summary.error).toBeUndefined();
    expect(r.summary.gzipTrailing).toBeUndefined();
  });

  test("a wrong CRC-32 is corrupt data, a cut trailer truncated data; the packets before are delivered", async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 8]! ^= 0xff;
    const r = await read(bad);
    expect(r.summary.error).toMatchObject({ kind: "corrupt", message: "bad gzip data: the member's CRC-32 or length does not match its data" });
    expect(r.packets).toHaveLength(expected.packets.length);
    const cut = await read(gz.subarray(0, gz.length - 3));
    expect(cut.summary.error).toMatchObject({ kind: "truncated", message: "truncated gzip data" });
    expect(cut.packets).toHaveLength(expected.packets.length);
  });

  test("nvp replay warns about trailing data and exits 0; a corrupt member exits 2", async () => {
    writeFileSync(join(dir, "a.pcap.gz"), Buffer.concat([gz, Buffer.from("junk")]));
    const io = memoryIo(dir);
    expect(await main(["replay", "a.pcap.gz"], io)).toBe(0);
    expect(io.stderr).toBe("warning: a.pcap.gz: 4 bytes after the last complete gzip member were ignored\n");
    expect(io.stdout).toMatch(new RegExp(`^packets +${expected.packets.length} `, "m"));
    const bad = Buffer.from(gz);
    bad[bad.length - 8]! ^= 0xff;
    writeFileSync(join(dir, "b.pcap.gz"), bad);
    const io2 = memoryIo(dir);
    expect(await main(["replay", "b.pcap.gz"], io2)).toBe(2);
    expect(io2.stderr).toMatch(new RegExp(`^error: b\\.pcap\\.gz: bad gzip data: .* at byte ${pcap.length}; ${expected.packets.length} packets before it were replayed$`, "m"));
  });
});

import { describe, expect, test } from "vitest";
import { LINKTYPE, frameFor, parseCaptureBuffer, pcapHeader, pcapRecord, writePcap } from "../../../runtime/capture/index.js";
import { Bytes, concat, hex, ipv4 } from "./build.js";

const IP = ipv4([192, 168, 1, 10], [192, 168, 1, 20], 8);
const FRAME = frameFor(LINKTYPE.ETHERNET, IP);
/** 2026-11-23T10:00:00.123456789Z */
const TS = 1_795_428_000_123_456_789n;

/** A pcap file built by hand: header fields, then (sec, frac, caplen, origlen, data) records. */
function handmade(magic: number, le: boolean, records: [number, number, number, number, Uint8Array][], linkType = 1): Uint8Array {
  const b = new Bytes(le).u32(magic).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(linkType);
  for (const [sec, frac, cap, orig, data] of records) b.u32(sec).u32(frac).u32(cap).u32(orig).raw(data);
  return b.bytes();
}

describe("classic pcap magics", () => {
  test.each([
    ["a1b2c3d4 big-endian, µs", 0xa1b2c3d4, false, 123456, 1_795_428_000_123_456_000n],
    ["a1b2c3d4 little-endian, µs", 0xa1b2c3d4, true, 123456, 1_795_428_000_123_456_000n],
    ["a1b23c4d big-endian, ns", 0xa1b23c4d, false, 123456789, TS],
    ["a1b23c4d little-endian, ns", 0xa1b23c4d, true, 123456789, TS],
  ])("%s", (_name, magic, le, frac, ts) => {
    const bytes = handmade(magic, le, [[1_795_428_000, frac, FRAME.length, FRAME.length, FRAME]]);
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(summary.format).toBe("pcap");
    expect(summary.interfaces).toEqual([{ linkType: 1, snaplen: 65535, tsResolution: magic === 0xa1b23c4d ? "1e-9" : "1e-6", section: 0 }]);
    expect(packets).toHaveLength(1);
    const p = packets[0]!;
    expect(p.ts).toBe(ts);
    expect([p.iface, p.linkType, p.capturedLength, p.originalLength, p.truncated]).toEqual([0, 1, FRAME.length, FRAME.length, false]);
    expect([p.l3Offset, p.l3Proto, p.offset]).toEqual([14, "ipv4", 24]);
    expect(p.data).toEqual(FRAME);
  });

  test("the byte order comes from the magic: the same fields read the same either way", () => {
    const recs: [number, number, number, number, Uint8Array][] = [
      [1, 2, 4, 60, hex("deadbeef")],
      [0xfffffffe, 999999, 0, 0, new Uint8Array(0)],
    ];
    const a = parseCaptureBuffer(handmade(0xa1b2c3d4, true, recs));
    const b = parseCaptureBuffer(handmade(0xa1b2c3d4, false, recs));
    expect(a.packets.map((p) => [p.ts, p.capturedLength, p.originalLength, p.truncated])).toEqual([
      [1_000_002_000n, 4, 60, true],
      [4_294_967_294_999_999_000n, 0, 0, false],
    ]);
    expect(b.packets).toEqual(a.packets);
  });

  test("Kuznetzov's patched format has 24-byte record headers", () => {
    const b = new Bytes(true).u32(0xa1b2cd34).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
    b.u32(7).u32(8).u32(FRAME.length).u32(FRAME.length).u32(3).u16(0x0800).u8(0, 0).raw(FRAME);
    const { packets, summary } = parseCaptureBuffer(b.bytes());
    expect(summary.error).toBeUndefined();
    expect(packets.map((p) => [p.ts, p.l3Offset])).toEqual([[7_000_008_000n, 14]]);
  });

  test("the link-type field's FCS bits do not change the link type", () => {
    const bytes = handmade(0xa1b2c3d4, true, [[0, 0, FRAME.length, FRAME.length, FRAME]], 0x14000001);
    expect(parseCaptureBuffer(bytes).packets[0]?.linkType).toBe(1);
  });
});

describe("records", () => {
  test("snaplen-cut packets are delivered and flagged", () => {
    const bytes = writePcap([{ ts: TS, data: FRAME }], LINKTYPE.ETHERNET, { snaplen: 20 });
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(packets[0]).toMatchObject({ capturedLength: 20, originalLength: FRAME.length, truncated: true, l3Offset: 14 });
    expect(summary).toMatchObject({ packets: 1, bytes: 20, truncated: 1, notIp: 0 });
  });

  test("non-IP frames are delivered with l3Offset -1 and counted", () => {
    const arp = concat(new Uint8Array(12), hex("0806"), new Uint8Array(28));
    const { packets, summary } = parseCaptureBuffer(writePcap([{ data: arp }, { data: FRAME }], LINKTYPE.ETHERNET));
    expect(packets.map((p) => [p.l3Offset, p.l3Proto])).toEqual([
      [-1, "other"],
      [14, "ipv4"],
    ]);
    expect(summary).toMatchObject({ packets: 2, notIp: 1, skipped: {} });
  });

  test("writePcap round-trips timestamps in µs and ns, either byte order", () => {
    for (const nanos of [false, true]) {
      for (const bigEndian of [false, true]) {
        const bytes = writePcap([{ ts: TS, data: FRAME }, { ts: 0n, data: IP }], LINKTYPE.RAW, { nanos, bigEndian });
        const { packets, summary } = parseCaptureBuffer(bytes);
        expect(summary.error).toBeUndefined();
        expect(packets.map((p) => p.ts)).toEqual([nanos ? TS : TS - 789n, 0n]);
        expect(packets[1]?.data).toEqual(IP);
      }
    }
    expect(() => pcapRecord({ ts: -1n, data: IP })).toThrow(RangeError);
  });

  test("packet data are views into the input, not copies", () => {
    const bytes = writePcap([{ data: FRAME }], LINKTYPE.ETHERNET);
    const p = parseCaptureBuffer(bytes).packets[0]!;
    expect(p.data.buffer).toBe(bytes.buffer);
    expect(p.data.byteOffset).toBe(24 + 16);
  });
});

describe("bad files", () => {
  test("a zero-length file is reported as empty", () => {
    expect(parseCaptureBuffer(new Uint8Array(0)).summary.error).toEqual({ kind: "truncated", message: "the capture is empty", offset: 0 });
  });

  test("a file cut inside the file header", () => {
    const { summary } = parseCaptureBuffer(pcapHeader(1).subarray(0, 10));
    expect(summary.error).toEqual({ kind: "truncated", message: "truncated pcap file header: 10 of 24 bytes present", offset: 0 });
  });

  test("an unknown magic number", () => {
    const { summary } = parseCaptureBuffer(new TextEncoder().encode("GET / HTTP/1.1\r\n"));
    expect(summary.error).toEqual({ kind: "format", message: "not a pcap or pcapng capture (it starts with `47 45 54 20`)", offset: 0 });
  });

  test("an unsupported major version", () => {
    const bytes = pcapHeader(1);
    bytes[4] = 3;
    expect(parseCaptureBuffer(bytes).summary.error).toEqual({ kind: "format", message: "pcap version 3.4 is not supported (only 2.x)", offset: 4 });
  });

  test("a truncated record: earlier packets are delivered, the bad record's offset reported", () => {
    const whole = writePcap([{ data: FRAME }, { data: FRAME }, { data: FRAME }], LINKTYPE.ETHERNET);
    const third = 24 + 2 * (16 + FRAME.length);
    for (const cut of [third + 5, third + 16, whole.length - 1]) {
      const { packets, summary } = parseCaptureBuffer(whole.subarray(0, cut));
      expect(packets).toHaveLength(2);
      expect(summary.error?.kind).toBe("truncated");
      expect(summary.error?.offset).toBe(third);
    }
    expect(parseCaptureBuffer(whole.subarray(0, third + 5)).summary.error?.message).toBe("truncated packet record header: 5 of 16 bytes present");
    expect(parseCaptureBuffer(whole.subarray(0, third + 20)).summary.error?.message).toBe(`truncated packet record: 20 of ${16 + FRAME.length} bytes present`);
  });

  test("a file that ends on a record boundary is complete", () => {
    const whole = writePcap([{ data: FRAME }], LINKTYPE.ETHERNET);
    expect(parseCaptureBuffer(whole).summary).toMatchObject({ packets: 1, offset: whole.length });
    expect(parseCaptureBuffer(whole).summary.error).toBeUndefined();
    expect(parseCaptureBuffer(pcapHeader(1)).summary.error).toBeUndefined();
  });

  test("a record claiming 4 GB is corruption, reported at its header", () => {
    const bytes = concat(writePcap([{ data: FRAME }], LINKTYPE.ETHERNET), new Bytes(true).u32(0).u32(0).u32(0xfffffff0).u32(0xfffffff0).bytes());
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(packets).toHaveLength(1);
    expect(summary.error).toEqual({
      kind: "corrupt",
      message: "packet record claims 4096.0 MiB captured (0xfffffff0), more than the 256.0 KiB limit",
      offset: 24 + 16 + FRAME.length,
    });
  });

  test("maxPacketBytes moves the limit and is itself bounded", () => {
    const bytes = writePcap([{ data: new Uint8Array(300_000) }], LINKTYPE.RAW, { snaplen: 300_000 });
    expect(parseCaptureBuffer(bytes).summary.error?.kind).toBe("corrupt");
    expect(parseCaptureBuffer(bytes, { maxPacketBytes: 400_000 }).packets).toHaveLength(1);
    expect(() => parseCaptureBuffer(bytes, { maxPacketBytes: 2 ** 40 })).toThrow(RangeError);
    expect(() => parseCaptureBuffer(bytes, { maxPacketBytes: 0 })).toThrow(RangeError);
  });
});

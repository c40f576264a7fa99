import { describe, expect, test } from "vitest";
import { LINKTYPE, frameFor, parseCaptureBuffer } from "../../../runtime/capture/index.js";
import { Bytes, block, concat, epb, idb, ipv4, ipv6, opb, shb, spb } from "./build.js";

const V4 = ipv4([10, 1, 0, 1], [10, 1, 0, 2], 8);
const V6 = ipv6(8);
const SEC = 1_795_428_000n;

describe("interfaces and timestamp resolutions", () => {
  /** Five interfaces, each with its own link type and resolution, one packet on each. */
  function multi(le: boolean): Uint8Array {
    return concat(
      shb(le),
      idb(LINKTYPE.ETHERNET, { le, name: "eth0" }),
      idb(LINKTYPE.RAW, { le, tsresol: 9 }),
      idb(LINKTYPE.LINUX_SLL2, { le, tsresol: 0x80 | 20 }),
      idb(LINKTYPE.NULL, { le, tsresol: 3, tsoffset: 1_000_000_000n }),
      idb(LINKTYPE.LOOP, { le, tsresol: 12, snaplen: 9000 }),
      epb(0, SEC * 1_000_000n + 123_456n, frameFor(LINKTYPE.ETHERNET, V4), { le }),
      epb(1, SEC * 1_000_000_000n + 123_456_789n, V6, { le }),
      epb(2, (SEC << 20n) + (1n << 19n), frameFor(LINKTYPE.LINUX_SLL2, V4), { le }),
      epb(3, 123n, frameFor(LINKTYPE.NULL, V6), { le }),
      epb(4, 123_456_789_012n, frameFor(LINKTYPE.LOOP, V4), { le }),
    );
  }

  const expected = [
    [SEC * 1_000_000_000n + 123_456_000n, 0, LINKTYPE.ETHERNET, 14, "ipv4"],
    [SEC * 1_000_000_000n + 123_456_789n, 1, LINKTYPE.RAW, 0, "ipv6"],
    [SEC * 1_000_000_000n + 500_000_000n, 2, LINKTYPE.LINUX_SLL2, 20, "ipv4"],
    [1_000_000_000_123_000_000n, 3, LINKTYPE.NULL, 4, "ipv6"],
    // Picoseconds truncate to nanoseconds.
    [123_456_789n, 4, LINKTYPE.LOOP, 4, "ipv4"],
  ];

  test.each([
    ["little-endian", true],
    ["big-endian", false],
  ])("%s section", (_name, le) => {
    const { packets, summary } = parseCaptureBuffer(multi(le));
    expect(summary.error).toBeUndefined();
    expect(summary.format).toBe("pcapng");
    expect(packets.map((p) => [p.ts, p.iface, p.linkType, p.l3Offset, p.l3Proto])).toEqual(expected);
    expect(summary.interfaces).toEqual([
      { linkType: 1, snaplen: 0, tsResolution: "1e-6", name: "eth0", section: 0 },
      { linkType: 101, snaplen: 0, tsResolution: "1e-9", section: 0 },
      { linkType: 276, snaplen: 0, tsResolution: "2^-20", section: 0 },
      { linkType: 0, snaplen: 0, tsResolution: "1e-3", section: 0 },
      { linkType: 108, snaplen: 9000, tsResolution: "1e-12", section: 0 },
    ]);
  });

  test("a 64-bit timestamp above 2^53 units converts exactly", () => {
    const units = 0x1234_5678_9abc_def0n;
    const bytes = concat(shb(), idb(LINKTYPE.RAW, { tsresol: 9 }), epb(0, units, V4));
    expect(parseCaptureBuffer(bytes).packets[0]?.ts).toBe(units);
    const pow2 = concat(shb(), idb(LINKTYPE.RAW, { tsresol: 0x80 | 32 }), epb(0, (SEC << 32n) | 0x8000_0000n, V4));
    expect(parseCaptureBuffer(pow2).packets[0]?.ts).toBe(SEC * 1_000_000_000n + 500_000_000n);
  });
});

describe("sections and packet blocks", () => {
  test("several sections, each with its byte order; interface numbers are file-global", () => {
    const bytes = concat(
      shb(true),
      idb(LINKTYPE.ETHERNET),
      idb(LINKTYPE.RAW),
      epb(1, 1n, V4),
      shb(false),
      idb(LINKTYPE.RAW, { le: false, tsresol: 9 }),
      epb(0, 2n, V6, { le: false }),
      shb(true),
      idb(LINKTYPE.LINUX_SLL),
      epb(0, 3n, frameFor(LINKTYPE.LINUX_SLL, V4)),
    );
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(packets.map((p) => [p.iface, p.linkType, p.ts, p.l3Proto])).toEqual([
      [1, LINKTYPE.RAW, 1000n, "ipv4"],
      [2, LINKTYPE.RAW, 2n, "ipv6"],
      [3, LINKTYPE.LINUX_SLL, 3000n, "ipv4"],
    ]);
    expect(summary.interfaces.map((i) => i.section)).toEqual([0, 0, 1, 2]);
  });

  test("a packet naming an interface of an earlier section is skipped and counted", () => {
    const bytes = concat(shb(), idb(LINKTYPE.RAW), idb(LINKTYPE.RAW), shb(), idb(LINKTYPE.RAW), epb(1, 0n, V4), epb(0, 0n, V4));
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(packets.map((p) => p.iface)).toEqual([2]);
    expect(summary.skipped).toEqual({ "pcapng:unknown-interface": 1 });
    const spbFirst = parseCaptureBuffer(concat(shb(), spb(V4, V4.length)));
    expect(spbFirst.summary.skipped).toEqual({ "pcapng:unknown-interface": 1 });
  });

  test("simple packet blocks: cut by the snaplen, timed like the packet before", () => {
    const frame = frameFor(LINKTYPE.ETHERNET, V4);
    const bytes = concat(shb(), idb(LINKTYPE.ETHERNET, { snaplen: 20 }), spb(frame.subarray(0, 20), frame.length), epb(0, 5n, frame.subarray(0, 20), { origlen: frame.length }), spb(frame.subarray(0, 20), 18));
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(packets.map((p) => [p.ts, p.capturedLength, p.originalLength, p.truncated, p.l3Offset])).toEqual([
      [0n, 20, frame.length, true, 14],
      [5000n, 20, frame.length, true, 14],
      // The original length (18) is less than the block holds: the padding is not the frame.
      [5000n, 18, 18, false, 14],
    ]);
  });

  test("obsolete packet blocks are read", () => {
    const bytes = concat(shb(), idb(LINKTYPE.RAW), idb(LINKTYPE.RAW, { tsresol: 9 }), opb(1, 77n, V6));
    expect(parseCaptureBuffer(bytes).packets.map((p) => [p.iface, p.ts, p.l3Proto])).toEqual([[1, 77n, "ipv6"]]);
  });

  test("other blocks are skipped and counted; the packets around them are kept", () => {
    const bytes = concat(
      shb(),
      block(4, new Uint8Array(40)),
      idb(LINKTYPE.RAW),
      epb(0, 1n, V4),
      block(5, new Uint8Array(24)),
      block(0xbad, new Uint8Array(17)),
      block(0x40000bad, new Uint8Array(3)),
      block(0x0a, new Uint8Array(8)),
      block(9, new Uint8Array(0)),
      block(0x12345678, new Uint8Array(100)),
      epb(0, 2n, V4),
    );
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(packets).toHaveLength(2);
    expect(summary.skipped).toEqual({
      "pcapng:name-resolution": 1,
      "pcapng:interface-statistics": 1,
      "pcapng:custom": 2,
      "pcapng:decryption-secrets": 1,
      "pcapng:systemd-journal": 1,
      "pcapng:unknown-block": 1,
    });
    expect(summary.offset).toBe(bytes.length);
  });
});

describe("bad pcapng", () => {
  const head = concat(shb(), idb(LINKTYPE.RAW), epb(0, 1n, V4));

  test.each([
    ["a bad byte-order magic", concat(new Bytes().u32(0x0a0d0d0a).u32(28).u32(0x11223344).bytes(), new Uint8Array(16)), 0, "section header has a bad byte-order magic 0x44332211"],
    ["a length that is not a multiple of 4", concat(head, new Bytes().u32(6).u32(33).bytes(), new Uint8Array(40)), head.length, "block 0x00000006 has an invalid length 33 (a multiple of 4, at least 12)"],
    ["a length below the minimum", concat(head, new Bytes().u32(6).u32(8).bytes()), head.length, "block 0x00000006 has an invalid length 8 (a multiple of 4, at least 12)"],
    ["a trailing length that differs", concat(head, block(6, new Uint8Array(24)).fill(9, -4)), head.length, "block length 36 does not match its trailing copy 151587081"],
    ["a skipped block whose trailing length differs", concat(head, block(4, new Uint8Array(8)).fill(0, -4)), head.length, "block length 20 does not match its trailing copy 0"],
    ["a captured length past its block", concat(head, epb(0, 0n, V4, { caplen: 200 })), head.length, "packet block's captured length 200 overruns the block"],
    ["a block of 4 GB", concat(head, new Bytes().u32(6).u32(0xfffffffc).bytes(), new Uint8Array(64)), head.length, "block 0x00000006 claims 4096.0 MiB (0xfffffffc), more than the 1.3 MiB limit"],
    ["an interface option overrunning its block", concat(shb(), block(1, new Bytes().u16(1).u16(0).u32(0).u16(9).u16(200).u32(0).bytes())), 28, "interface option 9 overruns its block"],
    ["an interface block too short", concat(shb(), block(1, new Uint8Array(4))), 28, "interface description block is too short (16 bytes)"],
    ["an enhanced packet block too short", concat(head, block(6, new Uint8Array(8))), head.length, "enhanced packet block is too short (20 bytes)"],
  ])("%s", (_name, bytes, offset, message) => {
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toEqual({ kind: "corrupt", message, offset });
    expect(packets).toHaveLength(offset === head.length ? 1 : 0);
  });

  test("a packet over maxPacketBytes is corruption", () => {
    const { summary } = parseCaptureBuffer(concat(head, epb(0, 0n, new Uint8Array(200))), { maxPacketBytes: 100 });
    expect(summary.error).toEqual({ kind: "corrupt", message: "packet block claims 200 bytes captured, more than the 100 bytes limit", offset: head.length });
  });

  test("an unsupported section version", () => {
    expect(parseCaptureBuffer(shb(true, [2, 0])).summary.error).toEqual({ kind: "format", message: "pcapng version 2.0 is not supported (only 1.x)", offset: 0 });
  });

  test("a file cut inside a block: the packets before it, the block's offset", () => {
    const whole = concat(head, epb(0, 2n, V4));
    for (const cut of [head.length + 3, head.length + 8, whole.length - 4, whole.length - 1]) {
      const { packets, summary } = parseCaptureBuffer(whole.subarray(0, cut));
      expect(packets).toHaveLength(1);
      expect(summary.error).toMatchObject({ kind: "truncated", offset: head.length });
    }
  });

  test("a file cut inside a skipped block", () => {
    const { packets, summary } = parseCaptureBuffer(concat(head, block(4, new Uint8Array(100))).subarray(0, head.length + 50));
    expect(packets).toHaveLength(1);
    expect(summary.error).toEqual({ kind: "truncated", message: "truncated pcapng block: 50 of 112 bytes present", offset: head.length });
  });
});

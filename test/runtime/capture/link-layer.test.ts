import { describe, expect, test } from "vitest";
import { LINKTYPE, frameFor, locateL3 } from "../../../runtime/capture/index.js";
import { concat, hex, ipv4, ipv6 } from "./build.js";

const V4 = ipv4([10, 0, 0, 1], [10, 0, 0, 2], 4);
const V6 = ipv6(4);
const MACS = new Uint8Array(12).fill(0xaa);

/** An Ethernet frame: MACs, then each 2-byte field in `types` (ethertypes and TCIs), then the payload. */
function eth(fields: number[], payload: Uint8Array): Uint8Array {
  return concat(MACS, Uint8Array.from(fields.flatMap((f) => [f >> 8, f & 0xff])), payload);
}

describe("Ethernet", () => {
  test("untagged IPv4 and IPv6", () => {
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x0800], V4))).toEqual({ offset: 14, proto: "ipv4" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x86dd], V6))).toEqual({ offset: 14, proto: "ipv6" });
  });

  test("802.1Q, QinQ (88a8 and 9100) and a deeper stack", () => {
    // The VLAN key: the first tag's id << 12, the second's below it (a third is walked, not kept).
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8100, 0x0064, 0x0800], V4))).toEqual({ offset: 18, proto: "ipv4", vlan: 0x064000 });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x88a8, 0x00c8, 0x8100, 0x0064, 0x86dd], V6))).toEqual({ offset: 22, proto: "ipv6", vlan: 0x0c8064 });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x9100, 0x0001, 0x8100, 0x0002, 0x0800], V4))).toEqual({ offset: 22, proto: "ipv4", vlan: 0x001002 });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x88a8, 1, 0x88a8, 2, 0x8100, 3, 0x0800], V4))).toEqual({ offset: 26, proto: "ipv4", vlan: 0x001002 });
    // Priority bits and DEI are not part of the id.
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8100, 0xe00a, 0x0800], V4))).toEqual({ offset: 18, proto: "ipv4", vlan: 0x00a000 });
  });

  test("a frame of nothing but VLAN tags ends without an IP header", () => {
    const tags = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0x8100 : 0x0001));
    expect(locateL3(LINKTYPE.ETHERNET, eth(tags, new Uint8Array(0)))).toEqual({ offset: -1, proto: "other", reason: "short" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8100, 0x0064], new Uint8Array(0)))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });

  test("ARP, an 802.3 length field and short frames are not IP", () => {
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x0806], new Uint8Array(28)))).toEqual({ offset: -1, proto: "other", reason: "arp" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x002e], hex("aaaa03000000")))).toEqual({ offset: -1, proto: "other", reason: "ethertype" });
    expect(locateL3(LINKTYPE.ETHERNET, MACS)).toEqual({ offset: -1, proto: "other", reason: "short" });
    expect(locateL3(LINKTYPE.ETHERNET, new Uint8Array(0))).toEqual({ offset: -1, proto: "other", reason: "short" });
    // The ethertype is there but no byte of the IP header is.
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x0800], new Uint8Array(0)))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });

  test("an ethertype whose header has the wrong version nibble is not handed on", () => {
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x0800], V6))).toEqual({ offset: -1, proto: "other", reason: "version" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x86dd], V4))).toEqual({ offset: -1, proto: "other", reason: "version" });
  });
});

describe("PPPoE and MPLS", () => {
  test("a PPPoE session carries IPv4 (0x0021) or IPv6 (0x0057); discovery and PPP control are not IP", () => {
    const session = (ppp: number, ip: Uint8Array) => eth([0x8864, 0x1100, 0x0001, ip.length + 2, ppp], ip);
    expect(locateL3(LINKTYPE.ETHERNET, session(0x0021, V4))).toEqual({ offset: 22, proto: "ipv4" });
    expect(locateL3(LINKTYPE.ETHERNET, session(0x0057, V6))).toEqual({ offset: 22, proto: "ipv6" });
    expect(locateL3(LINKTYPE.ETHERNET, session(0xc021, new Uint8Array(8)))).toEqual({ offset: -1, proto: "other", reason: "ppp-control" });
    expect(locateL3(LINKTYPE.ETHERNET, session(0x0021, V6))).toEqual({ offset: -1, proto: "other", reason: "version" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8863, 0x1109], new Uint8Array(8)))).toEqual({ offset: -1, proto: "other", reason: "pppoe-discovery" });
    // Version/type other than 1/1, or a session cut before its PPP protocol.
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8864, 0x2100, 1, 22, 0x0021], V4))).toEqual({ offset: -1, proto: "other", reason: "pppoe" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8864, 0x1100, 1], new Uint8Array(0)))).toEqual({ offset: -1, proto: "other", reason: "short" });
    // PPPoE inside QinQ (a broadband access network): the tags are the VLAN key.
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x88a8, 0x0e78, 0x8100, 0x0001, 0x8864, 0x1100, 1, 22, 0x0021], V4))).toEqual({ offset: 30, proto: "ipv4", vlan: 0xe78001 });
  });

  test("an MPLS label stack down to the bottom-of-stack bit, then IP by its version nibble", () => {
    const label = (v: number, bottom: boolean) => [(v >> 4) & 0xffff, ((v & 0xf) << 12) | (bottom ? 0x0100 : 0) | 0x40];
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8847, ...label(16, true)], V4))).toEqual({ offset: 18, proto: "ipv4" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8847, ...label(16, false), ...label(17, true)], V6))).toEqual({ offset: 22, proto: "ipv6" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8100, 0x0c7f, 0x8847, ...label(16, true)], V4))).toEqual({ offset: 22, proto: "ipv4", vlan: 0xc7f000 });
    // A pseudowire control word (first nibble 0) is not IP; nine labels without a bottom are refused.
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8847, ...label(16, true)], hex("00000000")))).toEqual({ offset: -1, proto: "other", reason: "mpls" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8847, ...Array.from({ length: 9 }, () => label(16, false)).flat()], V4))).toEqual({ offset: -1, proto: "other", reason: "mpls" });
    expect(locateL3(LINKTYPE.ETHERNET, eth([0x8847, 0x0001], new Uint8Array(0)))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });
});

describe("raw IP", () => {
  test.each([LINKTYPE.RAW, LINKTYPE.RAW_DLT12, LINKTYPE.RAW_DLT14])("link type %i picks the family by version nibble", (lt) => {
    expect(locateL3(lt, V4)).toEqual({ offset: 0, proto: "ipv4" });
    expect(locateL3(lt, V6)).toEqual({ offset: 0, proto: "ipv6" });
    expect(locateL3(lt, hex("50000000"))).toEqual({ offset: -1, proto: "other", reason: "version" });
    expect(locateL3(lt, new Uint8Array(0))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });

  test("LINKTYPE_IPV4 and LINKTYPE_IPV6 accept only their family", () => {
    expect(locateL3(LINKTYPE.IPV4, V4)).toEqual({ offset: 0, proto: "ipv4" });
    expect(locateL3(LINKTYPE.IPV4, V6)).toEqual({ offset: -1, proto: "other", reason: "version" });
    expect(locateL3(LINKTYPE.IPV6, V6)).toEqual({ offset: 0, proto: "ipv6" });
  });
});

describe("Linux cooked capture", () => {
  test("v1 (113): 16-byte header, protocol last", () => {
    const sll = (proto: number) => hex(`0000 0304 0006 000000000000 0000 ${proto.toString(16).padStart(4, "0")}`);
    expect(locateL3(LINKTYPE.LINUX_SLL, concat(sll(0x0800), V4))).toEqual({ offset: 16, proto: "ipv4" });
    expect(locateL3(LINKTYPE.LINUX_SLL, concat(sll(0x86dd), V6))).toEqual({ offset: 16, proto: "ipv6" });
    // A VLAN tag left in the payload: TCI, inner type, then IP.
    expect(locateL3(LINKTYPE.LINUX_SLL, concat(sll(0x8100), hex("0064 0800"), V4))).toEqual({ offset: 20, proto: "ipv4", vlan: 0x064000 });
    expect(locateL3(LINKTYPE.LINUX_SLL, concat(sll(0x0806), new Uint8Array(28)))).toEqual({ offset: -1, proto: "other", reason: "arp" });
    expect(locateL3(LINKTYPE.LINUX_SLL, sll(0x0800).subarray(0, 15))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });

  test("v2 (276): 20-byte header, protocol first", () => {
    const sll2 = (proto: number) => hex(`${proto.toString(16).padStart(4, "0")} 0000 00000001 0304 00 06 0000000000000000`);
    expect(locateL3(LINKTYPE.LINUX_SLL2, concat(sll2(0x0800), V4))).toEqual({ offset: 20, proto: "ipv4" });
    expect(locateL3(LINKTYPE.LINUX_SLL2, concat(sll2(0x86dd), V6))).toEqual({ offset: 20, proto: "ipv6" });
    expect(locateL3(LINKTYPE.LINUX_SLL2, concat(sll2(0x8100), hex("0064 86dd"), V6))).toEqual({ offset: 24, proto: "ipv6", vlan: 0x064000 });
    expect(locateL3(LINKTYPE.LINUX_SLL2, sll2(0x0800))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });
});

describe("loopback", () => {
  test("null (0): AF in either host byte order; 24, 28 and 30 are IPv6", () => {
    expect(locateL3(LINKTYPE.NULL, concat(hex("02000000"), V4))).toEqual({ offset: 4, proto: "ipv4" });
    expect(locateL3(LINKTYPE.NULL, concat(hex("00000002"), V4))).toEqual({ offset: 4, proto: "ipv4" });
    for (const af of ["18000000", "1c000000", "1e000000", "00000018", "0000001c", "0000001e"]) {
      expect(locateL3(LINKTYPE.NULL, concat(hex(af), V6))).toEqual({ offset: 4, proto: "ipv6" });
    }
    expect(locateL3(LINKTYPE.NULL, concat(hex("07000000"), V4))).toEqual({ offset: -1, proto: "other", reason: "address-family" });
    expect(locateL3(LINKTYPE.NULL, hex("020000"))).toEqual({ offset: -1, proto: "other", reason: "short" });
  });

  test("loop (108): AF in network byte order only", () => {
    expect(locateL3(LINKTYPE.LOOP, concat(hex("00000002"), V4))).toEqual({ offset: 4, proto: "ipv4" });
    expect(locateL3(LINKTYPE.LOOP, concat(hex("0000001c"), V6))).toEqual({ offset: 4, proto: "ipv6" });
    expect(locateL3(LINKTYPE.LOOP, concat(hex("02000000"), V4))).toEqual({ offset: -1, proto: "other", reason: "address-family" });
  });
});

test("an unknown link type gives no IP packet", () => {
  expect(locateL3(147, V4)).toEqual({ offset: -1, proto: "other", reason: "link-type" });
});

test("frameFor wraps IP packets so that locateL3 finds them again", () => {
  const types = [LINKTYPE.ETHERNET, LINKTYPE.RAW, LINKTYPE.LINUX_SLL, LINKTYPE.LINUX_SLL2, LINKTYPE.NULL, LINKTYPE.LOOP];
  for (const lt of types) {
    for (const ip of [V4, V6]) {
      const frame = frameFor(lt, ip);
      const l3 = locateL3(lt, frame);
      expect(l3.proto).toBe(ip === V4 ? "ipv4" : "ipv6");
      expect(frame.subarray(l3.offset)).toEqual(ip);
    }
  }
  expect(() => frameFor(147, V4)).toThrow(/link type 147/);
});

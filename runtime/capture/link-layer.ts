/**
 * Find the IP packet inside a captured frame, so the engine is handed layer 3 directly. Only
 * offsets are computed; the frame is never copied. Anything we cannot place (ARP, LLC, a link type
 * we do not know, a frame cut before its IP header) gives offset -1 and "other".
 */
import { LINKTYPE, type L3Proto } from "./types.js";

export interface L3Location {
  offset: number;
  proto: L3Proto;
}

const NONE: L3Location = Object.freeze({ offset: -1, proto: "other" }) as L3Location;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

/** 802.1Q, 802.1ad (QinQ) and the pre-standard QinQ tags seen in the wild. */
function isVlanTag(type: number): boolean {
  return type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200 || type === 0x9300;
}

export function locateL3(linkType: number, data: Uint8Array): L3Location {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return afterEthertype(data, 12, 14);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
      return byVersion(data, 0);
    case LINKTYPE.IPV4:
      return expect(data, 0, "ipv4");
    case LINKTYPE.IPV6:
      return expect(data, 0, "ipv6");
    case LINKTYPE.LINUX_SLL:
      // 16-byte header; the protocol (an ethertype for IP) is its last field.
      return afterEthertype(data, 14, 16);
    case LINKTYPE.LINUX_SLL2:
      // 20-byte header; the protocol comes first.
      return afterEthertype(data, 0, 20);
    case LINKTYPE.NULL:
      return data.length < 4 ? NONE : fromAddressFamily(data, nullFamily(data));
    case LINKTYPE.LOOP:
      return data.length < 4 ? NONE : fromAddressFamily(data, readU32BE(data, 0));
    default:
      return NONE;
  }
}

/**
 * Read the ethertype at `typeAt` (its payload starts at `payloadAt`), follow any stack of VLAN tags
 * and place the IP header. A tag is the 2-byte TCI plus the inner type, so every step moves forward
 * four bytes and a frame full of tags ends at its own length.
 */
function afterEthertype(data: Uint8Array, typeAt: number, payloadAt: number): L3Location {
  if (payloadAt > data.length) return NONE;
  let type = readU16(data, typeAt);
  let payload = payloadAt;
  while (isVlanTag(type)) {
    if (payload + 4 > data.length) return NONE;
    type = readU16(data, payload + 2);
    payload += 4;
  }
  return fromEthertype(data, type, payload);
}

function fromEthertype(data: Uint8Array, type: number, offset: number): L3Location {
  if (type === ETHERTYPE_IPV4) return expect(data, offset, "ipv4");
  if (type === ETHERTYPE_IPV6) return expect(data, offset, "ipv6");
  return NONE;
}

/**
 * The loopback header's address family is in the capturing host's byte order, which the file does
 * not record. AF values are small, so a value with its upper half set was written the other way.
 */
function nullFamily(data: Uint8Array): number {
  const le = (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  return le & 0xffff0000 ? readU32BE(data, 0) : le;
}

/** AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD, DragonFly), 30 (Darwin). */
function fromAddressFamily(data: Uint8Array, family: number): L3Location {
  if (family === 2) return expect(data, 4, "ipv4");
  if (family === 24 || family === 28 || family === 30) return expect(data, 4, "ipv6");
  return NONE;
}

function byVersion(data: Uint8Array, offset: number): L3Location {
  const b = data[offset];
  if (b === undefined) return NONE;
  const version = b >> 4;
  if (version === 4) return { offset, proto: "ipv4" };
  if (version === 6) return { offset, proto: "ipv6" };
  return NONE;
}

/**
 * The link layer says which IP version follows; believe it only when the header's version nibble
 * agrees, so the engine never decodes a mislabelled packet as the wrong family.
 */
function expect(data: Uint8Array, offset: number, proto: "ipv4" | "ipv6"): L3Location {
  const b = data[offset];
  if (b === undefined) return NONE;
  return (b >> 4) === (proto === "ipv4" ? 4 : 6) ? { offset, proto } : NONE;
}

function readU16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

function readU32BE(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

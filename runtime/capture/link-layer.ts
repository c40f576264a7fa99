/**
 * Find the IP packet inside a captured frame, so the engine is handed layer 3 directly. Only
 * offsets are computed; the frame is never copied. VLAN tags (802.1Q, QinQ), PPPoE sessions and
 * MPLS label stacks are walked through; the VLAN ids become the flow's VLAN key (flows on
 * different VLANs never merge). Anything we cannot place gives offset -1, "other" and a reason
 * (NOT_IP_REASONS), counted in the capture summary. Tunnels inside IP (GRE, VXLAN, …) are the
 * engine's (asm/packet/tunnel.ts).
 */
import { LINKTYPE, type L3Proto, type NotIpReason } from "./types.js";

export interface L3Location {
  offset: number;
  proto: L3Proto;
  /** The VLAN key: outer tag id << 12 | second tag id (absent: untagged). */
  vlan?: number;
  /** Why there is no IP packet (offset -1). */
  reason?: NotIpReason;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
/** MPLS labels followed before the stack is taken as broken. */
const MPLS_MAX = 8;

const none = (reason: NotIpReason): L3Location => ({ offset: -1, proto: "other", reason });
const NONE = none("short");

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
      return none("link-type");
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
  let tags = 0;
  let vlan = 0;
  while (isVlanTag(type)) {
    if (payload + 4 > data.length) return NONE;
    // The first two tags' ids make the key (a third or later tag is walked, not kept).
    const id = readU16(data, payload) & 0xfff;
    if (tags === 0) vlan = id << 12;
    else if (tags === 1) vlan |= id;
    tags++;
    type = readU16(data, payload + 2);
    payload += 4;
  }
  const l3 = fromEthertype(data, type, payload);
  if (vlan !== 0 && l3.offset >= 0) l3.vlan = vlan;
  return l3;
}

function fromEthertype(data: Uint8Array, type: number, offset: number): L3Location {
  if (type === ETHERTYPE_IPV4) return expect(data, offset, "ipv4");
  if (type === ETHERTYPE_IPV6) return expect(data, offset, "ipv6");
  if (type === ETHERTYPE_PPPOE_SESSION) return pppoe(data, offset);
  if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) return mpls(data, offset);
  if (type === ETHERTYPE_ARP) return none("arp");
  if (type === ETHERTYPE_PPPOE_DISCOVERY) return none("pppoe-discovery");
  return none("ethertype");
}

/**
 * A PPPoE session frame (RFC 2516): version 1, type 1, code 0, session id, length; then the PPP
 * protocol. IPv4 and IPv6 are given; LCP, IPCP and the other control protocols are not IP.
 */
function pppoe(data: Uint8Array, at: number): L3Location {
  if (at + 8 > data.length) return NONE;
  if (data[at] !== 0x11 || data[at + 1] !== 0) return none("pppoe");
  const ppp = readU16(data, at + 6);
  if (ppp === PPP_IPV4) return expect(data, at + 8, "ipv4");
  if (ppp === PPP_IPV6) return expect(data, at + 8, "ipv6");
  return none("ppp-control");
}

/**
 * An MPLS label stack (RFC 3032): 4-byte entries up to the one with the bottom-of-stack bit; the
 * payload's first nibble says IPv4 or IPv6 (what an LSR itself does for IP over MPLS). A payload
 * that is neither (a pseudowire's Ethernet, a control word) is not placed.
 */
function mpls(data: Uint8Array, at: number): L3Location {
  for (let i = 0; i < MPLS_MAX; i++) {
    if (at + 4 > data.length) return NONE;
    const bottom = (data[at + 2]! & 1) !== 0;
    at += 4;
    if (bottom) {
      const l3 = byVersion(data, at);
      return l3.offset >= 0 ? l3 : none("mpls");
    }
  }
  return none("mpls");
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
  return none("address-family");
}

function byVersion(data: Uint8Array, offset: number): L3Location {
  const b = data[offset];
  if (b === undefined) return NONE;
  const version = b >> 4;
  if (version === 4) return { offset, proto: "ipv4" };
  if (version === 6) return { offset, proto: "ipv6" };
  return none("version");
}

/**
 * The link layer says which IP version follows; believe it only when the header's version nibble
 * agrees, so the engine never decodes a mislabelled packet as the wrong family.
 */
function expect(data: Uint8Array, offset: number, proto: "ipv4" | "ipv6"): L3Location {
  const b = data[offset];
  if (b === undefined) return NONE;
  return (b >> 4) === (proto === "ipv4" ? 4 : 6) ? { offset, proto } : none("version");
}

function readU16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

function readU32BE(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

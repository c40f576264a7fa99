// Packet decode: IPv4 (options, total length against captured length, fragments), IPv6 with a
// bounded extension-header chain (hop-by-hop, routing, destination options, fragment, AH), then
// TCP (options: MSS, window scale; flags), UDP, ICMP/ICMPv6. Every read is inside [p, p + len)
// by an explicit check first; a packet that breaks a rule gets an MR_* reason and goes no further.
// What it decodes goes into the packet record `pkt` (asm/packet/decoded.ts), which later stages read.
import {
  MR_BAD_EXT_HEADER, MR_BAD_FRAGMENT, MR_BAD_ICMP, MR_BAD_IHL, MR_BAD_IP_OPTIONS, MR_BAD_TCP_FLAGS,
  MR_BAD_TCP_OFFSET, MR_BAD_TCP_OPTIONS, MR_BAD_TOTAL_LENGTH, MR_BAD_UDP_LENGTH, MR_BAD_VERSION,
  MR_EXT_CHAIN_TOO_LONG, MR_NONE, MR_TOO_SHORT, MR_TRUNCATED_L4, MR_TUNNEL, MR_TUNNEL_DEPTH, MR_TUNNEL_NOT_IP, TUN_NONE,
} from "../abi-packet";
import * as T from "./tunnel";
import { pkt } from "./decoded";

export const TCP: u32 = 6;
export const UDP: u32 = 17;
export const ICMP: u32 = 1;
export const ICMP6: u32 = 58;

export const TH_FIN: u32 = 1;
export const TH_SYN: u32 = 2;
export const TH_RST: u32 = 4;
export const TH_ACK: u32 = 16;

/** At most this many IPv6 extension headers before the transport header. */
const EXT_MAX: u32 = 8;
/** A datagram may not extend past this (RFC 791 total length; ping of death goes beyond). */
const IP_MAX: u32 = 65535;

/** Not whole 8-byte units but not the last: its datagram can never complete without an overlap. */
export const FRAG_ODD_UNITS: u32 = 1;
/** Reaching past 65,535 bytes: the ping of death. */
export const FRAG_ODD_PAST_MAX: u32 = 2;

@inline export function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

@inline export function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

@inline function be64(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

/** ICMP echo and timestamp messages (ICMPv6 echo) carry an identifier: the flow's ports. */
export function icmpHasId(proto: u32, type: u32): bool {
  return proto == ICMP ? type == 8 || type == 0 || type == 13 || type == 14 : type == 128 || type == 129;
}

/** An echo or timestamp reply: the responder's message. */
export function icmpAnswer(proto: u32, type: u32): bool {
  return proto == ICMP ? type == 0 || type == 14 : type == 129;
}

/**
 * IPv4 or TCP options, from byte 20 of the header at `p` to `end`: EOL ends, NOP is one byte, every
 * other option has a length 2.. inside the header. TCP's MSS (kind 2, length 4) and window scale
 * (kind 3, length 3) are read, their lengths checked. Inline with a constant `tcp`: no branch on it.
 */
@inline function optionsOk(p: usize, end: u32, tcp: bool): bool {
  let i: u32 = 20;
  while (i < end) {
    const kind = <u32>load<u8>(p + i);
    if (kind == 0) return true;
    if (kind == 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) return false;
    const l = <u32>load<u8>(p + i + 1);
    if (l < 2 || i + l > end) return false;
    if (tcp && kind == 2) {
      if (l != 4) return false;
      pkt.mss = be16(p + i + 2);
    } else if (tcp && kind == 3) {
      if (l != 3) return false;
      pkt.wscale = min<u32>(<u32>load<u8>(p + i + 2), 14);
    }
    i += l;
  }
  return true;
}

function ip4OptionsOk(p: usize, end: u32): bool {
  return optionsOk(p, end, false);
}

function tcpOptions(p: usize, end: u32): bool {
  return optionsOk(p, end, true);
}

/**
 * The transport header at `p`: `avail` bytes captured, `wire` bytes by the IP header (avail <=
 * wire). Sets ports, flags and the payload.
 */
export function decodeL4(p: usize, avail: u32, wire: u32): u32 {
  pkt.sport = 0;
  pkt.dport = 0;
  pkt.tcpFlags = 0;
  pkt.mss = 0;
  pkt.wscale = 0xff;
  pkt.icmpType = 0;
  pkt.icmpCode = 0;
  pkt.icmpId = 0;
  pkt.payload = p;
  pkt.payloadLen = 0;
  pkt.payloadWire = 0;
  if (pkt.proto == TCP) {
    if (wire < 20) return MR_BAD_TCP_OFFSET;
    if (avail < 20) return MR_TRUNCATED_L4;
    const doff = (<u32>load<u8>(p + 12) >> 4) << 2;
    if (doff < 20 || doff > wire) return MR_BAD_TCP_OFFSET;
    if (doff > avail) return MR_TRUNCATED_L4;
    pkt.tcpFlags = <u32>load<u8>(p + 13);
    const syn = (pkt.tcpFlags & TH_SYN) != 0;
    if ((syn && (pkt.tcpFlags & (TH_FIN | TH_RST)) != 0) || (pkt.tcpFlags & 0x3f) == 0) return MR_BAD_TCP_FLAGS;
    if (!tcpOptions(p, doff)) return MR_BAD_TCP_OPTIONS;
    pkt.sport = be16(p);
    pkt.dport = be16(p + 2);
    pkt.seq = be32(p + 4);
    pkt.ackNo = be32(p + 8);
    pkt.window = be16(p + 14);
    pkt.payload = p + doff;
    pkt.payloadLen = avail - doff;
    pkt.payloadWire = wire - doff;
    return MR_NONE;
  }
  if (pkt.proto == UDP) {
    if (avail < 8) return wire < 8 ? MR_BAD_UDP_LENGTH : MR_TRUNCATED_L4;
    const ulen = be16(p + 4);
    if (ulen < 8 || ulen > wire) return MR_BAD_UDP_LENGTH;
    pkt.sport = be16(p);
    pkt.dport = be16(p + 2);
    pkt.payload = p + 8;
    pkt.payloadLen = min<u32>(avail, ulen) - 8;
    pkt.payloadWire = ulen - 8;
    return MR_NONE;
  }
  if (pkt.proto == ICMP || pkt.proto == ICMP6) {
    if (wire < 8) return MR_BAD_ICMP;
    if (avail < 8) return MR_TRUNCATED_L4;
    pkt.icmpType = <u32>load<u8>(p);
    pkt.icmpCode = <u32>load<u8>(p + 1);
    if (icmpHasId(pkt.proto, pkt.icmpType)) pkt.icmpId = be16(p + 4);
    pkt.payload = p + 8;
    pkt.payloadLen = avail - 8;
    pkt.payloadWire = wire - 8;
    return MR_NONE;
  }
  pkt.payloadLen = avail;
  pkt.payloadWire = wire;
  return MR_NONE;
}

/** A fragment of `n` bytes whose datagram reaches `reach` bytes: MR_NONE, or bad but odd (fragOdd). */
function oddFragment(more: bool, n: u32, reach: u32): u32 {
  if (reach > IP_MAX) pkt.fragOdd = FRAG_ODD_PAST_MAX;
  else if (more && (n & 7) != 0) pkt.fragOdd = FRAG_ODD_UNITS;
  return pkt.fragOdd != 0 ? MR_BAD_FRAGMENT : MR_NONE;
}

function decode4(p: usize, len: u32): u32 {
  if (len < 20) return MR_TOO_SHORT;
  const ihl = (<u32>load<u8>(p) & 15) << 2;
  if (ihl < 20 || ihl > len) return MR_BAD_IHL;
  const total = be16(p + 2);
  if (total < ihl) return MR_BAD_TOTAL_LENGTH;
  if (ihl > 20 && !ip4OptionsOk(p, ihl)) return MR_BAD_IP_OPTIONS;
  pkt.family = 4;
  pkt.truncated = len < total;
  const avail = min<u32>(len, total);
  pkt.srcLo = (<u64>0xffff << 32) | <u64>be32(p + 12);
  pkt.srcHi = 0;
  pkt.dstLo = (<u64>0xffff << 32) | <u64>be32(p + 16);
  pkt.dstHi = 0;
  pkt.proto = <u32>load<u8>(p + 9);
  const fo = be16(p + 6);
  const off = (fo & 0x1fff) << 3;
  const more = (fo & 0x2000) != 0;
  if (more || off != 0) {
    const n = total - ihl;
    pkt.isFrag = true;
    pkt.fragId = be16(p + 4);
    pkt.fragOff = off;
    pkt.fragMore = more;
    pkt.fragData = p + ihl;
    pkt.fragLen = n;
    pkt.fragNext = pkt.proto;
    if (n == 0 || pkt.truncated) return MR_BAD_FRAGMENT;
    // Every fragment but the last carries whole 8-byte units; none may reach past 65535.
    return oddFragment(more, n, off + n + ihl);
  }
  return decodeL4(p + ihl, avail - ihl, total - ihl);
}

/**
 * Walk an IPv6 extension-header chain from header `nh` at p + at (inside `avail` captured bytes
 * of `total`). Returns MR_NONE with `proto` and the transport header decoded, or a fragment.
 * `first` allows hop-by-hop (only legal right after the fixed header).
 */
export function walk6(p: usize, at: u32, avail: u32, total: u32, nh: u32, first: bool): u32 {
  let n: u32 = 0;
  while (true) {
    if (nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 44) {
      if (++n > EXT_MAX) return MR_EXT_CHAIN_TOO_LONG;
      if (nh == 0 && !(first && n == 1)) return MR_BAD_EXT_HEADER;
      if (at + 8 > total) return MR_BAD_EXT_HEADER;
      if (at + 8 > avail) return MR_TRUNCATED_L4;
      if (nh == 44) {
        const fo = be16(p + at + 2);
        const off = fo & 0xfff8;
        const more = (fo & 1) != 0;
        const next = <u32>load<u8>(p + at);
        if (off != 0 || more) {
          const len = total - at - 8;
          pkt.isFrag = true;
          pkt.fragId = be32(p + at + 4);
          pkt.fragOff = off;
          pkt.fragMore = more;
          pkt.fragData = p + at + 8;
          pkt.fragLen = len;
          pkt.fragNext = next;
          if (len == 0 || avail < total) return MR_BAD_FRAGMENT;
          return oddFragment(more, len, off + len);
        }
        // An atomic fragment (offset 0, no more): the datagram is whole (RFC 6946).
        nh = next;
        at += 8;
        continue;
      }
      const hlen = nh == 51 ? (<u32>load<u8>(p + at + 1) + 2) << 2 : (<u32>load<u8>(p + at + 1) + 1) << 3;
      if (at + hlen > total) return MR_BAD_EXT_HEADER;
      if (at + hlen > avail) return MR_TRUNCATED_L4;
      nh = <u32>load<u8>(p + at);
      at += hlen;
      continue;
    }
    pkt.proto = nh;
    return decodeL4(p + at, avail - at, total - at);
  }
}

function decode6(p: usize, len: u32): u32 {
  if (len < 40) return MR_TOO_SHORT;
  const plen = be16(p + 4);
  // A zero payload length means a jumbogram (RFC 2675), which cannot occur below 64 KiB frames.
  if (plen == 0) return MR_BAD_TOTAL_LENGTH;
  const total: u32 = 40 + plen;
  pkt.family = 6;
  pkt.truncated = len < total;
  pkt.srcHi = be64(p + 8);
  pkt.srcLo = be64(p + 16);
  pkt.dstHi = be64(p + 24);
  pkt.dstLo = be64(p + 32);
  return walk6(p, 40, min<u32>(len, total), total, <u32>load<u8>(p + 6), true);
}

/**
 * A reassembled datagram: `len` bytes after the IP header (IPv6: after the fragment header)
 * carrying `next`. A fragment header inside it is malformed (no nested fragmentation).
 */
export function decodeDatagram(p: usize, len: u32, next: u32): u32 {
  pkt.isFrag = false;
  pkt.fragOdd = 0;
  if (pkt.family == 4) {
    pkt.proto = next;
    return decap(decodeL4(p, len, len), 0);
  }
  const r = walk6(p, 0, len, len, next, false);
  return pkt.isFrag ? MR_BAD_FRAGMENT : decap(r, 0);
}

/** One IP header and what follows it, at `p` (`len` captured bytes). */
function decodeOne(p: usize, len: u32): u32 {
  pkt.isFrag = false;
  pkt.fragOdd = 0;
  if (len == 0) return MR_TOO_SHORT;
  const v = <u32>load<u8>(p) >> 4;
  if (v == 4) return decode4(p, len);
  if (v == 6) return decode6(p, len);
  return MR_BAD_VERSION;
}

/**
 * Follow tunnels from a decoded packet (decode result `r`, `depth` tunnels already opened): while
 * it carries one, note the outermost addresses and decode the inner packet in its place.
 */
function decap(r: u32, depth: u32): u32 {
  while (r == MR_NONE && !pkt.isFrag) {
    const k = T.inner(pkt.proto, pkt.dport, pkt.payload, pkt.payloadLen);
    if (k == T.IN_NONE) return r;
    if (k == T.IN_BAD) return MR_TUNNEL;
    if (k == T.IN_NOT_IP) return MR_TUNNEL_NOT_IP;
    if (++depth > T.TUNNEL_DEPTH_MAX) return MR_TUNNEL_DEPTH;
    if (pkt.tunnel == TUN_NONE) {
      pkt.tunnel = pkt.innerKind;
      pkt.tunnelId = pkt.innerId;
      pkt.outerFamily = pkt.family;
      pkt.outerSrcLo = pkt.srcLo;
      pkt.outerSrcHi = pkt.srcHi;
      pkt.outerDstLo = pkt.dstLo;
      pkt.outerDstHi = pkt.dstHi;
    }
    // A truncated outer packet stays truncated inside.
    const cut = pkt.truncated;
    r = decodeOne(pkt.innerAt, pkt.innerLen);
    pkt.truncated = pkt.truncated || cut;
  }
  return r;
}

/** Decode the IP packet of `len` captured bytes at `p`. MR_NONE or the reason it is malformed. */
export function decodeIp(p: usize, len: u32): u32 {
  pkt.truncated = false;
  pkt.tunnel = TUN_NONE;
  pkt.tunnelId = 0;
  pkt.outerFamily = 0;
  return decap(decodeOne(p, len), 0);
}

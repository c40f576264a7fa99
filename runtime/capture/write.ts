/**
 * A small classic-pcap writer, for tests and tools that craft captures, and `frameFor`, which puts an
 * IP packet inside a link-layer header so crafted packets can be written under any link type we read.
 */
import { LINKTYPE } from "./types.js";

export interface PacketToWrite {
  /** Nanoseconds since the epoch (default 0n). Written in µs unless `nanos` is set. */
  ts?: bigint;
  /** The frame as it goes in the file; cut to `snaplen`. */
  data: Uint8Array;
  /** Bytes on the wire (default: `data.length`). */
  originalLength?: number;
}

export interface PcapWriteOptions {
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nanos?: boolean;
  /** Big-endian file (default little-endian, as x86 tcpdump writes). */
  bigEndian?: boolean;
  /** Snapshot length written in the header and applied to frames (default 262144). */
  snaplen?: number;
}

const NS_PER_S = 1_000_000_000n;

/** The 24-byte file header. */
export function pcapHeader(linkType: number, opts: PcapWriteOptions = {}): Uint8Array {
  const out = new Uint8Array(24);
  const v = new DataView(out.buffer);
  const le = !opts.bigEndian;
  v.setUint32(0, opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, opts.snaplen ?? 262144, le);
  v.setUint32(20, linkType, le);
  return out;
}

/** One record: 16-byte header and the (snaplen-cut) frame. */
export function pcapRecord(p: PacketToWrite, opts: PcapWriteOptions = {}): Uint8Array {
  const snaplen = opts.snaplen ?? 262144;
  const caplen = Math.min(p.data.length, snaplen);
  const out = new Uint8Array(16 + caplen);
  const v = new DataView(out.buffer);
  const le = !opts.bigEndian;
  const ts = p.ts ?? 0n;
  if (ts < 0n || ts / NS_PER_S > 0xffffffffn) throw new RangeError(`timestamp ${ts} ns does not fit a pcap record`);
  const frac = ts % NS_PER_S;
  v.setUint32(0, Number(ts / NS_PER_S), le);
  v.setUint32(4, Number(opts.nanos ? frac : frac / 1000n), le);
  v.setUint32(8, caplen, le);
  v.setUint32(12, p.originalLength ?? p.data.length, le);
  out.set(p.data.subarray(0, caplen), 16);
  return out;
}

/** A whole capture in memory. */
export function writePcap(packets: Iterable<PacketToWrite>, linkType: number, opts: PcapWriteOptions = {}): Uint8Array {
  const parts = [pcapHeader(linkType, opts)];
  for (const p of packets) parts.push(pcapRecord(p, opts));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * `ip` (an IPv4 or IPv6 packet, by its version nibble) inside a header of `linkType`: Ethernet with
 * zero MACs, raw, Linux cooked v1/v2 (outgoing, ARPHRD_LOOPBACK), BSD null (little-endian AF) or
 * OpenBSD loop (big-endian AF).
 */
export function frameFor(linkType: number, ip: Uint8Array): Uint8Array {
  const v6 = (ip[0] ?? 0) >> 4 === 6;
  const ethertype = v6 ? 0x86dd : 0x0800;
  const af = v6 ? 30 : 2;
  const header = linkHeader(linkType, ethertype, af);
  const out = new Uint8Array(header.length + ip.length);
  out.set(header, 0);
  out.set(ip, header.length);
  return out;
}

function linkHeader(linkType: number, ethertype: number, af: number): Uint8Array {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return bytes(12, [ethertype >> 8, ethertype & 0xff]);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return new Uint8Array(0);
    case LINKTYPE.LINUX_SLL:
      // packet type 4 (outgoing), ARPHRD_LOOPBACK 772, address length 6, address, protocol.
      return Uint8Array.of(0, 4, 0x03, 0x04, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, ethertype >> 8, ethertype & 0xff);
    case LINKTYPE.LINUX_SLL2:
      // protocol, reserved, ifindex 1, ARPHRD_LOOPBACK, packet type 4, address length 6, address.
      return Uint8Array.of(ethertype >> 8, ethertype & 0xff, 0, 0, 0, 0, 0, 1, 0x03, 0x04, 4, 6, 0, 0, 0, 0, 0, 0, 0, 0);
    case LINKTYPE.NULL:
      return Uint8Array.of(af, 0, 0, 0);
    case LINKTYPE.LOOP:
      return Uint8Array.of(0, 0, 0, af);
    default:
      throw new RangeError(`cannot frame an IP packet for link type ${linkType}`);
  }
}

function bytes(zeros: number, tail: number[]): Uint8Array {
  const out = new Uint8Array(zeros + tail.length);
  out.set(tail, zeros);
  return out;
}

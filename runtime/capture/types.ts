/**
 * The shapes the capture readers produce: one packet per record, a summary filled as reading goes,
 * and the link-type numbers we understand. Documented in docs/formats.md ("Captures").
 */

/** LINKTYPE_* values (tcpdump.org/linktypes.html) that the link-layer stripper understands. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW on most BSDs and Linux when written by old libpcaps. */
  RAW_DLT12: 12,
  /** DLT_RAW on OpenBSD. */
  RAW_DLT14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type L3Proto = "ipv4" | "ipv6" | "other";

/**
 * Why a frame has no IP packet to give: cut before it, a link type or address family we do not
 * read, ARP, another ethertype (LLDP, …), PPPoE discovery or a malformed PPPoE header, a PPP
 * control protocol (LCP, IPCP…), an MPLS payload that is not IP, a version nibble that contradicts
 * the link layer.
 */
export const NOT_IP_REASONS = ["short", "link-type", "address-family", "arp", "ethertype", "pppoe-discovery", "pppoe", "ppp-control", "mpls", "version"] as const;
export type NotIpReason = (typeof NOT_IP_REASONS)[number];

export interface CapturePacket {
  /**
   * Capture time in nanoseconds since the Unix epoch (UTC). A bigint, because nanoseconds since 1970
   * do not fit a double exactly. Simple Packet Blocks carry no time: they repeat the previous
   * packet's `ts` (0n before any timestamped packet).
   */
  ts: bigint;
  /** Index into `summary.interfaces`; always 0 for classic pcap. File-global across pcapng sections. */
  iface: number;
  linkType: number;
  /** Bytes present in `data`. */
  capturedLength: number;
  /** Bytes on the wire. */
  originalLength: number;
  /** The frame was cut by the snapshot length (`capturedLength < originalLength`). */
  truncated: boolean;
  /**
   * The captured frame, link-layer header included. A view, not a copy: it may share an
   * ArrayBuffer with neighbouring packets, and is never overwritten by the reader.
   */
  data: Uint8Array;
  /** Where the IPv4/IPv6 header starts in `data`, or -1 when there is no IP packet to give. */
  l3Offset: number;
  l3Proto: L3Proto;
  /** The VLAN key of a tagged frame (outer id << 12 | second tag id); absent when untagged. */
  vlan?: number;
  /** Why `l3Offset` is -1. */
  notIp?: NotIpReason;
  /** Byte offset of the record in the capture (after gzip decompression), for messages. */
  offset: number;
}

export interface CaptureInterface {
  linkType: number;
  /** 0 when the file does not say. */
  snaplen: number;
  /** Timestamp resolution as written: `1e-6`, `1e-9`, `2^-20`… (for display). */
  tsResolution: string;
  /** pcapng `if_name`, when present. */
  name?: string;
  /** pcapng section number (0 for classic pcap). */
  section: number;
}

export type CaptureErrorKind = "io" | "format" | "corrupt" | "truncated";

export interface CaptureError {
  /** One line, lowercase, no final period. */
  message: string;
  /** Byte offset of the bad header, record or block (decompressed bytes for gzip input). */
  offset: number;
  /** io: cannot read; format: not a capture we read; corrupt: a bad field; truncated: the data stops mid-record. */
  kind: CaptureErrorKind;
}

export interface CaptureSummary {
  format?: "pcap" | "pcapng";
  /** The input was gzip-compressed (offsets then count decompressed bytes). */
  gzip: boolean;
  /** Packets delivered. */
  packets: number;
  /** Captured bytes delivered (sum of `capturedLength`). */
  bytes: number;
  /** Delivered packets cut by the snapshot length. */
  truncated: number;
  /** Delivered packets with no IP packet to give (`l3Offset` -1): ARP, LLC, unknown link types… */
  notIp: number;
  /** The same by what they carry (capture/not-ip.ts): `arp`, `lldp`, `llc`, `link type 105`… */
  notIpKinds: Record<string, number>;
  /** `notIp` by reason (NOT_IP_REASONS; those above zero). */
  notIpBy: Partial<Record<NotIpReason, number>>;
  /** Records and blocks read but not delivered, by reason (see docs/formats.md). */
  skipped: Record<string, number>;
  /** Every interface seen, indexed by `CapturePacket.iface`. */
  interfaces: CaptureInterface[];
  /** Bytes of the capture decoded so far (decompressed). */
  offset: number;
  /** Raw bytes read from the source so far (compressed bytes for gzip; runs ahead of `offset`). */
  inputBytes: number;
  /** The source's size when known (a regular file), for progress. */
  inputSize?: number;
  /** Bytes after the last complete gzip member that were ignored (padding, an appended file). */
  gzipTrailing?: number;
  /** Set when reading stopped early; every packet before `error.offset` was delivered. */
  error?: CaptureError;
}

export interface ReadCaptureOptions {
  /**
   * Largest captured length accepted for one packet; a record claiming more is corruption.
   * Default 262144 (libpcap's MAXIMUM_SNAPLEN); at most 64 MiB.
   */
  maxPacketBytes?: number;
  /** Read size for file paths (default 256 KiB, at most 64 MiB). */
  chunkBytes?: number;
}

export const DEFAULT_MAX_PACKET_BYTES = 262_144;
export const MAX_MAX_PACKET_BYTES = 64 * 1024 * 1024;

export function newSummary(): CaptureSummary {
  return {
    gzip: false,
    packets: 0,
    bytes: 0,
    truncated: 0,
    notIp: 0,
    notIpKinds: {},
    notIpBy: {},
    skipped: {},
    interfaces: [],
    offset: 0,
    inputBytes: 0,
  };
}

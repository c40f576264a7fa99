// The current packet: one record at a fixed address in the engine's static data, written by
// asm/packet/decode.ts (and tunnel.ts, frag.ts, the flow lookup for their parts) and read by every
// later stage (flow table, threats, DPI, fragments) through `pkt`. One explicit record instead of module-level variables: what the current packet is lives in
// one place, its fields are typed, and a reader names where it reads from.
//
// The address is reserved with `memory.data`, so it lies below heapBase() (the engine's static data,
// checked against ENGINE_STATIC_MAX by the build and by the host) in the engine and in every test
// harness build alike, and nothing the host places can overlap it. It is a compile-time constant:
// `pkt.srcLo` compiles to a load from a constant address, as cheap as the globals it replaces.
// The host never reads it, so its layout is the engine's own (not part of common/abi*.ts).

/** The fields: valid after decodeIp / decodeDatagram returned MR_NONE unless said otherwise. */
@unmanaged export class Decoded {
  /** Addresses as 128-bit values, two u64 halves (IPv4 is ::ffff:a.b.c.d). */
  srcLo: u64;
  srcHi: u64;
  dstLo: u64;
  dstHi: u64;
  /** The outermost tunnel's outer addresses (tunnel != TUN_NONE); the fields above are the innermost packet's. */
  outerSrcLo: u64;
  outerSrcHi: u64;
  outerDstLo: u64;
  outerDstHi: u64;
  /** Transport payload: captured bytes at `payload`. */
  payload: usize;
  /** A fragment (isFrag): its data. */
  fragData: usize;
  family: u32;
  proto: u32;
  sport: u32;
  dport: u32;
  tcpFlags: u32;
  seq: u32;
  ackNo: u32;
  window: u32;
  /** TCP MSS option (0: absent) and window scale (0xff: absent). */
  mss: u32;
  wscale: u32;
  icmpType: u32;
  icmpCode: u32;
  icmpId: u32;
  /** Payload bytes captured, and its length on the wire. */
  payloadLen: u32;
  payloadWire: u32;
  /** The outermost tunnel the packet came in (TUN_*; TUN_NONE: none), its id, the outer family. */
  tunnel: u32;
  tunnelId: u32;
  outerFamily: u32;
  /** A fragment (isFrag): its datagram's id, where it goes, its length, what the datagram carries. */
  fragId: u32;
  fragOff: u32;
  fragLen: u32;
  fragNext: u32;
  /**
   * A malformed fragment that still says where its datagram reaches (FRAG_ODD_*; the fragment
   * fields are set): asm/packet/frag.ts keeps it as evidence for the teardrop and ping-of-death checks.
   */
  fragOdd: u32;
  /** Captured bytes shorter than the IP header says (a snapshot length cut): decoded, counted. */
  truncated: bool;
  isFrag: bool;
  fragMore: bool;

  // Tunnel decapsulation (asm/packet/tunnel.ts inner()): where the carried IP packet starts, its
  // captured bytes, the tunnel found (TUN_*) and its id (VNI, GRE key, ERSPAN session; 0: none).
  innerAt: usize;
  innerLen: u32;
  innerKind: u32;
  innerId: u32;

  // Reassembly (asm/packet/frag.ts). The fragment insert() took last: its datagram's slot (0:
  // none), and whether it overlapped and where.
  fragSlot: usize;
  fragOverlapAt: u32;
  fragOverlapped: bool;
  /** The completed datagram (FRAG_DONE): its slot, payload (after the IP and fragment headers) and what it carries. */
  doneSlot: usize;
  doneData: usize;
  doneLen: u32;
  doneNext: u32;
  /** Byte offset in the datagram of its first overlap (teardrop evidence). */
  doneOverlapAt: u32;
  /** What the threat stage already judged of the completed datagram (FB_TEARDROP, FB_PING). */
  doneJudged: u32;
  doneOverlap: bool;

  /** The packet's direction in its flow, set by the flow table's lookup(): 0 client to server, 1 back. */
  dir: u32;
}

/** The current packet. */
export const pkt: Decoded = changetype<Decoded>(memory.data(offsetof<Decoded>(), 16));

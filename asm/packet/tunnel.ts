// Tunnel decapsulation: the packet a capture on a Kubernetes node or a mirror port shows is often
// an overlay's outer packet. After the outer IP header (and, for UDP overlays, its UDP header) is
// decoded, `inner` finds the carried frame: IP-in-IP (4), IPv6 in IP (41, 6in4 and 6in6), GRE (47:
// IPv4, IPv6, transparent Ethernet, ERSPAN types I, II and III), VXLAN (UDP 4789, and 8472 as Linux,
// flannel and Cilium use it) and Geneve (UDP 6081). The inner flow is what the policy decides and
// DPI identifies; the outermost addresses and the tunnel id go into the flow record. Every read is
// inside the outer packet's payload, checked first.
import { TUN_ERSPAN, TUN_GENEVE, TUN_GRE, TUN_IPIP, TUN_VXLAN } from "../abi-packet";
import { pkt } from "./decoded";

/** Tunnels nested deeper than this are counted (MR_TUNNEL_DEPTH), not followed. */
export const TUNNEL_DEPTH_MAX: u32 = 4;

/** `inner` results. */
export const IN_NONE: u32 = 0;
export const IN_IP: u32 = 1;
export const IN_BAD: u32 = 2;
export const IN_NOT_IP: u32 = 3;

const ETH_IP4: u32 = 0x0800;
const ETH_IP6: u32 = 0x86dd;
const ETH_TEB: u32 = 0x6558;
const ETH_ERSPAN2: u32 = 0x88be;
const ETH_ERSPAN3: u32 = 0x22eb;
const VXLAN_PORT: u32 = 4789;
const VXLAN_LINUX_PORT: u32 = 8472;
const GENEVE_PORT: u32 = 6081;
/** VLAN tags an inner Ethernet frame may carry before its type (802.1Q, QinQ). */
const TAGS_MAX: u32 = 4;

// After IN_IP, where the inner IP packet starts, its captured bytes, the tunnel found and its id
// are in the packet record: pkt.innerAt, innerLen, innerKind, innerId (asm/packet/decoded.ts).

@inline function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** An IP packet of `n` bytes at `p`: IN_IP with innerAt/innerLen set, or IN_BAD when there is none. */
function ipAt(p: usize, n: u32, type: u32): u32 {
  if (n == 0) return IN_BAD;
  const v = <u32>load<u8>(p) >> 4;
  if (type == ETH_IP4 ? v != 4 : v != 6) return IN_BAD;
  pkt.innerAt = p;
  pkt.innerLen = n;
  return IN_IP;
}

/** An Ethernet frame of `n` bytes at `p` (VLAN tags skipped): its IP packet, IN_NOT_IP or IN_BAD. */
function etherAt(p: usize, n: u32): u32 {
  if (n < 14) return IN_BAD;
  let at: u32 = 12;
  let type = be16(p + at);
  for (let i: u32 = 0; i < TAGS_MAX && (type == 0x8100 || type == 0x88a8 || type == 0x9100); i++) {
    if (at + 6 > n) return IN_BAD;
    at += 4;
    type = be16(p + at);
  }
  at += 2;
  if (type != ETH_IP4 && type != ETH_IP6) return IN_NOT_IP;
  return ipAt(p + at, n - at, type);
}

/**
 * What a protocol type (an ethertype, as GRE and Geneve use them) carries at `p`. Other types (PPP,
 * MPLS, WCCP, a vendor's) are not opened: the packet stays a flow of the outer protocol.
 */
function byType(p: usize, n: u32, type: u32): u32 {
  if (type == ETH_IP4 || type == ETH_IP6) return ipAt(p, n, type);
  if (type == ETH_TEB) return etherAt(p, n);
  return IN_NONE;
}

/**
 * GRE (RFC 2784/2890): version 0 only (version 1 is PPTP's PPP carrier, left as a GRE flow), no
 * routing bit; checksum, key and sequence fields skipped. ERSPAN type I has no header of its own
 * (no sequence bit), type II an 8-byte header, type III 12 bytes plus an optional 8-byte platform
 * subheader; their session id becomes the tunnel id.
 */
function gre(p: usize, n: u32): u32 {
  if (n < 4) return IN_BAD;
  const flags = be16(p);
  if ((flags & 7) != 0) return IN_NONE;
  if ((flags & 0x4000) != 0 || (flags & 0x0ff8) != 0) return IN_BAD;
  const type = be16(p + 2);
  let at: u32 = 4;
  if ((flags & 0x8000) != 0) at += 4;
  pkt.innerKind = TUN_GRE;
  pkt.innerId = 0;
  if ((flags & 0x2000) != 0) {
    if (at + 4 > n) return IN_BAD;
    pkt.innerId = be32(p + at);
    at += 4;
  }
  const seq = (flags & 0x1000) != 0;
  if (seq) at += 4;
  if (at > n) return IN_BAD;
  if (type == ETH_ERSPAN2 || type == ETH_ERSPAN3) {
    pkt.innerKind = TUN_ERSPAN;
    if (type == ETH_ERSPAN2 && !seq) return etherAt(p + at, n - at);
    const hdr: u32 = type == ETH_ERSPAN2 ? 8 : 12;
    if (at + hdr > n) return IN_BAD;
    const ver = <u32>load<u8>(p + at) >> 4;
    if (ver != (type == ETH_ERSPAN2 ? 1 : 2)) return IN_BAD;
    pkt.innerId = be16(p + at + 2) & 0x3ff;
    let skip = hdr;
    if (type == ETH_ERSPAN3 && (<u32>load<u8>(p + at + 11) & 1) != 0) skip += 8;
    if (at + skip > n) return IN_BAD;
    return etherAt(p + at + skip, n - at - skip);
  }
  return byType(p + at, n - at, type);
}

/**
 * VXLAN (RFC 7348): the I flag (VNI valid), the VNI; an Ethernet frame follows. A datagram to the
 * port without the flag is not VXLAN but a UDP flow of its own (the other flag bits are left to
 * extensions such as VXLAN-GBP).
 */
function vxlan(p: usize, n: u32): u32 {
  if (n < 8 || (<u32>load<u8>(p) & 0x08) == 0) return IN_NONE;
  pkt.innerKind = TUN_VXLAN;
  pkt.innerId = be32(p + 4) >> 8;
  return etherAt(p + 8, n - 8);
}

/** Geneve (RFC 8926): version 0 (else a UDP flow of its own), options length, protocol type; the VNI. */
function geneve(p: usize, n: u32): u32 {
  if (n < 8) return IN_NONE;
  const b0 = <u32>load<u8>(p);
  if ((b0 >> 6) != 0) return IN_NONE;
  const hdr: u32 = 8 + ((b0 & 0x3f) << 2);
  if (hdr > n) return IN_BAD;
  pkt.innerKind = TUN_GENEVE;
  pkt.innerId = be32(p + 4) >> 8;
  return byType(p + hdr, n - hdr, be16(p + 2));
}

/**
 * The frame a decoded outer packet carries: transport `proto`, UDP destination port `dport`, its
 * payload (`n` captured bytes at `p`). IN_NONE when it is no tunnel (then it is a flow of its own),
 * IN_IP with pkt.innerAt, innerLen, innerKind, innerId set, IN_NOT_IP or IN_BAD.
 */
export function inner(proto: u32, dport: u32, p: usize, n: u32): u32 {
  if (proto == 4 || proto == 41) {
    pkt.innerKind = TUN_IPIP;
    pkt.innerId = 0;
    return ipAt(p, n, proto == 4 ? ETH_IP4 : ETH_IP6);
  }
  if (proto == 47) return gre(p, n);
  if (proto != 17) return IN_NONE;
  if (dport == VXLAN_PORT || dport == VXLAN_LINUX_PORT) return vxlan(p, n);
  if (dport == GENEVE_PORT) return geneve(p, n);
  return IN_NONE;
}

// The packet-level rate and per-flow trackers as the packet path calls them (docs/threats-rates.md),
// on every decoded transport packet before DPI, whatever the policy decided:
// - SYN flood: a SYN without ACK to a workload, metered per (that workload, the sender);
// - ICMP flood: an ICMP or ICMPv6 packet to a workload, metered per workload;
// - ICMP tunneling: echo requests and replies of an ICMP flow (state: the flow's trackers);
// - TCP small window: TCP packets without SYN, RST or FIN, the client's window scaled by its
//   window-scale option when both SYNs carried one (RFC 7323).
// Floods are metered only when the packet's destination is a workload of the inventory, as
// NeuVector meters per workload: traffic between outside addresses, or to nodes, is not. A
// detector whose threat is disabled is not called. While a flood's meter stays raised, hold()
// lets Protect block each further packet that hits it.
import { KIND_WORKLOAD } from "../abi";
import { FL_BYTES, FL_CKIND, FL_SKIND, FL_WS } from "../flow/table";
import * as D from "../packet/decode";
import { pkt } from "../packet/decoded";
import { now } from "../packet/region";
import { T_ICMP_FLOOD, T_ICMP_TUNNELING, T_SYN_FLOOD, T_TCP_SMALL_WINDOW } from "./codes";
import { icmpSeen, synSeen } from "./flood";
import { icmpEcho } from "./icmp-tunnel";
import { METER_ON } from "./meter";
import { threatEnabled } from "./params";
import { hold } from "./raise";
import { tcpWindow } from "./small-window";
import { meterBase, meterCap, PACKET_TRACKERS, threatState } from "./state";

const NS_PER_MS: u64 = 1000000;
/** The window-scale option was absent (asm/packet/decode.ts). */
const NO_WSCALE: u32 = 0xff;

/** The packet's destination (direction `d` of flow `f`) is a workload. */
@inline export function toWorkload(f: usize, d: u32): bool {
  return <u32>load<u8>(f + (d == 0 ? FL_SKIND : FL_CKIND)) == KIND_WORKLOAD;
}

/** The client's window in this packet, scaled when both sides offered window scaling. */
function clientWindow(f: usize): u32 {
  const mine = <u32>load<u8>(f + FL_WS);
  const theirs = <u32>load<u8>(f + FL_WS + 1);
  return mine == NO_WSCALE || theirs == NO_WSCALE ? pkt.window : pkt.window << min<u32>(mine, 14);
}

function tcpTrackers(f: usize, d: u32): void {
  const fl = pkt.tcpFlags;
  if ((fl & (D.TH_SYN | D.TH_ACK)) == D.TH_SYN && threatEnabled(T_SYN_FLOOD) && toWorkload(f, d)) {
    if (synSeen(meterBase(), meterCap(), pkt.dstLo, pkt.dstHi, pkt.srcLo, pkt.srcHi, now / NS_PER_MS) == METER_ON) hold(T_SYN_FLOOD);
  }
  if ((fl & (D.TH_SYN | D.TH_RST | D.TH_FIN)) == 0 && threatEnabled(T_TCP_SMALL_WINDOW)) {
    const window = d == 0 ? clientWindow(f) : 0;
    tcpWindow(threatState(f) + PACKET_TRACKERS, d == 0, window, load<u64>(f + FL_BYTES), load<u64>(f + FL_BYTES + 8), now / NS_PER_MS);
  }
}

function icmpTrackers(f: usize, d: u32): void {
  if (threatEnabled(T_ICMP_FLOOD) && toWorkload(f, d)) {
    if (icmpSeen(meterBase(), meterCap(), pkt.dstLo, pkt.dstHi, now / NS_PER_MS) == METER_ON) hold(T_ICMP_FLOOD);
  }
  if (!threatEnabled(T_ICMP_TUNNELING)) return;
  const t = pkt.icmpType;
  const v4 = pkt.proto == D.ICMP;
  const request = v4 ? t == 8 : t == 128;
  const reply = v4 ? t == 0 : t == 129;
  if (!request && !reply) return;
  // The echo header's sequence number: the two bytes before the payload (decode checked 8 bytes).
  const seq = (<u32>load<u8>(pkt.payload - 2) << 8) | <u32>load<u8>(pkt.payload - 1);
  icmpEcho(threatState(f) + PACKET_TRACKERS, reply, seq, pkt.payload, pkt.payloadLen);
}

/** The trackers for a packet of flow `f` in direction `d` (0 client → server); findings to found(). */
export function packetTrackers(f: usize, d: u32): void {
  const proto = pkt.proto;
  if (proto == D.TCP) tcpTrackers(f, d);
  else if (proto == D.ICMP || proto == D.ICMP6) icmpTrackers(f, d);
}

// TCP connection state per flow: SYN sent, SYN-ACK seen, established, FIN (one side), closing
// (both sides), closed (final ACK or RST). The state picks the flow's timeout class (its LRU list).
// No sequence-window validation: the enforcer reports; the threat stage owns attack heuristics.
import {
  END_CLOSED, END_RESET, TS_CLOSED, TS_CLOSING, TS_ESTABLISHED, TS_FIN_WAIT, TS_NONE, TS_SYN_RECV, TS_SYN_SENT,
} from "../abi-packet";
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../packet/decode";
import {
  FF_FIN_C, FF_FIN_S, FL_END, FL_MSS, FL_STATE, FL_WS, flags, L_CLOSED, L_EST, L_FIN, L_SYN, setFlag,
} from "./table";

/** The timeout class (LRU list) of a TCP state. */
export function listOf(state: u32): u32 {
  if (state == TS_SYN_SENT || state == TS_SYN_RECV) return L_SYN;
  if (state == TS_FIN_WAIT || state == TS_CLOSING) return L_FIN;
  if (state == TS_CLOSED) return L_CLOSED;
  return L_EST;
}

/**
 * Who opened a flow whose first packet has `tcpFlags`: the SYN sender. A flow first seen at its
 * SYN-ACK was opened by that packet's destination; any other first packet by its sender.
 */
@inline export function openedByDestination(tcpFlags: u32): bool {
  return (tcpFlags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
}

/** State of a flow from its first packet. */
export function firstState(tcpFlags: u32): u32 {
  if ((tcpFlags & TH_RST) != 0) return TS_CLOSED;
  if ((tcpFlags & TH_SYN) != 0) return (tcpFlags & TH_ACK) != 0 ? TS_SYN_RECV : TS_SYN_SENT;
  if ((tcpFlags & TH_FIN) != 0) return TS_FIN_WAIT;
  // Picked up mid-stream (the capture started after the handshake).
  return TS_ESTABLISHED;
}

/** A SYN without ACK on a flow that is closing or closed: the ports are being reused. */
export function reopens(f: usize, tcpFlags: u32): bool {
  if ((tcpFlags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN) return false;
  const s = <u32>load<u8>(f + FL_STATE);
  return s == TS_CLOSED || s == TS_CLOSING || s == TS_FIN_WAIT;
}

/** Options of a SYN or SYN-ACK: MSS (client's) and each side's window scale. */
export function noteOptions(f: usize, d: u32, tcpFlags: u32, mss: u32, wscale: u32): void {
  if ((tcpFlags & TH_SYN) == 0) return;
  if (d == 0 && mss != 0) store<u16>(f + FL_MSS, <u16>mss);
  store<u8>(f + FL_WS + d, <u8>wscale);
}

/** Advance the state for a packet in direction `d` (0 client → server). Returns the new state. */
export function advance(f: usize, d: u32, tcpFlags: u32): u32 {
  let s = <u32>load<u8>(f + FL_STATE);
  const syn = (tcpFlags & TH_SYN) != 0;
  const ack = (tcpFlags & TH_ACK) != 0;
  const fin = (tcpFlags & TH_FIN) != 0;
  if ((tcpFlags & TH_RST) != 0) {
    if (s != TS_CLOSED) store<u8>(f + FL_END, <u8>END_RESET);
    s = TS_CLOSED;
  } else if (s == TS_SYN_SENT) {
    if (d == 1 && syn && ack) s = TS_SYN_RECV;
    else if (!syn && ack) s = TS_ESTABLISHED;
  } else if (s == TS_SYN_RECV) {
    if (!syn && ack) s = TS_ESTABLISHED;
  } else if (s == TS_CLOSING) {
    if (ack && !fin) {
      s = TS_CLOSED;
      store<u8>(f + FL_END, <u8>END_CLOSED);
    }
  } else if (s == TS_NONE) {
    s = TS_ESTABLISHED;
  }
  if (fin && s != TS_CLOSED) {
    setFlag(f, d == 0 ? FF_FIN_C : FF_FIN_S);
    const both = (flags(f) & (FF_FIN_C | FF_FIN_S)) == (FF_FIN_C | FF_FIN_S);
    s = both ? TS_CLOSING : TS_FIN_WAIT;
  }
  store<u8>(f + FL_STATE, <u8>s);
  return s;
}

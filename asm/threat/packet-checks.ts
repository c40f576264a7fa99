// The threat checks that need one packet and the flow's state, not a stream (NeuVector's
// dpi_packet.c, dpi_session.c, dpi_frag.c, dpi_policy.c; docs/threats.md):
// - ip-teardrop: a reassembled IPv4 datagram whose fragments overlapped, unless a fragment before
//   the last was judged already (fragments.ts judges the fragments of incomplete datagrams);
// - ping-death: an ICMP message from the client (not an echo or timestamp reply) whose data
//   exceeds the size: a whole packet, or a reassembled datagram fragments.ts has not judged;
// - tcp-small-mss: a SYN whose MSS option is above zero and below the size;
// - tcp-split-handshake: a SYN answered by a SYN, or the client sending SYN/ACK;
// - ssh-v1: an SSH identification line of protocol 1 (`SSH-1.x`, not `SSH-1.99`) opening either
//   side's stream;
// - k8s-mitm: a new flow from a workload to a Service externalIP (CVE-2020-8554).
// They report through found(); the packet path raises the findings right after.
import { KIND_WORKLOAD } from "../abi";
import { TS_SYN_SENT } from "../abi-packet";
import { isDigit, lit, LIT_YES, u8at } from "../dpi/bytes";
import * as D from "../packet/decode";
import { pkt } from "../packet/decoded";
import { FB_PING, FB_TEARDROP } from "../packet/frag";
import { threatsOn } from "../packet/region";
import { FL_CKIND, FL_SEQ, FL_SRV } from "../flow/table";
import { T_IP_TEARDROP, T_K8S_MITM, T_PING_DEATH, T_SSH_V1, T_TCP_SMALL_MSS, T_TCP_SPLIT_HANDSHAKE } from "./codes";
import { isServiceExternalIp } from "./external-ips";
import { evidenceIp, evidenceNumber, evidenceText, found, foundText } from "./found";
import { threatParam } from "./params";

/** Longest identification line reported as evidence (found() clips at EVIDENCE_MAX anyway). */
const LINE_MAX: i32 = 255;

/** SSH protocol 1 identification at the start of `p` (`len` bytes): the line's length, or 0. */
function sshV1Line(p: usize, len: i32): i32 {
  if (lit(p, len, 0, "SSH-1.") != LIT_YES || !isDigit(u8at(p, len, 6))) return 0;
  // SSH-1.99 is a protocol 2 server that also speaks 1 (RFC 4253 §5.1): not a v1 peer.
  if (u8at(p, len, 6) == 0x39) {
    const next = u8at(p, len, 7);
    if (next < 0 || next == 0x39) return 0;
  }
  let n: i32 = 7;
  while (n < len && n < LINE_MAX) {
    const c = u8at(p, len, n);
    if (c == 0x0d || c == 0x0a) break;
    n++;
  }
  return n;
}

/** TCP checks of a segment in direction `d` (0 client → server); `before`: the state before it. */
function tcpChecks(f: usize, d: u32, fresh: bool, before: u32, dataSeq: u32): void {
  const syn = (pkt.tcpFlags & D.TH_SYN) != 0;
  const ack = (pkt.tcpFlags & D.TH_ACK) != 0;
  if (syn && pkt.mss > 0 && pkt.mss < threatParam(T_TCP_SMALL_MSS, 0)) {
    foundText(T_TCP_SMALL_MSS, "mss ");
    evidenceNumber(pkt.mss);
  }
  if (!fresh && syn) {
    if (d == 1 && !ack && before == TS_SYN_SENT) foundText(T_TCP_SPLIT_HANDSHAKE, "SYN answered by SYN");
    else if (d == 0 && ack) foundText(T_TCP_SPLIT_HANDSHAKE, "client sent SYN/ACK");
  }
  // The first bytes of this direction's stream.
  if (pkt.payloadLen > 0 && dataSeq == load<u32>(f + FL_SEQ + (<usize>d << 2))) {
    const n = sshV1Line(pkt.payload, <i32>pkt.payloadLen);
    if (n > 0) found(T_SSH_V1, pkt.payload, <u32>n);
  }
}

/**
 * The checks for a packet of flow `f` in direction `d`: `fresh` when it opened the flow,
 * `reassembled` when it completed a fragmented datagram, `before` the TCP state before it, and
 * `dataSeq` the sequence number of its first payload byte. Findings go to found().
 */
export function packetChecks(f: usize, d: u32, fresh: bool, reassembled: bool, before: u32, dataSeq: u32): void {
  if (!threatsOn) return;
  const proto = pkt.proto;
  const judged = reassembled ? pkt.doneJudged : 0;
  if (reassembled && pkt.doneOverlap && pkt.family == 4 && (judged & FB_TEARDROP) == 0) {
    foundText(T_IP_TEARDROP, "overlap at ");
    evidenceNumber(pkt.doneOverlapAt);
  }
  if (proto == D.TCP) tcpChecks(f, d, fresh, before, dataSeq);
  else if (
    (proto == D.ICMP || proto == D.ICMP6) && d == 0 && !D.icmpAnswer(proto, pkt.icmpType) && (judged & FB_PING) == 0 &&
    pkt.payloadWire > threatParam(T_PING_DEATH, 0)
  ) {
    foundText(T_PING_DEATH, "icmp ");
    evidenceNumber(pkt.payloadWire);
    evidenceText(" bytes");
  }
  if (fresh && <u32>load<u8>(f + FL_CKIND) == KIND_WORKLOAD) {
    const lo = load<u64>(f + FL_SRV);
    const hi = load<u64>(f + FL_SRV + 8);
    if (isServiceExternalIp(lo, hi)) {
      foundText(T_K8S_MITM, "");
      evidenceIp(lo, hi);
      evidenceText(" is a Service externalIP");
    }
  }
}

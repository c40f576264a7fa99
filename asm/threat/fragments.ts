// IP teardrop and ping of death at the fragment, for a datagram that has not completed (NeuVector:
// dpi_frag.c ipfrag_hold/teardrop_check reports the fragment that overlaps one already held;
// dpi_session.c checks an ICMP message's raw length; docs/threats.md):
// - ip-teardrop: an IPv4 fragment that overlaps data already held, or disagrees on the end;
// - ping-death: the fragment that makes an ICMP datagram reach past `size` bytes of data after the
//   8-byte header (a datagram past 65,535 bytes too), judged once the first fragment (the ICMP
//   header: the echo identifier, the type) is held.
// Each datagram is judged once for each (asm/packet/frag.ts FB_TEARDROP, FB_PING); the fragment
// that completes a datagram not judged yet goes to packet-checks.ts with its flow instead.
// The report goes on the datagram's flow when it exists (the 5-tuple from the fragment: its
// addresses and protocol, the ports or echo identifier of the held first fragment, else 0).
// Otherwise it goes on a record of the flow the datagram would open, decided once by the policy
// (rule, mode, endpoint kinds) and never entered in the table: the event's flow is 0. In Protect a
// blocking threat drops the fragment and every later fragment of its datagram.
import {
  ACT_DENY, APP_UNKNOWN_ID, E_OK, F_APP, F_DST, F_FLAGS, F_PORT, F_PROTO, F_SRC, FLAG_HOST_KNOWN, FLOW_SIZE,
  R_ACTION, R_DST_KIND, R_MODE, R_RULE, R_SRC_KIND, R_STATUS, RESULT_SIZE,
} from "../abi";
import { C_DENIED_PACKETS, PV_ACTION, PV_APP, PV_FLAGS, PV_FLOW, PV_REASON, PV_RULE, PV_STATUS, PV_THREAT, PVS_OK } from "../abi-packet";
import { decideOne } from "../decide";
import {
  FF_BLOCKED, FL_ACTION, FL_CKIND, FL_CLI, FL_CPORT, FL_FIRST, FL_ID, FL_LAST, FL_MODE, FL_PROTO, FL_RULE, FL_SKIND,
  FL_APP, FL_SPORT, FL_SRV, FL_THREAT, flags, keyHash, lookup,
} from "../flow/table";
import * as D from "../packet/decode";
import { pkt } from "../packet/decoded";
import {
  FB_PING, FB_TEARDROP, FRAG_BLOCKED, FRAG_HELD, fragBlock, fragExtent, fragHead, fragJudge, fragJudged, fragThreat,
} from "../packet/frag";
import { bump, FLOW_REC, now, threatsOn } from "../packet/region";
import { T_IP_TEARDROP, T_PING_DEATH } from "./codes";
import { evidenceNumber, evidenceText, foundText } from "./found";
import { threatParam } from "./params";
import { raise } from "./raise";

/** The ICMP header before an ICMP message's data (ping-death counts the data). */
const ICMP_HDR: u32 = 8;

/** The record of a flow-less datagram's would-be flow, and the decision's flow and result records. */
const pseudo = memory.data(<i32>FLOW_REC, 8);
const decRec = memory.data(<i32>FLOW_SIZE, 8);
const decRes = memory.data(<i32>RESULT_SIZE, 8);

// The datagram's 5-tuple (from the fragment and its held first fragment).
let proto: u32 = 0;
let sp: u32 = 0;
let dp: u32 = 0;
/** The ICMP type of the held first fragment, 0xffff while it has not arrived. */
let icmpType: u32 = 0xffff;

@inline function isIcmp(p: u32): bool {
  return p == D.ICMP || p == D.ICMP6;
}

function tuple(): void {
  proto = pkt.fragNext;
  sp = 0;
  dp = 0;
  icmpType = 0xffff;
  const h = fragHead();
  if (h == 0) return;
  if (proto == D.TCP || proto == D.UDP) {
    sp = D.be16(h);
    dp = D.be16(h + 2);
  } else if (isIcmp(proto)) {
    icmpType = <u32>load<u8>(h);
    if (D.icmpHasId(proto, icmpType)) {
      sp = D.be16(h + 4);
      dp = sp;
    }
  }
}

/**
 * The datagram's flow (`d` its direction), else the pseudo record of the flow it would open,
 * decided now: with the application unknown and no virtual host, as a flow nothing inspects.
 */
let d: u32 = 0;
function flowOf(): usize {
  const f = lookup(proto, keyHash(proto, pkt.srcLo, pkt.srcHi, sp, pkt.dstLo, pkt.dstHi, dp), pkt.srcLo, pkt.srcHi, sp, pkt.dstLo, pkt.dstHi, dp);
  if (f != 0) {
    d = pkt.dir;
    return f;
  }
  d = 0;
  memory.fill(pseudo, 0, FLOW_REC);
  store<u64>(pseudo + FL_CLI, pkt.srcLo);
  store<u64>(pseudo + FL_CLI + 8, pkt.srcHi);
  store<u64>(pseudo + FL_SRV, pkt.dstLo);
  store<u64>(pseudo + FL_SRV + 8, pkt.dstHi);
  store<u16>(pseudo + FL_CPORT, <u16>sp);
  store<u16>(pseudo + FL_SPORT, <u16>dp);
  store<u8>(pseudo + FL_PROTO, <u8>proto);
  store<u64>(pseudo + FL_FIRST, now);
  store<u64>(pseudo + FL_LAST, now);
  memory.fill(decRec, 0, FLOW_SIZE);
  memory.copy(decRec + F_SRC, pseudo + FL_CLI, 16);
  memory.copy(decRec + F_DST, pseudo + FL_SRV, 16);
  store<u8>(decRec + F_PROTO, <u8>proto);
  store<u8>(decRec + F_FLAGS, <u8>FLAG_HOST_KNOWN);
  store<u16>(decRec + F_PORT, <u16>(proto == D.TCP || proto == D.UDP ? dp : 0));
  store<u32>(decRec + F_APP, APP_UNKNOWN_ID);
  decideOne(decRec, decRes);
  if (load<u8>(decRes + R_STATUS) == <u8>E_OK) {
    store<u8>(pseudo + FL_ACTION, load<u8>(decRes + R_ACTION));
    store<u8>(pseudo + FL_MODE, load<u8>(decRes + R_MODE));
    store<u32>(pseudo + FL_RULE, load<u32>(decRes + R_RULE));
    store<u8>(pseudo + FL_CKIND, load<u8>(decRes + R_SRC_KIND));
    store<u8>(pseudo + FL_SKIND, load<u8>(decRes + R_DST_KIND));
  }
  return pseudo;
}

/** The fragment is dropped as part of a blocked datagram (flow `f`, real or pseudo). */
function denied(v: usize, f: usize): void {
  store<u8>(v + PV_STATUS, <u8>PVS_OK);
  store<u8>(v + PV_REASON, 0);
  store<u8>(v + PV_ACTION, <u8>ACT_DENY);
  store<u32>(v + PV_RULE, load<u32>(f + FL_RULE));
  store<u32>(v + PV_FLOW, load<u32>(f + FL_ID));
  store<u32>(v + PV_APP, load<u32>(f + FL_APP));
  if (load<u8>(v + PV_THREAT) == 0) store<u8>(v + PV_THREAT, <u8>fragThreat());
  bump(C_DENIED_PACKETS);
}

/**
 * The fragment whose verdict is `v` went into its datagram with insert() status `st` (FRAG_HELD,
 * FRAG_BLOCKED; a malformed fragment kept as evidence too): report what it shows, and drop it when
 * its datagram is blocked.
 */
export function fragmentThreats(v: usize, st: u32): void {
  if (!threatsOn || pkt.fragSlot == 0) return;
  if (st == FRAG_BLOCKED) {
    tuple();
    denied(v, flowOf());
    return;
  }
  if (st != FRAG_HELD) return;
  const judged = fragJudged();
  const teardrop = pkt.family == 4 && pkt.fragOverlapped && (judged & FB_TEARDROP) == 0;
  const extent = fragExtent();
  const ping = isIcmp(pkt.fragNext) && (judged & FB_PING) == 0 && extent > ICMP_HDR + threatParam(T_PING_DEATH, 0) && fragHead() != 0;
  if (!teardrop && !ping) return;
  tuple();
  const f = flowOf();
  if (teardrop) {
    fragJudge(FB_TEARDROP);
    foundText(T_IP_TEARDROP, "overlap at ");
    evidenceNumber(pkt.fragOverlapAt);
  }
  if (ping) {
    fragJudge(FB_PING);
    // From the client; a reply is the responder's even when no flow shows it (its request dropped).
    if (d == 0 && !D.icmpAnswer(proto, icmpType)) {
      foundText(T_PING_DEATH, "icmp ");
      evidenceNumber(extent - ICMP_HDR);
      evidenceText(" bytes");
    }
  }
  store<u8>(v + PV_FLAGS, <u8>(load<u8>(v + PV_FLAGS) | raise(f, v)));
  if ((flags(f) & FF_BLOCKED) != 0) {
    fragBlock(<u32>load<u8>(f + FL_THREAT));
    denied(v, f);
  }
}

// The per-packet entry: a batch of packet descriptors in, one verdict per packet out. Each packet
// goes decode → fragment reassembly → flow lookup or creation → TCP state → first decision →
// packet threat checks and trackers → DPI and re-decision → DNS query rates and the stream threat
// detectors (asm/threat/stage.ts, docs/threats.md) → DNS snooping → verdict. Timeouts run on
// packet time; the flow table names the flows to end and endFlow() below tears each down
// (docs/architecture.md). A DNS answer that changes what the decision can see ends the batch
// after its packet, so the host can rebuild the DNS region before the next packet is decided
// (docs/formats.md "Events and flow records").
import { ACT_DENY, ACT_PENDING, APP_UNKNOWN_ID, E_BATCH, E_NO_TABLE, E_OK, E_REGION_BOUNDS, E_REGION_CORRUPT } from "./abi";
import {
  C_BYTES, C_DENIED_PACKETS, C_FLOWS_ACTIVE, C_FLOWS_TIMED_OUT, C_MALFORMED, C_MALFORMED_BY, C_NOT_IP, C_PACKETS, C_PENDING_PACKETS,
  C_TRUNCATED, END_CLOSED, END_EVICTED, END_FLUSH, END_NONE, END_TIMEOUT, MR_BAD_FRAGMENT, MR_NONE, MR_TOO_SHORT, PACKET_ABI_VERSION, PD_FLAGS, PD_LEN, PD_OFF, PD_SIZE, PD_TS,
  PD_WIRE, PDF_NOT_IP, PDF_VLAN_SHIFT, PH_DNS_GEN, C_TUNNELED, PV_ACTION, PV_APP, PV_FLAGS, PV_FLOW, PV_REASON, PV_RULE, PV_SIZE, PV_STATUS,
  PV_THREAT, PVF_NEW, PVF_OVERLAP, PVF_REASSEMBLED, PVF_REPLY, PVS_HELD, PVS_MALFORMED, PVS_NOT_IP, TS_CLOSED, TS_CLOSING,
  TS_NONE, UNID_NOT_INSPECTED,
} from "./abi-packet";
import * as D from "./packet/decode";
import { pkt } from "./packet/decoded";
import { FRAG_BLOCKED, FRAG_DONE, FRAG_HELD, fragSweep, insertDecoded, release } from "./packet/frag";
import { addTo, base, batchBytes, batchPkts, bump, counter, data, descs, dnsSnoopOn, dpiOn, need, now, pktReady, place, tick, verdicts } from "./packet/region";
import { snoop } from "./packet/dns-answer";
import { decide, packetAction } from "./flow/decision";
import { installPatterns, dnsSweep } from "./flow/dns-names";
import { dpiClose, dpiEnd, dpiPacket, noteStreamStart } from "./flow/dpi-stage";
import { releasePrefix, resetPrefixes } from "./flow/prefix";
import {
  create, evictionCounter, expireNext, expireStart, FF_BLOCKED, FF_DPI_DONE, FF_HOST, FF_PASSED, FL_APP, FL_BYTES,
  FL_END, FL_ID, FL_OUTER_C, FL_OUTER_FAMILY, FL_OUTER_S, FL_PKTS, FL_RULE, FL_STATE, FL_THREAT, FL_TUNNEL, flags,
  keyHash, L_ICMP, L_OTHER, L_UDP, lookup, oldest, remove, resetFlows, setFlag, setZone, touch, FF_MIDSTREAM,
  FL_UNID, victim,
} from "./flow/table";
import { advance, firstState, listOf, noteOptions, openedByDestination, reopens } from "./flow/tcp-state";
import { clearExternalIps, setExternalIps } from "./threat/external-ips";
import { threatsAfter, threatsAtEnd, threatsAtFragment, threatsBefore } from "./threat/stage";
import { flowEnded } from "./events";

/** Flows expired per packet at most (the rest on later packets): bounded latency per packet. */
const EXPIRE_PER_PACKET: u32 = 64;
const SWEEP_NS: u64 = 1000000000;
let lastSweep: u64 = 0;

export function packetAbiVersion(): u32 {
  return PACKET_ABI_VERSION;
}

/** Bytes the packet region at `p` needs for the settings written there (0: invalid). */
export function pktNeed(p: usize): u32 {
  return need(p);
}

/** Take [p, p + len) as the packet region (settings at p). E_OK or an E_* code. */
export function pktInit(p: usize, len: u32): u32 {
  if (need(p) == 0) return E_REGION_CORRUPT;
  if (!place(p, len)) return E_REGION_BOUNDS;
  resetFlows();
  resetPrefixes();
  clearExternalIps();
  lastSweep = 0;
  installPatterns();
  return E_OK;
}

/** Take the first n Service externalIPs the host wrote at PH_EXT_IPS (sorted, within capacity). */
export function pktExternalIps(n: u32): u32 {
  if (!pktReady) return E_NO_TABLE;
  return setExternalIps(n) ? E_OK : E_REGION_CORRUPT;
}

/** Validate the DNS pattern table the host wrote at PH_PATTERNS. */
export function pktPatterns(): u32 {
  if (!pktReady) return E_NO_TABLE;
  return installPatterns() ? E_OK : E_REGION_CORRUPT;
}

// ---- flow lifecycle: the table names a flow to end, the stages tear it down, the table removes it ----

/**
 * End flow `f`: an application still unsettled is settled from the bytes seen, the threat
 * detectors have a last look (asm/threat/stage.ts threatsAtEnd), then the flow-end event (a flow
 * that closed or was reset says so, however its record went), then every resource back to its pool.
 */
function endFlow(f: usize, why: u32): void {
  dpiEnd(f);
  threatsAtEnd(f);
  const recorded = <u32>load<u8>(f + FL_END);
  flowEnded(f, recorded != END_NONE ? recorded : why);
  releasePrefix(f);
  remove(f);
}

/** End idle flows past their timeout, at most `max` of them (the rest on a later call). */
function expire(max: u32): void {
  if (!expireStart(max)) return;
  for (let f = expireNext(); f != 0; f = expireNext()) {
    endFlow(f, END_TIMEOUT);
    bump(C_FLOWS_TIMED_OUT);
  }
}

/** Make room for a new flow when the table is full: its victim ends as evicted. */
function makeRoom(): void {
  const f = victim();
  if (f == 0) return;
  const c = evictionCounter(f);
  endFlow(f, END_EVICTED);
  bump(c);
}

/** End up to `max` flows (oldest first in each list) with `why`; returns the flows left. */
function endAll(max: u32, why: u32): u32 {
  for (let n: u32 = 0; n < max; n++) {
    const f = oldest();
    if (f == 0) break;
    endFlow(f, why);
  }
  return <u32>counter(C_FLOWS_ACTIVE);
}

function housekeeping(): void {
  expire(EXPIRE_PER_PACKET);
  if (now - lastSweep >= SWEEP_NS) {
    lastSweep = now;
    fragSweep();
    dnsSweep();
  }
}

@inline function verdict(v: usize, status: u32, reason: u32): void {
  store<u64>(v, 0);
  store<u64>(v, 0, 8);
  store<u32>(v + PV_THREAT, 0);
  store<u8>(v + PV_STATUS, <u8>status);
  store<u8>(v + PV_REASON, <u8>reason);
}

function malformed(v: usize, reason: u32): void {
  verdict(v, PVS_MALFORMED, reason);
  bump(C_MALFORMED);
  bump(C_MALFORMED_BY + reason);
}

/** The flow list (timeout class) of a datagram protocol. */
@inline function dgramList(proto: u32): u32 {
  return proto == D.UDP ? L_UDP : proto == D.ICMP || proto == D.ICMP6 ? L_ICMP : L_OTHER;
}

/** The outermost tunnel of the packet that opened flow `f` (`flip`: the packet went server to client). */
function noteTunnel(f: usize, flip: bool): void {
  if (pkt.tunnel == 0) return;
  store<u8>(f + FL_TUNNEL, <u8>pkt.tunnel);
  store<u8>(f + FL_OUTER_FAMILY, <u8>pkt.outerFamily);
  const c = f + (flip ? FL_OUTER_S : FL_OUTER_C);
  const s = f + (flip ? FL_OUTER_C : FL_OUTER_S);
  store<u64>(c, pkt.outerSrcLo);
  store<u64>(c + 8, pkt.outerSrcHi);
  store<u64>(s, pkt.outerDstLo);
  store<u64>(s + 8, pkt.outerDstHi);
}

/**
 * A decoded transport packet of `bytes` IP bytes (`reassembled`: from fragments): flow, state,
 * decisions, threat checks, DPI, DNS, verdict.
 */
function transport(v: usize, bytes: u32, reassembled: bool): void {
  const proto = pkt.proto;
  const tcp = proto == D.TCP;
  let sp = pkt.sport;
  let dp = pkt.dport;
  if (proto == D.ICMP || proto == D.ICMP6) {
    sp = pkt.icmpId;
    dp = pkt.icmpId;
  }
  const h = keyHash(proto, pkt.srcLo, pkt.srcHi, sp, pkt.dstLo, pkt.dstHi, dp);
  let f = lookup(proto, h, pkt.srcLo, pkt.srcHi, sp, pkt.dstLo, pkt.dstHi, dp);
  if (f != 0 && tcp && reopens(f, pkt.tcpFlags)) {
    endFlow(f, END_CLOSED);
    f = 0;
  }
  let d = pkt.dir;
  let out: u32 = 0;
  const fresh = f == 0;
  if (fresh) {
    const flip = tcp && openedByDestination(pkt.tcpFlags);
    const st = tcp ? firstState(pkt.tcpFlags) : TS_NONE;
    const l = tcp ? listOf(st) : dgramList(proto);
    makeRoom();
    f = flip
      ? create(proto, h, pkt.dstLo, pkt.dstHi, dp, pkt.srcLo, pkt.srcHi, sp, l)
      : create(proto, h, pkt.srcLo, pkt.srcHi, sp, pkt.dstLo, pkt.dstHi, dp, l);
    d = flip ? 1 : 0;
    noteTunnel(f, flip);
    store<u8>(f + FL_STATE, <u8>st);
    if (tcp && (pkt.tcpFlags & D.TH_SYN) == 0) setFlag(f, FF_MIDSTREAM);
    // Nothing will be inspected: decided once, with the application unknown and no virtual host.
    if (!dpiOn || (proto != D.TCP && proto != D.UDP)) {
      store<u32>(f + FL_APP, APP_UNKNOWN_ID);
      store<u8>(f + FL_UNID, <u8>UNID_NOT_INSPECTED);
      setFlag(f, FF_DPI_DONE | FF_HOST);
    }
    out = PVF_NEW | decide(f, true);
  }
  const pk = f + FL_PKTS + (<usize>d << 2);
  store<u32>(pk, load<u32>(pk) + 1);
  const by = f + FL_BYTES + (<usize>d << 3);
  store<u64>(by, load<u64>(by) + bytes);
  let state = TS_NONE;
  const before = <u32>load<u8>(f + FL_STATE);
  if (tcp) {
    noteOptions(f, d, pkt.tcpFlags, pkt.mss, pkt.wscale);
    noteStreamStart(f, d, pkt.seq, (pkt.tcpFlags & D.TH_SYN) != 0);
    state = advance(f, d, pkt.tcpFlags);
    touch(f, listOf(state));
  } else {
    touch(f, dgramList(proto));
  }
  // Data on a SYN starts after the SYN's own sequence number.
  const dataSeq = pkt.seq + ((pkt.tcpFlags & D.TH_SYN) != 0 ? 1 : 0);
  out |= threatsBefore(f, v, d, fresh, reassembled, before, dataSeq);
  const undecided = (flags(f) & FF_DPI_DONE) == 0;
  if (undecided && pkt.payloadLen > 0 && packetAction(f) != ACT_DENY) out |= dpiPacket(f, d, pkt.payload, pkt.payloadLen, dataSeq);
  if (tcp && (state == TS_CLOSING || state == TS_CLOSED) && (flags(f) & FF_DPI_DONE) == 0) out |= dpiClose(f, d);
  out |= threatsAfter(f, v, d, dataSeq);
  if (dnsSnoopOn && sp == 53 && pkt.payloadLen > 0 && (tcp || proto == D.UDP)) snoop(pkt.payload, pkt.payloadLen, tcp);
  const action = packetAction(f);
  if (action == ACT_DENY) bump(C_DENIED_PACKETS);
  else {
    setFlag(f, FF_PASSED);
    if (action == ACT_PENDING) bump(C_PENDING_PACKETS);
  }
  store<u8>(v + PV_ACTION, <u8>action);
  store<u8>(v + PV_FLAGS, <u8>(load<u8>(v + PV_FLAGS) | out | (d == 1 ? PVF_REPLY : 0)));
  store<u32>(v + PV_RULE, load<u32>(f + FL_RULE));
  store<u32>(v + PV_FLOW, load<u32>(f + FL_ID));
  store<u32>(v + PV_APP, load<u32>(f + FL_APP));
  // A packet of a flow a threat blocked names that threat.
  if (load<u8>(v + PV_THREAT) == 0 && (flags(f) & FF_BLOCKED) != 0) store<u8>(v + PV_THREAT, load<u8>(f + FL_THREAT));
}

/** One packet: descriptor i, verdict i. */
function packet(i: u32): void {
  const desc = descs + <usize>i * PD_SIZE;
  const v = verdicts + <usize>i * PV_SIZE;
  tick(load<u64>(desc + PD_TS));
  const off = load<u32>(desc + PD_OFF);
  const len = load<u32>(desc + PD_LEN);
  const wire = load<u32>(desc + PD_WIRE);
  bump(C_PACKETS);
  addTo(C_BYTES, wire != 0 ? wire : len);
  if ((load<u32>(desc + PD_FLAGS) & PDF_NOT_IP) != 0) {
    verdict(v, PVS_NOT_IP, MR_NONE);
    bump(C_NOT_IP);
    return;
  }
  if (off > batchBytes || len > batchBytes - off) {
    malformed(v, MR_TOO_SHORT);
    return;
  }
  const p = data + off;
  const vlan = load<u32>(desc + PD_FLAGS) >> PDF_VLAN_SHIFT;
  let r = D.decodeIp(p, len);
  setZone(vlan, pkt.tunnelId);
  if (pkt.tunnel != 0) bump(C_TUNNELED);
  if (r != MR_NONE) {
    malformed(v, r);
    // A fragment of part of a unit, or reaching past 65,535 bytes, is still its datagram's evidence.
    if (pkt.fragOdd != 0) threatsAtFragment(v, insertDecoded());
    return;
  }
  if (pkt.truncated) bump(C_TRUNCATED);
  verdict(v, 0, MR_NONE);
  if (!pkt.isFrag) {
    transport(v, min<u32>(len, wire != 0 ? wire : len), false);
    return;
  }
  const st = insertDecoded();
  if (st == FRAG_HELD || st == FRAG_BLOCKED) {
    verdict(v, PVS_HELD, MR_NONE);
    threatsAtFragment(v, st);
    return;
  }
  if (st != FRAG_DONE) {
    malformed(v, MR_BAD_FRAGMENT);
    return;
  }
  r = D.decodeDatagram(pkt.doneData, pkt.doneLen, pkt.doneNext);
  setZone(vlan, pkt.tunnelId);
  if (r != MR_NONE) {
    release();
    malformed(v, r);
    return;
  }
  store<u8>(v + PV_FLAGS, <u8>(PVF_REASSEMBLED | (pkt.doneOverlap ? PVF_OVERLAP : 0)));
  transport(v, pkt.doneLen + (pkt.family == 4 ? 20 : 40), true);
  release();
}

/**
 * Process descriptors from..n-1 (packet bytes in the data area). Returns the index after the last
 * packet processed: n, or less when a DNS answer changed the snooped table (PH_DNS_GEN): the host
 * rebuilds the DNS region and calls again from there. -E_* for a bad call.
 */
export function pktProcess(from: u32, n: u32): i32 {
  if (!pktReady) return -(<i32>E_NO_TABLE);
  if (n > batchPkts || from > n) return -(<i32>E_BATCH);
  const gen = load<u32>(base + PH_DNS_GEN);
  for (let i = from; i < n; i++) {
    packet(i);
    housekeeping();
    if (load<u32>(base + PH_DNS_GEN) != gen) return <i32>(i + 1);
  }
  return <i32>n;
}

/** Advance the clock without packets (an idle enforcer): expiry and sweeps. 1 when DNS changed. */
export function pktTick(ts: u64): u32 {
  if (!pktReady) return 0;
  const gen = load<u32>(base + PH_DNS_GEN);
  tick(ts);
  expire(0xffffffff);
  lastSweep = now;
  fragSweep();
  dnsSweep();
  return load<u32>(base + PH_DNS_GEN) != gen ? 1 : 0;
}

/** End up to `max` active flows (flow-end events, reason flush); returns the flows still active. */
export function pktFlush(max: u32): u32 {
  if (!pktReady) return 0;
  return endAll(max, END_FLUSH);
}

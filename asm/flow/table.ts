// The bidirectional flow table: PS_FLOW_CAP fixed records, an open-addressing index (linear
// probing, backward-shift deletion) keyed by the normalised 5-tuple, and per-state LRU lists
// ordered by last activity. Packet time drives everything: a list's head is its longest idle flow,
// so expiry pops heads; under pressure the oldest embryonic (SYN-only) flow goes first, then the
// oldest idle one. Memory never grows: a SYN flood recycles records and counts evictions.
// The table only keeps records: it names the flows that are due (expireNext), must make room
// (victim) or are left (oldest), and asm/pipeline.ts ends each (DPI close, threat end, flow-end
// event, prefix release) before remove() takes it out. So nothing here calls up into the stages
// that read flow records, and the engine has no import cycle (test/layering/).
import {
  C_FLOWS_ACTIVE, C_FLOWS_CREATED, C_FLOWS_ENDED, C_FLOWS_EVICTED_EMBRYONIC, C_FLOWS_EVICTED_IDLE,
  C_FLOWS_PEAK, PH_SIZE, THREAT_FLOW_STATE,
} from "../abi-packet";
import { hashIp } from "../mem";
import {
  addTo, base, bump, counter, drop, flowCap, flowIdx, flowIdxCap, flows, FLOW_REC, now, toClosed, toEst,
  toFin, toIcmp, toOther, toSyn, toUdp,
} from "../packet/region";
import { pkt } from "../packet/decoded";
import { threatState } from "../threat/state";

// Flow record fields (FLOW_REC bytes).
export const FL_CLI: usize = 0;
export const FL_SRV: usize = 16;
export const FL_CPORT: usize = 32;
export const FL_SPORT: usize = 34;
export const FL_PROTO: usize = 36;
export const FL_STATE: usize = 37;
export const FL_FLAGS: usize = 38;
export const FL_HASH: usize = 40;
export const FL_ID: usize = 44;
const FL_PREV: usize = 48;
const FL_NEXT: usize = 52;
const FL_LIST: usize = 56;
export const FL_ACTION: usize = 57;
export const FL_MODE: usize = 58;
export const FL_AWAIT: usize = 59;
export const FL_RULE: usize = 60;
export const FL_FIRST: usize = 64;
export const FL_LAST: usize = 72;
export const FL_PKTS: usize = 80;
export const FL_BYTES: usize = 88;
export const FL_APP: usize = 104;
export const FL_PREFIX: usize = 108;
export const FL_XRULE: usize = 112;
export const FL_XACTION: usize = 116;
export const FL_CKIND: usize = 117;
export const FL_SKIND: usize = 118;
export const FL_XRAN: usize = 119;
export const FL_DPI: usize = 120;
export const FL_MSS: usize = 122;
export const FL_WS: usize = 124;
export const FL_END: usize = 126;
export const FL_XFF: usize = 128;
export const FL_SEQ: usize = 144;
/** Threat codes already reported on this flow (a bit per code), and the code + 1 that blocked it. */
export const FL_THREATS: usize = 152;
export const FL_THREAT: usize = 156;
/** The flow's zone: VLAN key (PDF_VLAN_SHIFT) and tunnel id. Part of its key: zones never merge. */
export const FL_VLAN: usize = 160;
export const FL_TUNNEL_ID: usize = 164;
/** Tunnel kind (TUN_*), outer address family, identification confidence (CONF_*), why unidentified (UNID_*). */
export const FL_TUNNEL: usize = 168;
export const FL_OUTER_FAMILY: usize = 169;
export const FL_CONF: usize = 170;
export const FL_UNID: usize = 171;
/** Payload bytes DPI looked at when it settled (both directions). */
export const FL_DPI_BYTES: usize = 172;
/** Outermost tunnel addresses as the flow's first packet carried them, client side first. */
export const FL_OUTER_C: usize = 176;
export const FL_OUTER_S: usize = 192;

export const FF_XFF: u32 = 1;
export const FF_HOST: u32 = 2;
export const FF_DPI_DONE: u32 = 4;
export const FF_RESET: u32 = 8;
export const FF_FINAL: u32 = 16;
export const FF_REPORTED: u32 = 32;
export const FF_FIN_C: u32 = 64;
export const FF_FIN_S: u32 = 128;
export const FF_SEQ_C: u32 = 256;
export const FF_SEQ_S: u32 = 512;
export const FF_PASSED: u32 = 1024;
/** A threat blocked the flow (Protect, action block): every later packet is denied. */
export const FF_BLOCKED: u32 = 2048;
/** The flow's first packet was a TCP segment without SYN: the capture joined it mid-stream. */
export const FF_MIDSTREAM: u32 = 4096;

// LRU lists, one per timeout class; heads and tails live in the engine-private header bytes.
export const L_SYN: u32 = 0;
export const L_EST: u32 = 1;
export const L_FIN: u32 = 2;
export const L_CLOSED: u32 = 3;
export const L_UDP: u32 = 4;
export const L_ICMP: u32 = 5;
export const L_OTHER: u32 = 6;
const LISTS: u32 = 7;
/**
 * The lists' heads and tails (8 bytes each) take the header's last 64 bytes, after every field
 * the host reads (common/abi-packet.ts PH_*, the last PH_THREAT_STATES at 160..163; they once
 * started at 160 and overwrote it). test/packet/region-header.test.ts checks the published ones stay.
 */
const LIST_AT: usize = <usize>PH_SIZE - 64;

let freeHead: u32 = 0;
let fresh: u32 = 0;
let nextId: u32 = 0;
/**
 * No flow can expire before this time (ns): at most the earliest list head's last activity plus
 * its timeout. Heads only get later (touch and remove move or take them), except when a flow goes
 * into an empty list, which lowers it. Lets expire() skip its walk on nearly every packet.
 */
let quietUntil: u64 = 0;

@inline export function rec(i: u32): usize {
  return flows + <usize>i * FLOW_REC;
}

@inline function indexOf(f: usize): u32 {
  return <u32>((f - flows) / FLOW_REC);
}

@inline export function flags(f: usize): u32 {
  return <u32>load<u16>(f + FL_FLAGS);
}

@inline export function setFlag(f: usize, bit: u32): void {
  store<u16>(f + FL_FLAGS, <u16>(flags(f) | bit));
}

@inline function head(l: u32): u32 {
  return load<u32>(base + LIST_AT + (<usize>l << 3));
}

@inline function setHead(l: u32, v: u32): void {
  store<u32>(base + LIST_AT + (<usize>l << 3), v);
}

@inline function tail(l: u32): u32 {
  return load<u32>(base + LIST_AT + (<usize>l << 3) + 4);
}

@inline function setTail(l: u32, v: u32): void {
  store<u32>(base + LIST_AT + (<usize>l << 3) + 4, v);
}

function timeoutOf(l: u32): u64 {
  if (l == L_SYN) return toSyn;
  if (l == L_EST) return toEst;
  if (l == L_FIN) return toFin;
  if (l == L_CLOSED) return toClosed;
  if (l == L_UDP) return toUdp;
  if (l == L_ICMP) return toIcmp;
  return toOther;
}

function unlink(f: usize): void {
  const l = <u32>load<u8>(f + FL_LIST);
  const p = load<u32>(f + FL_PREV);
  const n = load<u32>(f + FL_NEXT);
  if (p != 0) store<u32>(rec(p - 1) + FL_NEXT, n);
  else setHead(l, n);
  if (n != 0) store<u32>(rec(n - 1) + FL_PREV, p);
  else setTail(l, p);
}

/** Append `f` to list `l`; its last activity is `now` (the callers set FL_LAST). */
function append(f: usize, l: u32): void {
  const me = indexOf(f) + 1;
  const t = tail(l);
  store<u8>(f + FL_LIST, <u8>l);
  store<u32>(f + FL_PREV, t);
  store<u32>(f + FL_NEXT, 0);
  if (t != 0) store<u32>(rec(t - 1) + FL_NEXT, me);
  else {
    setHead(l, me);
    const due = now + timeoutOf(l);
    if (due < quietUntil) quietUntil = due;
  }
  setTail(l, me);
}

/** The flow was active now, in list `l` (its state's timeout class): move it to that list's tail. */
export function touch(f: usize, l: u32): void {
  unlink(f);
  append(f, l);
  store<u64>(f + FL_LAST, now);
}

/** The current packet's zone (VLAN key, tunnel id): set before lookup and create, part of the key. */
let zoneVlan: u32 = 0;
let zoneTunnel: u32 = 0;

export function setZone(vlan: u32, tunnelId: u32): void {
  zoneVlan = vlan;
  zoneTunnel = tunnelId;
}

/** Symmetric 5-tuple hash (in the current zone): both directions of a flow hash alike. */
export function keyHash(proto: u32, aLo: u64, aHi: u64, aPort: u32, bLo: u64, bHi: u64, bPort: u32): u32 {
  const ha = hashIp(aLo ^ (<u64>aPort << 48), aHi);
  const hb = hashIp(bLo ^ (<u64>bPort << 48), bHi);
  return hashIp(<u64>(ha + hb) | (<u64>(zoneVlan ^ (zoneTunnel * 0x9e3779b1)) << 32), <u64>proto);
}

/** The flow of a packet (src:sport -> dst:dport), or 0. Sets the packet's direction, pkt.dir. */
export function lookup(proto: u32, h: u32, sLo: u64, sHi: u64, sp: u32, dLo: u64, dHi: u64, dp: u32): usize {
  const mask = flowIdxCap - 1;
  let slot = h & mask;
  for (let i: u32 = 0; i < flowIdxCap; i++) {
    const e = load<u32>(flowIdx + (<usize>slot << 2));
    if (e == 0) return 0;
    const f = rec(e - 1);
    if (load<u32>(f + FL_HASH) == h && <u32>load<u8>(f + FL_PROTO) == proto && load<u32>(f + FL_VLAN) == zoneVlan && load<u32>(f + FL_TUNNEL_ID) == zoneTunnel) {
      const cLo = load<u64>(f + FL_CLI);
      const cHi = load<u64>(f + FL_CLI + 8);
      const vLo = load<u64>(f + FL_SRV);
      const vHi = load<u64>(f + FL_SRV + 8);
      const cp = <u32>load<u16>(f + FL_CPORT);
      const vp = <u32>load<u16>(f + FL_SPORT);
      if (cLo == sLo && cHi == sHi && cp == sp && vLo == dLo && vHi == dHi && vp == dp) {
        pkt.dir = 0;
        return f;
      }
      if (cLo == dLo && cHi == dHi && cp == dp && vLo == sLo && vHi == sHi && vp == sp) {
        pkt.dir = 1;
        return f;
      }
    }
    slot = (slot + 1) & mask;
  }
  return 0;
}

function indexDelete(f: usize): void {
  const mask = flowIdxCap - 1;
  const me = indexOf(f) + 1;
  let i = load<u32>(f + FL_HASH) & mask;
  while (load<u32>(flowIdx + (<usize>i << 2)) != me) i = (i + 1) & mask;
  // Backward shift: later entries of the cluster move up unless they sit at or after their home.
  let j = (i + 1) & mask;
  while (true) {
    const e = load<u32>(flowIdx + (<usize>j << 2));
    if (e == 0) break;
    const k = load<u32>(rec(e - 1) + FL_HASH) & mask;
    const stays = i <= j ? i < k && k <= j : i < k || k <= j;
    if (!stays) {
      store<u32>(flowIdx + (<usize>i << 2), e);
      i = j;
    }
    j = (j + 1) & mask;
  }
  store<u32>(flowIdx + (<usize>i << 2), 0);
}

/** Take flow `f` out: index, list, record back to the free list. Its teardown ran first (asm/pipeline.ts endFlow). */
export function remove(f: usize): void {
  unlink(f);
  indexDelete(f);
  store<u32>(f + FL_NEXT, freeHead);
  store<u32>(f + FL_ID, 0);
  freeHead = indexOf(f) + 1;
  drop(C_FLOWS_ACTIVE);
  bump(C_FLOWS_ENDED);
}

// The expiry walk: the lists in order, each from its head while the head is overdue, at most
// `walkLeft` flows; the earliest time a head left in place falls due becomes quietUntil.
let walkList: u32 = 0;
let walkLeft: u32 = 0;
let walkNext: u64 = 0;

/** Start an expiry walk of at most `max` flows; false when no flow can be due yet. */
@inline export function expireStart(max: u32): bool {
  if (now <= quietUntil) return false;
  walkList = 0;
  walkLeft = max;
  walkNext = u64.MAX_VALUE;
  return true;
}

/** The walk's next overdue flow (the caller ends and removes it before asking again), or 0 at its end. */
export function expireNext(): usize {
  for (; walkList < LISTS; walkList++) {
    const h = head(walkList);
    if (h == 0) continue;
    const f = rec(h - 1);
    const due = load<u64>(f + FL_LAST) + timeoutOf(walkList);
    if (due >= now || walkLeft == 0) {
      if (due < walkNext) walkNext = due;
      continue;
    }
    walkLeft--;
    return f;
  }
  // Stopped by `max` with flows overdue: walkNext is below now, so the next walk runs again.
  quietUntil = walkNext;
  return 0;
}

/**
 * The flow to end before create() when the table is full (0: there is room): the oldest
 * embryonic flow, else the least recently active of all the others.
 */
export function victim(): usize {
  if (freeHead != 0 || fresh < flowCap) return 0;
  let h = head(L_SYN);
  if (h != 0) return rec(h - 1);
  let best: u32 = 0;
  for (let l: u32 = 1; l < LISTS; l++) {
    h = head(l);
    if (h != 0 && (best == 0 || load<u64>(rec(h - 1) + FL_LAST) < load<u64>(rec(best - 1) + FL_LAST))) best = h;
  }
  return best != 0 ? rec(best - 1) : 0;
}

/** The counter a victim's eviction adds to: embryonic (SYN only) or idle. */
export function evictionCounter(f: usize): u32 {
  return <u32>load<u8>(f + FL_LIST) == L_SYN ? C_FLOWS_EVICTED_EMBRYONIC : C_FLOWS_EVICTED_IDLE;
}

/** A new flow client:cport -> server:sport, in list `l`; the caller ended victim() first. */
export function create(proto: u32, h: u32, cLo: u64, cHi: u64, cp: u32, sLo: u64, sHi: u64, sp: u32, l: u32): usize {
  let i: u32;
  if (freeHead != 0) {
    i = freeHead - 1;
    freeHead = load<u32>(rec(i) + FL_NEXT);
  } else {
    i = fresh++;
  }
  const f = rec(i);
  memory.fill(f, 0, FLOW_REC);
  memory.fill(threatState(f), 0, THREAT_FLOW_STATE);
  store<u64>(f + FL_CLI, cLo);
  store<u64>(f + FL_CLI + 8, cHi);
  store<u64>(f + FL_SRV, sLo);
  store<u64>(f + FL_SRV + 8, sHi);
  store<u16>(f + FL_CPORT, <u16>cp);
  store<u16>(f + FL_SPORT, <u16>sp);
  store<u8>(f + FL_PROTO, <u8>proto);
  store<u32>(f + FL_HASH, h);
  store<u32>(f + FL_VLAN, zoneVlan);
  store<u32>(f + FL_TUNNEL_ID, zoneTunnel);
  if (++nextId == 0) nextId = 1;
  store<u32>(f + FL_ID, nextId);
  store<u64>(f + FL_FIRST, now);
  store<u64>(f + FL_LAST, now);
  append(f, l);
  const mask = flowIdxCap - 1;
  let slot = h & mask;
  while (load<u32>(flowIdx + (<usize>slot << 2)) != 0) slot = (slot + 1) & mask;
  store<u32>(flowIdx + (<usize>slot << 2), i + 1);
  bump(C_FLOWS_ACTIVE);
  bump(C_FLOWS_CREATED);
  const active = counter(C_FLOWS_ACTIVE);
  if (active > counter(C_FLOWS_PEAK)) addTo(C_FLOWS_PEAK, active - counter(C_FLOWS_PEAK));
  return f;
}

/** The flow endAll() ends next: the head of the first list that has one (lists in order), or 0. */
export function oldest(): usize {
  for (let l: u32 = 0; l < LISTS; l++) {
    const h = head(l);
    if (h != 0) return rec(h - 1);
  }
  return 0;
}

/** Forget every flow without events (a new region). */
export function resetFlows(): void {
  freeHead = 0;
  fresh = 0;
  nextId = 0;
  quietUntil = 0;
  for (let l: u32 = 0; l < LISTS; l++) {
    setHead(l, 0);
    setTail(l, 0);
  }
}

// Deciding a flow: its state becomes a flow record (common/abi.ts F_*) and goes through the same
// decideOne the flow API uses, so the rule logic exists once. The verdict is cached on the flow;
// a final verdict of violate, deny or learn is reported once per (action, rule), and a deny that
// comes after packets were let through resets the connection (NeuVector injects RSTs both ways).
// Learn and violation reports wait for the application: NeuVector learns rules (and proposes them
// from violations) from connection reports that carry the identified app (controller/cache/learn.go
// addConnectToGraph), so the event is written when DPI settles the app or the flow ends.
import {
  ACT_DENY, ACT_LEARN, ACT_PENDING, ACT_VIOLATE, F_APP, F_DST, F_FLAGS, F_HOST_LEN, F_HOST_OFF, F_PORT,
  F_PROTO, F_SRC, F_XFF, FLAG_HOST_KNOWN, FLAG_XFF, HOST_ARENA_BASE, R_ACTION, R_AWAIT, R_DST_KIND, R_MODE,
  R_RULE, R_SRC_KIND, R_STATUS, R_XACTION, R_XFF, R_XRULE, E_OK,
} from "../abi";
import { C_DECISIONS, C_REDECISIONS, C_RESETS, EVT_DENY, EVT_LEARN, EVT_RESET, EVT_VIOLATION, END_NONE, PVF_DECIDED, PVF_RESET } from "../abi-packet";
import { decideOne } from "../decide";
import { emit } from "../events";
import { bump, scratch } from "../packet/region";
import { TCP, UDP } from "../packet/decode";
import { bytesOf, lenOf, prefixOf, PX_HOST_LEN, PX_HOST_OFF } from "./prefix";
import {
  FF_BLOCKED, FF_DPI_DONE, FF_FINAL, FF_HOST, FF_PASSED, FF_REPORTED, FF_RESET, FF_XFF, FL_ACTION, FL_APP, FL_AWAIT, FL_CKIND, FL_CLI,
  FL_FLAGS, FL_MODE, FL_PROTO, FL_RULE, FL_SKIND, FL_SPORT, FL_SRV, FL_XACTION, FL_XFF, FL_XRAN, FL_XRULE, flags, setFlag,
} from "./table";

/** Scratch: the flow record (64 bytes) and its result record (32 bytes). */
const FLOW_AT: usize = 0;
const RESULT_AT: usize = 64;

@inline function copy16(dst: usize, src: usize): void {
  store<u64>(dst, load<u64>(src));
  store<u64>(dst, load<u64>(src, 8), 8);
}

/** The flow's virtual host into the host arena: lower case, without a trailing dot. Its length. */
function hostBytes(f: usize): u32 {
  const s = prefixOf(f);
  if (s == 0) return 0;
  const off = load<u32>(s + PX_HOST_OFF);
  let len = load<u32>(s + PX_HOST_LEN);
  const have = lenOf(s, 0);
  if (off > have || len > have - off) return 0;
  const src = bytesOf(s, 0) + off;
  if (len > 0 && load<u8>(src + len - 1) == 0x2e) len--;
  for (let i: u32 = 0; i < len; i++) {
    let c = load<u8>(src + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    store<u8>(HOST_ARENA_BASE + i, c);
  }
  return len;
}

/** Fill the flow record for `f` and decide it into the scratch result record. */
function lookup(f: usize): usize {
  const rec = scratch + FLOW_AT;
  const res = scratch + RESULT_AT;
  const fl = flags(f);
  const proto = <u32>load<u8>(f + FL_PROTO);
  copy16(rec + F_SRC, f + FL_CLI);
  copy16(rec + F_DST, f + FL_SRV);
  copy16(rec + F_XFF, f + FL_XFF);
  store<u8>(rec + F_PROTO, <u8>proto);
  let rf: u32 = 0;
  if ((fl & FF_XFF) != 0) rf |= FLAG_XFF;
  let hostLen: u32 = 0;
  if ((fl & FF_HOST) != 0) {
    rf |= FLAG_HOST_KNOWN;
    hostLen = hostBytes(f);
  }
  store<u8>(rec + F_FLAGS, <u8>rf);
  store<u16>(rec + F_PORT, proto == TCP || proto == UDP ? load<u16>(f + FL_SPORT) : 0);
  store<u32>(rec + F_APP, load<u32>(f + FL_APP));
  store<u32>(rec + F_HOST_OFF, 0);
  store<u32>(rec + F_HOST_LEN, hostLen);
  decideOne(rec, res);
  return res;
}

function eventType(action: u32): u32 {
  if (action == ACT_DENY) return EVT_DENY;
  if (action == ACT_VIOLATE) return EVT_VIOLATION;
  if (action == ACT_LEARN) return EVT_LEARN;
  return 0;
}

/**
 * (Re)decide flow `f` with what is known now (application, virtual host, X-Forwarded-For).
 * Returns PV_FLAGS bits: PVF_DECIDED, and PVF_RESET when this decision denied a flow that had
 * already passed packets.
 */
export function decide(f: usize, first: bool): u32 {
  bump(first ? C_DECISIONS : C_REDECISIONS);
  const res = lookup(f);
  if (load<u8>(res + R_STATUS) != <u8>E_OK) return PVF_DECIDED;
  const was = <u32>load<u8>(f + FL_ACTION);
  const wasRule = load<u32>(f + FL_RULE);
  const action = <u32>load<u8>(res + R_ACTION);
  const rule = load<u32>(res + R_RULE);
  store<u8>(f + FL_ACTION, <u8>action);
  store<u8>(f + FL_MODE, load<u8>(res + R_MODE));
  store<u8>(f + FL_AWAIT, load<u8>(res + R_AWAIT));
  store<u32>(f + FL_RULE, rule);
  store<u8>(f + FL_CKIND, load<u8>(res + R_SRC_KIND));
  store<u8>(f + FL_SKIND, load<u8>(res + R_DST_KIND));
  store<u8>(f + FL_XRAN, load<u8>(res + R_XFF));
  store<u32>(f + FL_XRULE, load<u32>(res + R_XRULE));
  store<u8>(f + FL_XACTION, load<u8>(res + R_XACTION));
  let fl = flags(f);
  if (action == ACT_PENDING) {
    store<u16>(f + FL_FLAGS, <u16>(fl & ~FF_FINAL));
    return PVF_DECIDED;
  }
  setFlag(f, FF_FINAL);
  const same = (fl & FF_REPORTED) != 0 && was == action && wasRule == rule;
  const type = eventType(action);
  const waits = (type == EVT_LEARN || type == EVT_VIOLATION) && (fl & FF_DPI_DONE) == 0;
  if (type != 0 && !same && !waits) {
    emit(type, f, END_NONE);
    setFlag(f, FF_REPORTED);
  }
  fl = flags(f);
  // A late deny: TCP connections are reset both ways; a datagram flow is simply dropped from now on.
  if (action == ACT_DENY && (fl & FF_PASSED) != 0 && (fl & FF_RESET) == 0 && <u32>load<u8>(f + FL_PROTO) == TCP) {
    setFlag(f, FF_RESET);
    bump(C_RESETS);
    emit(EVT_RESET, f, END_NONE);
    return PVF_DECIDED | PVF_RESET;
  }
  return PVF_DECIDED;
}

/** The flow ends: a learn or violation report still waiting for an application is written now. */
export function reportDeferred(f: usize): void {
  const fl = flags(f);
  if ((fl & (FF_FINAL | FF_REPORTED)) != FF_FINAL) return;
  const type = eventType(<u32>load<u8>(f + FL_ACTION));
  if (type != EVT_LEARN && type != EVT_VIOLATION) return;
  emit(type, f, END_NONE);
  setFlag(f, FF_REPORTED);
}

/** The verdict a packet of `f` gets now: a reset, threat-blocked or denied flow drops everything. */
@inline export function packetAction(f: usize): u32 {
  if ((flags(f) & (FF_RESET | FF_BLOCKED)) != 0) return ACT_DENY;
  return <u32>load<u8>(f + FL_ACTION);
}

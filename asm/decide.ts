// The decision (docs/semantics.md S3–S5): three-valued first match over the intersection of the
// source's from-sets, the destination's to-sets, the port sets and the application sets, then
// modes and the action table, then the X-Forwarded-For lookup. Reads only validated data.
import {
  ACT_ALLOW, ACT_DENY, ACT_PENDING, ACT_VIOLATE, APP_UNIDENTIFIED, APP_UNKNOWN_ID, AWAIT_APP, AWAIT_HOST, AWAIT_NONE, E_FLOW, E_NO_TABLE, E_OK,
  F_APP, F_DST, F_FLAGS, F_HOST_LEN, F_HOST_OFF, F_PORT, F_PROTO, F_SRC, F_XFF, FLAG_HOST_KNOWN, FLAG_XFF, HP_CPORT, HP_WLO,
  HOST_ARENA_BASE, HOST_ARENA_SIZE, KIND_WORKLOAD, MODE_PROTECT, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, R_ACTION, R_AWAIT,
  R_DST_KIND, R_MODE, R_PACTION, R_PAWAIT, R_PMODE, R_PRULE, R_RULE, R_SRC_KIND, R_STATUS, R_XACTION, R_XAWAIT,
  R_XFF, R_XMODE, R_XRULE, R_XSRC_KIND,
} from "./abi";
import { icmpPasses, internalEgressOpen, openBeforeRules, openshiftIngressOpen, plainLookup } from "./carve-outs";
import { decideFast } from "./fast";
import { findPort } from "./intervals";
import { hostPortEntry, isWorkloadAddr, resolveSide, sideDns, sideHostNet, sideKind, sideMode, sideN, sideNoIntercept, sideSvcExtIp, sideSvcIp, sideYes } from "./resolve";
import { hasRule, nSum, setWord, sumWord, superGroup, superWord } from "./sets";
import {
  appAny, apps, appsN, dstList, emptySet, icmpSet, otherSet, ready, setPtr, srcList, wordMin, tcp, tcpBase,
  openshift, tcpIndex, tcpN, udp, udpBase, udpIndex, udpN, xffOn,
} from "./table";
import { earliestSlot, effectiveMode, flowMode, lookupAction, ruleIdOf, ruleOrderOf } from "./verdict";
import { markHost } from "./vhost";

// Per-flow state: the side lists live in scratch; ports and apps are at most two sets each.
let srcN: u32 = 0;
let srcYes: u32 = 0;
let dstN: u32 = 0;
let dstYes: u32 = 0;
let port0: usize = 0;
let port1: usize = 0;
let appFilter = false;
/** The flow's application is known (appSets); appFilter is this unless a lookup is by port only. */
let appKnown = false;
/** A host-network workload is a side of the current lookup: applications are not checked (S4). */
let portsOnly = false;
let app0: usize = 0;
let app1: usize = 0;

// The first two sets of each side are kept in globals (the common case: one or two sets per
// side); further sets (DNS names, vh: slots) are read from the scratch list. A second set that
// is absent is skipped by a branch that is the same for every word of a flow.
let src0: usize = 0;
let src1: usize = 0;
let dst0: usize = 0;
let dst1: usize = 0;

@inline function orSum(a: usize, b: usize, list: usize, n: u32, i: u32): u64 {
  let s = sumWord(a, i);
  if (n > 1) s |= sumWord(b, i);
  for (let j: u32 = 2; j < n; j++) s |= sumWord(load<usize>(list + (<usize>j << 2)), i);
  return s;
}

@inline function orSuper(a: usize, b: usize, list: usize, n: u32): u64 {
  let s = superWord(a);
  if (n > 1) s |= superWord(b);
  for (let j: u32 = 2; j < n; j++) s |= superWord(load<usize>(list + (<usize>j << 2)));
  return s;
}

@inline function orWord(a: usize, b: usize, list: usize, n: u32, k: u32): u64 {
  let w = setWord(a, k);
  if (n > 1) w |= setWord(b, k);
  for (let j: u32 = 2; j < n; j++) w |= setWord(load<usize>(list + (<usize>j << 2)), k);
  return w;
}

function anyHas(list: usize, n: u32, r: u32): bool {
  for (let j: u32 = 0; j < n; j++) if (hasRule(load<usize>(list + (<usize>j << 2)), r)) return true;
  return false;
}

/**
 * The slot of the earliest rule (lowest evaluation order) that is yes-or-maybe on every
 * condition, or -1. Slots are clustered by destination group, so the candidate words are few;
 * every candidate word is examined because slot order is not rule order.
 */
function bestCandidate(): i32 {
  let bestOrder: u32 = 0xffffffff;
  let bestSlot: i32 = -1;
  if (srcN == 0 || dstN == 0) return -1;
  src0 = load<usize>(srcList);
  src1 = load<usize>(srcList, 4);
  dst0 = load<usize>(dstList);
  dst1 = load<usize>(dstList, 4);
  const ports2 = port1 != emptySet;
  const apps2 = app1 != emptySet;
  // Super-summaries first: only the summary words that every dimension may have bits in.
  let sup = orSuper(dst0, dst1, dstList, dstN) & orSuper(src0, src1, srcList, srcN);
  sup &= ports2 ? superWord(port0) | superWord(port1) : superWord(port0);
  if (appFilter) sup &= apps2 ? superWord(app0) | superWord(app1) : superWord(app0);
  while (sup != 0) {
    const first = <u32>ctz<u64>(sup) * superGroup;
    sup &= sup - 1;
    const last = min(first + superGroup, nSum);
    for (let i = first; i < last; i++) {
      let s = orSum(dst0, dst1, dstList, dstN, i);
      if (s == 0) continue;
      s &= orSum(src0, src1, srcList, srcN, i);
      if (s == 0) continue;
      s &= ports2 ? sumWord(port0, i) | sumWord(port1, i) : sumWord(port0, i);
      if (appFilter) s &= apps2 ? sumWord(app0, i) | sumWord(app1, i) : sumWord(app0, i);
      while (s != 0) {
        const k = (i << 6) + <u32>ctz<u64>(s);
        s &= s - 1;
        // No slot of this word can beat the best match so far.
        if (load<u32>(wordMin + (<usize>k << 2)) >= bestOrder) continue;
        // All four words at once: independent loads overlap, and one branch instead of four.
        let w = orWord(dst0, dst1, dstList, dstN, k) & orWord(src0, src1, srcList, srcN, k);
        w &= ports2 ? setWord(port0, k) | setWord(port1, k) : setWord(port0, k);
        if (appFilter) w &= apps2 ? setWord(app0, k) | setWord(app1, k) : setWord(app0, k);
        const slot = earliestSlot(w, k, bestSlot, bestOrder);
        if (slot != bestSlot) {
          bestSlot = slot;
          bestOrder = ruleOrderOf(<u32>slot);
        }
      }
    }
  }
  return bestSlot;
}

function portSets(proto: u32, port: u32): void {
  port1 = emptySet;
  if (proto == PROTO_TCP) {
    port0 = tcpBase;
    if (tcpN > 0) port1 = setPtr(load<u32>(tcp + ((<usize>tcpN + findPort(tcpIndex, tcp, port)) << 2)));
  } else if (proto == PROTO_UDP) {
    port0 = udpBase;
    if (udpN > 0) port1 = setPtr(load<u32>(udp + ((<usize>udpN + findPort(udpIndex, udp, port)) << 2)));
  } else if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
    port0 = icmpSet;
  } else {
    port0 = otherSet;
  }
}

/** Rules a known application satisfies: none listed (appAny) or listing it or its parent. */
function appSets(app: u32): void {
  appFilter = app != APP_UNIDENTIFIED;
  appKnown = appFilter;
  portsOnly = false;
  app0 = appAny;
  app1 = emptySet;
  if (app == APP_UNIDENTIFIED || app == APP_UNKNOWN_ID) return;
  let lo: u32 = 0;
  let hi = appsN;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const id = load<u32>(apps + (<usize>mid << 3));
    if (id == app) {
      app1 = setPtr(load<u32>(apps + (<usize>mid << 3), 4));
      return;
    }
    if (id < app) lo = mid + 1;
    else hi = mid;
  }
}

// One lookup's outcome.
let outAction: u32 = 0;
let outMode: u32 = 0;
let outAwait: u32 = 0;
let outRule: u32 = 0;

/**
 * S3 + S4 for the current side lists; srcMode and dstMode as resolved. `open`: a carve-out opens
 * the lookup before any rule; `icmpPass`: an unmatched flow passes (S3.1).
 */
function lookup(srcMode: u32, dstMode: u32, open: bool, icmpPass: bool, noIntercept: bool, extIp: bool): void {
  outMode = flowMode(srcMode, dstMode);
  outAwait = AWAIT_NONE;
  if (open) {
    outRule = 0;
    outAction = ACT_ALLOW;
    return;
  }
  if (extIp) {
    // CVE-2020-8554 (dpi_policy_lookup_by_key): a workload reaching a Service externalIP skips the
    // rules: deny when the workload's default action is deny (Protect), else violate.
    outRule = 0;
    outAction = srcMode == MODE_PROTECT && !noIntercept ? ACT_DENY : ACT_VIOLATE;
    return;
  }
  const r = bestCandidate();
  outRule = ruleIdOf(r);
  if (r < 0 && icmpPass) {
    outAction = ACT_ALLOW;
    return;
  }
  finish(r, candidateAwait(r), srcMode, dstMode, noIntercept);
}

/**
 * AWAIT_NONE when every condition of candidate `r` holds as yes (or there is none), else what
 * the maybe waits for: a match that holds only as maybe is pending until the app or the host.
 */
function candidateAwait(r: i32): u32 {
  if (r < 0) return AWAIT_NONE;
  const ri = <u32>r;
  const appYes = portsOnly || (!appFilter ? hasRule(appAny, ri) : true);
  if (appYes && anyHas(srcList, srcYes, ri) && anyHas(dstList, dstYes, ri)) return AWAIT_NONE;
  return appYes ? AWAIT_HOST : AWAIT_APP;
}

/** The action for candidate `r` (or the implicit rule) whose pending state is `awaiting`. */
function finish(r: i32, awaiting: u32, srcMode: u32, dstMode: u32, noIntercept: bool): void {
  outMode = flowMode(srcMode, dstMode);
  outRule = ruleIdOf(r);
  if (awaiting != AWAIT_NONE) {
    outAction = ACT_PENDING;
    outAwait = awaiting;
    return;
  }
  outAwait = AWAIT_NONE;
  outAction = lookupAction(r, effectiveMode(outMode), srcMode, dstMode, noIntercept);
}

/**
 * S1.1, a workload source reaching a mapped host port: every rule is matched as the flow to the
 * node and as the flow to the mapped workload on its container port (NeuVector's NAT rules,
 * createWorkloadRule); the earlier rule decides, with the side it matched as the destination.
 * On the same rule a yes beats a maybe and the workload wins a tie (compiler/reference/host-ports.ts).
 */
function mappedLookup(hp: usize, proto: u32, hostKnown: bool, srcMode: u32, srcNoIntercept: bool, srcHostNet: bool, dstMode: u32, dstNoIntercept: bool, dstHostNet: bool): void {
  byPort(srcHostNet || dstHostNet);
  const rA = bestCandidate();
  const aAwait = candidateAwait(rA);
  resolveSide(hp + HP_WLO, 1, dstList, hostKnown);
  dstN = sideN;
  dstYes = sideYes;
  const wMode = sideMode;
  const wNoIntercept = sideNoIntercept;
  portSets(proto, <u32>load<u16>(hp + HP_CPORT));
  byPort(srcHostNet || sideHostNet);
  const rB = bestCandidate();
  const bAwait = candidateAwait(rB);
  let mapped = rB >= 0;
  if (rA >= 0 && rB >= 0) {
    const oA = ruleOrderOf(<u32>rA);
    const oB = ruleOrderOf(<u32>rB);
    mapped = oA == oB ? bAwait == AWAIT_NONE || aAwait != AWAIT_NONE : oB < oA;
  }
  if (mapped) finish(rB, bAwait, srcMode, wMode, srcNoIntercept || wNoIntercept);
  else finish(rA, aAwait, srcMode, dstMode, srcNoIntercept || dstNoIntercept);
}

/**
 * createIPRule ("for host mode container, only check ports, not applications"): with a
 * host-network workload on a side, every rule's application condition holds.
 */
function byPort(on: bool): void {
  portsOnly = on;
  appFilter = appKnown && !on;
}

/** Zero a result record with plain stores (memory.fill is a runtime call in V8, slow for 32 bytes). */
@inline function clearResult(res: usize): void {
  store<u64>(res, 0);
  store<u64>(res, 0, 8);
  store<u64>(res, 0, 16);
  store<u64>(res, 0, 24);
}

function fail(res: usize, code: u32): u32 {
  clearResult(res);
  store<u8>(res + R_STATUS, <u8>code);
  return code;
}

/** Decide the flow record at `flow`, write the result record at `res`. Returns its status. */
export function decideOne(flow: usize, res: usize): u32 {
  if (!ready) return fail(res, E_NO_TABLE);
  const flags = <u32>load<u8>(flow + F_FLAGS);
  const hostOff = load<u32>(flow + F_HOST_OFF);
  const hostLen = load<u32>(flow + F_HOST_LEN);
  if (hostOff > HOST_ARENA_SIZE || hostLen > HOST_ARENA_SIZE - hostOff) return fail(res, E_FLOW);
  const proto = <u32>load<u8>(flow + F_PROTO);
  let dstIp = flow + F_DST;
  // S1.1: a mapped host port. An unmanaged source's flow is the pod's, after the node's NAT; a
  // workload's is matched both ways (mappedLookup). Neither is the fast path's.
  const hp = hostPortEntry(dstIp, proto, <u32>load<u16>(flow + F_PORT));
  const viaMapped = hp != 0 && isWorkloadAddr(flow + F_SRC);
  if (hp != 0 && !viaMapped) dstIp = hp + HP_WLO;
  portSets(proto, hp != 0 && !viaMapped ? <u32>load<u16>(hp + HP_CPORT) : <u32>load<u16>(flow + F_PORT));
  appSets(load<u32>(flow + F_APP));
  // The fast path knows none of the carve-outs, nor OpenShift's ingress opening.
  if (hp == 0 && ((flags & FLAG_XFF) == 0 || !xffOn) && !openshift && plainLookup(proto, flow + F_SRC, flow + F_DST)) {
    const p1 = port1 != emptySet ? port1 : port0;
    const a1 = app1 != emptySet ? app1 : app0;
    if (decideFast(flow, res, port0, p1, appFilter, appFilter ? app0 : port0, appFilter ? a1 : p1)) return E_OK;
  }
  const hostKnown = (flags & FLAG_HOST_KNOWN) != 0;
  if (hostKnown) markHost(HOST_ARENA_BASE + hostOff, hostLen);

  resolveSide(dstIp, 1, dstList, hostKnown);
  dstN = sideN;
  dstYes = sideYes;
  const dstKind = sideKind;
  const dstMode = sideMode;
  const dstNoIntercept = sideNoIntercept;
  const dstExtIp = sideSvcExtIp;
  const dstSvcIp = sideSvcIp;
  const dstHostNet = sideHostNet;
  const dstDns = sideDns;
  resolveSide(flow + F_SRC, 0, srcList, hostKnown);
  srcN = sideN;
  srcYes = sideYes;
  const srcKind = sideKind;
  const icmpPass = icmpPasses(proto);
  const extIp = dstExtIp && srcKind == KIND_WORKLOAD;
  const dstProtect = dstMode == MODE_PROTECT && !dstNoIntercept;
  const open = openBeforeRules(proto, flow + F_SRC, dstIp) ||
    internalEgressOpen(dstKind, dstSvcIp, dstDns, srcKind, srcKind == KIND_WORKLOAD && sideMode == MODE_PROTECT && !sideNoIntercept) ||
    openshiftIngressOpen(srcKind, dstKind, dstProtect);
  if (viaMapped && !open && !extIp) {
    mappedLookup(hp, proto, hostKnown, sideMode, sideNoIntercept, sideHostNet, dstMode, dstNoIntercept, dstHostNet);
  } else {
    byPort(sideHostNet || dstHostNet);
    lookup(sideMode, dstMode, open, icmpPass, sideNoIntercept || dstNoIntercept, extIp);
  }

  clearResult(res);
  store<u8>(res + R_SRC_KIND, <u8>srcKind);
  store<u8>(res + R_DST_KIND, <u8>dstKind);
  store<u8>(res + R_PACTION, <u8>outAction);
  store<u8>(res + R_PMODE, <u8>outMode);
  store<u8>(res + R_PAWAIT, <u8>outAwait);
  store<u32>(res + R_PRULE, outRule);
  let action = outAction;
  let mode = outMode;
  let awaiting = outAwait;
  let rule = outRule;
  if ((flags & FLAG_XFF) != 0 && xffOn && dstKind == KIND_WORKLOAD) {
    if (viaMapped) {
      // mappedLookup left the mapped workload's sets; the second lookup is to the address itself.
      resolveSide(dstIp, 1, dstList, hostKnown);
      dstN = sideN;
      dstYes = sideYes;
      portSets(proto, <u32>load<u16>(flow + F_PORT));
    }
    // S5: the same destination, the X-Forwarded-For client as source; the more severe wins. Only
    // sessions into a workload (NeuVector's ingress sessions, dpi_policy_reeval) get this lookup.
    resolveSide(flow + F_XFF, 0, srcList, hostKnown);
    srcN = sideN;
    srcYes = sideYes;
    const xKind = sideKind;
    byPort(sideHostNet || dstHostNet);
    const xOpen = openBeforeRules(proto, flow + F_XFF, dstIp) || openshiftIngressOpen(xKind, dstKind, dstProtect);
    lookup(sideMode, dstMode, xOpen, icmpPass, sideNoIntercept || dstNoIntercept, false);
    store<u8>(res + R_XFF, 1);
    store<u8>(res + R_XSRC_KIND, <u8>xKind);
    store<u8>(res + R_XACTION, <u8>outAction);
    store<u8>(res + R_XMODE, <u8>outMode);
    store<u8>(res + R_XAWAIT, <u8>outAwait);
    store<u32>(res + R_XRULE, outRule);
    if (outAction > action) {
      action = outAction;
      mode = outMode;
      awaiting = outAwait;
      rule = outRule;
    }
  }
  store<u8>(res + R_STATUS, <u8>E_OK);
  store<u8>(res + R_ACTION, <u8>action);
  store<u8>(res + R_MODE, <u8>mode);
  store<u8>(res + R_AWAIT, <u8>awaiting);
  store<u32>(res + R_RULE, rule);
  return E_OK;
}

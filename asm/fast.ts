// The fast path (docs/module.md "Decision"): a flow whose endpoints have no DNS record and that
// needs no X-Forwarded-For lookup. Each side is then one rule set (an inventory address: its
// class's set, whose address the engine stored in the hash entry) or two (any other address: its
// kind's built-ins and its address class), every condition is a yes, and the whole decision runs
// on locals. Anything else goes through decideOne's general path, which gives the same answers.
import {
  ACT_PENDING, AWAIT_APP, AWAIT_NONE, E_OK, F_DST, F_SRC, IE_FLAGS, IE_FROM, IE_KIND, IE_TO, IE_MODE, IEF_NO_INTERCEPT, IEF_HOST_NET, IEF_SVC_EXTIP, IEF_SVC_IP,
  KIND_EXTERNAL,
  KIND_INTERNAL, KIND_WORKLOAD, MODE_NONE, R_ACTION, R_AWAIT, R_DST_KIND, R_MODE, R_PACTION, R_PAWAIT, R_PMODE,
  R_PRULE, R_RULE, R_SRC_KIND, R_STATUS,
} from "./abi";
import { dnsCap, dnsHash, invCap, invHash } from "./regions";
import { addrClass, isInternal, probe } from "./resolve";
import { entryWords, groupEntries, hasRule, nSum, sparseSets, storedEntries, superGroup, superShift, superWord } from "./sets";
import { appAny, bundleSet, classSet, openshift, wordMin } from "./table";
import { earliestSlot, effectiveMode, flowMode, lookupAction, ruleIdOf, ruleOrderOf } from "./verdict";

/** Bit b's word of a set whose summary word is s and words begin at base (0 when not stored). */
@inline function maskedWord(base: usize, s: u64, b: u64, below: u64): u64 {
  return load<u64>(base + (<usize>popcnt<u64>(s & below) << 3)) & (<u64>0 - ((s >> b) & 1));
}

/**
 * The slot of the earliest rule in (d0 ∪ d1) ∩ (s0 ∪ s1) ∩ (p0 ∪ p1) ∩ (a0 ∪ a1), or -1. Every
 * union is of two sets; a side or dimension with one set passes it twice (x ∪ x = x), and no app
 * condition passes the port sets again (x ∩ x = x), so nothing branches on the flow's shape. With
 * `single`, d1 = d0 and s1 = s0 are known, and a candidate word (whose bit both summaries have)
 * needs no mask on those sides. Per super-summary group every set's entries are located once (with
 * `sparse`, a popcount each, and a set without the group reads zero entries); per summary word everything is loaded once; per
 * candidate word the destination and source words come first, and only a non-zero pair (a few
 * per flow) reads the port and app words and the word's lowest order.
 */
@inline function search(d0: usize, d1: usize, s0: usize, s1: usize, p0: usize, p1: usize, a0: usize, a1: usize, single: bool, sparse: bool): i32 {
  let bestOrder: u32 = 0xffffffff;
  let bestSlot: i32 = -1;
  const ud0 = superWord(d0);
  const us0 = superWord(s0);
  const ud1 = single ? ud0 : superWord(d1);
  const us1 = single ? us0 : superWord(s1);
  const up0 = superWord(p0);
  const up1 = superWord(p1);
  const ua0 = superWord(a0);
  const ua1 = superWord(a1);
  let sup = (ud0 | ud1) & (us0 | us1) & (up0 | up1) & (ua0 | ua1);
  while (sup != 0) {
    const g = <u32>ctz<u64>(sup);
    sup &= sup - 1;
    // Dense tables have one summary word per group.
    const first = sparse ? g << superShift : g;
    const last = sparse ? min(first + superGroup, nSum) : g + 1;
    // With `single` both sides store group g (it is in their super-summaries).
    const ed0 = single ? storedEntries(d0, ud0, g, sparse) : groupEntries(d0, ud0, g, sparse);
    const es0 = single ? storedEntries(s0, us0, g, sparse) : groupEntries(s0, us0, g, sparse);
    const ed1 = single ? ed0 : groupEntries(d1, ud1, g, sparse);
    const es1 = single ? es0 : groupEntries(s1, us1, g, sparse);
    const ep0 = groupEntries(p0, up0, g, sparse);
    const ep1 = groupEntries(p1, up1, g, sparse);
    const ea0 = groupEntries(a0, ua0, g, sparse);
    const ea1 = groupEntries(a1, ua1, g, sparse);
    for (let i = first; i < last; i++) {
      const o = <usize>(i - first) << 4;
      const sd0 = load<u64>(ed0 + o);
      const ss0 = load<u64>(es0 + o);
      const sd1 = single ? sd0 : load<u64>(ed1 + o);
      const ss1 = single ? ss0 : load<u64>(es1 + o);
      const sp0 = load<u64>(ep0 + o);
      const sp1 = load<u64>(ep1 + o);
      const sa0 = load<u64>(ea0 + o);
      const sa1 = load<u64>(ea1 + o);
      let c = (sd0 | sd1) & (ss0 | ss1) & (sp0 | sp1) & (sa0 | sa1);
      if (c == 0) continue;
      const wd0 = entryWords(d0, ed0 + o);
      const ws0 = entryWords(s0, es0 + o);
      const wd1 = single ? wd0 : entryWords(d1, ed1 + o);
      const ws1 = single ? ws0 : entryWords(s1, es1 + o);
      while (c != 0) {
        const b = ctz<u64>(c);
        c &= c - 1;
        const k = (i << 6) + <u32>b;
        // No slot of this word can beat the best match so far: one load from a small array, in
        // cache, before the four set loads (docs/performance.md "Cache-aware layout").
        if (load<u32>(wordMin + (<usize>k << 2)) >= bestOrder) continue;
        const below = ((<u64>1) << b) - 1;
        let w: u64;
        if (single) {
          w = load<u64>(wd0 + (<usize>popcnt<u64>(sd0 & below) << 3)) & load<u64>(ws0 + (<usize>popcnt<u64>(ss0 & below) << 3));
        } else {
          w = (maskedWord(wd0, sd0, b, below) | maskedWord(wd1, sd1, b, below)) & (maskedWord(ws0, ss0, b, below) | maskedWord(ws1, ss1, b, below));
        }
        if (w == 0) continue;
        w &= maskedWord(entryWords(p0, ep0 + o), sp0, b, below) | maskedWord(entryWords(p1, ep1 + o), sp1, b, below);
        w &= maskedWord(entryWords(a0, ea0 + o), sa0, b, below) | maskedWord(entryWords(a1, ea1 + o), sa1, b, below);
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

// One copy per layout (sparse or dense sets, fixed by the table) and per side shape.
function searchSingleDense(d: usize, s: usize, p0: usize, p1: usize, a0: usize, a1: usize): i32 {
  return search(d, d, s, s, p0, p1, a0, a1, true, false);
}

function searchDualDense(d0: usize, d1: usize, s0: usize, s1: usize, p0: usize, p1: usize, a0: usize, a1: usize): i32 {
  return search(d0, d1, s0, s1, p0, p1, a0, a1, false, false);
}

function searchSingleSparse(d: usize, s: usize, p0: usize, p1: usize, a0: usize, a1: usize): i32 {
  return search(d, d, s, s, p0, p1, a0, a1, true, true);
}

function searchDualSparse(d0: usize, d1: usize, s0: usize, s1: usize, p0: usize, p1: usize, a0: usize, a1: usize): i32 {
  return search(d0, d1, s0, s1, p0, p1, a0, a1, false, true);
}

// A side that is not an inventory address: its kind and its two sets (set1 after set0).
let outsideKind: u32 = 0;
let outsideSet1: usize = 0;

/**
 * Kind and sets of an address outside the inventory; returns the first set: its class's bundle
 * with the kind's built-ins folded in (the table stores one per kind), then the class's own.
 */
@inline function outside(lo: u64, hi: u64, to: u32): usize {
  const kind = isInternal(lo, hi) ? KIND_INTERNAL : KIND_EXTERNAL;
  outsideKind = kind;
  const cls = addrClass(lo, hi);
  outsideSet1 = classSet(cls, to);
  return bundleSet(cls, kind, to);
}

/**
 * Decide the flow at `flow` into `res` when it is a fast-path flow (the caller has checked the
 * flow record and that no X-Forwarded-For lookup runs); false, with nothing written, otherwise.
 * The port sets p0 ∪ p1 and the app sets a0 ∪ a1 come from the caller (p1 = p0 when there is one
 * port set; a0 = a1 = p0 when the app does not filter: appFilter false).
 */
export function decideFast(flow: usize, res: usize, p0: usize, p1: usize, appFilter: bool, a0: usize, a1: usize): bool {
  const dlo = load<u64>(flow + F_DST);
  const dhi = load<u64>(flow + F_DST, 8);
  const slo = load<u64>(flow + F_SRC);
  const shi = load<u64>(flow + F_SRC, 8);
  if (dnsCap != 0 && (probe(dnsHash, dnsCap, dlo, dhi) != 0 || probe(dnsHash, dnsCap, slo, shi) != 0)) return false;
  const de = probe(invHash, invCap, dlo, dhi);
  // A Service externalIP or cluster IP destination may be decided before the rules (decide.ts).
  if (de != 0 && (load<u8>(de + IE_FLAGS) & (IEF_SVC_EXTIP | IEF_SVC_IP)) != 0) return false;
  const se = probe(invHash, invCap, slo, shi);
  // On kubernetes a workload's egress to an internal address may be open at the client (decide.ts).
  if (de == 0 && !openshift && se != 0 && <u32>load<u8>(se + IE_KIND) == KIND_WORKLOAD && isInternal(dlo, dhi)) return false;
  // A host-network workload on either side is matched by port only (decide.ts).
  if ((de != 0 && (load<u8>(de + IE_FLAGS) & IEF_HOST_NET) != 0) || (se != 0 && (load<u8>(se + IE_FLAGS) & IEF_HOST_NET) != 0)) return false;
  let dKind: u32;
  let sKind: u32;
  let dMode = MODE_NONE;
  let sMode = MODE_NONE;
  // Either side a workload the enforcer cannot intercept (IEF_NO_INTERCEPT): no deny (S4).
  let noIntercept = false;
  let r: i32;
  if (de != 0 && se != 0) {
    dKind = <u32>load<u8>(de + IE_KIND);
    sKind = <u32>load<u8>(se + IE_KIND);
    dMode = <u32>load<u8>(de + IE_MODE);
    sMode = <u32>load<u8>(se + IE_MODE);
    noIntercept = ((load<u8>(de + IE_FLAGS) | load<u8>(se + IE_FLAGS)) & IEF_NO_INTERCEPT) != 0;
    // The destination's to-set and the source's from-set, as setInventory stored them.
    const d = <usize>load<u32>(de + IE_TO);
    const s = <usize>load<u32>(se + IE_FROM);
    r = sparseSets ? searchSingleSparse(d, s, p0, p1, a0, a1) : searchSingleDense(d, s, p0, p1, a0, a1);
  } else {
    let d0: usize;
    let d1: usize;
    let s0: usize;
    let s1: usize;
    if (de != 0) {
      dKind = <u32>load<u8>(de + IE_KIND);
      dMode = <u32>load<u8>(de + IE_MODE);
      noIntercept = (load<u8>(de + IE_FLAGS) & IEF_NO_INTERCEPT) != 0;
      d0 = d1 = <usize>load<u32>(de + IE_TO);
    } else {
      d0 = outside(dlo, dhi, 1);
      d1 = outsideSet1;
      dKind = outsideKind;
    }
    if (se != 0) {
      sKind = <u32>load<u8>(se + IE_KIND);
      sMode = <u32>load<u8>(se + IE_MODE);
      noIntercept = noIntercept || (load<u8>(se + IE_FLAGS) & IEF_NO_INTERCEPT) != 0;
      s0 = s1 = <usize>load<u32>(se + IE_FROM);
    } else {
      s0 = outside(slo, shi, 0);
      s1 = outsideSet1;
      sKind = outsideKind;
    }
    r = sparseSets ? searchDualSparse(d0, d1, s0, s1, p0, p1, a0, a1) : searchDualDense(d0, d1, s0, s1, p0, p1, a0, a1);
  }

  // S4 as in decide.ts lookup(): the mode, then the action.
  const mode = flowMode(sMode, dMode);
  const rule = ruleIdOf(r);
  let action: u32;
  let awaiting = AWAIT_NONE;
  if (r >= 0 && !appFilter && !hasRule(appAny, <u32>r)) {
    // Both sides are yes; only the application can still be a maybe.
    action = ACT_PENDING;
    awaiting = AWAIT_APP;
  } else {
    action = lookupAction(r, effectiveMode(mode), sMode, dMode, noIntercept);
  }

  store<u64>(res, 0);
  store<u64>(res, 0, 8);
  store<u64>(res, 0, 16);
  store<u64>(res, 0, 24);
  store<u8>(res + R_STATUS, <u8>E_OK);
  store<u8>(res + R_ACTION, <u8>action);
  store<u8>(res + R_MODE, <u8>mode);
  store<u8>(res + R_AWAIT, <u8>awaiting);
  store<u32>(res + R_RULE, rule);
  store<u8>(res + R_SRC_KIND, <u8>sKind);
  store<u8>(res + R_DST_KIND, <u8>dKind);
  store<u8>(res + R_PACTION, <u8>action);
  store<u8>(res + R_PMODE, <u8>mode);
  store<u8>(res + R_PAWAIT, <u8>awaiting);
  store<u32>(res + R_PRULE, rule);
  return true;
}

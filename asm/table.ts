// The decision table: validated once by `init`, then read without further checks. Validation
// covers every offset, count and index the decision path follows, so a corrupt or hostile table
// yields an E_* code and never a trap (docs/module.md lists what is checked).
import {
  ABI_VERSION, E_OK, E_TABLE_BOUNDS, E_TABLE_CORRUPT, E_TABLE_MAGIC, E_TABLE_VERSION, FORMAT_VERSION,
  GROUP_ENTRY_SIZE, H_ABI, H_ACLS, H_ACLS_N, H_BUNDLES, H_BUNDLES_N, H_ADDR4, H_ADDR4_N, H_ADDR6, H_ADDR6_N, H_APP_ANY, H_APPS,
  H_APPS_N, H_CGROUPS, H_CGROUPS_N, H_FORMAT, H_GROUPS, H_GROUPS_N, H_GRULES, H_GRULES_N, H_ICMP_SET, H_KIND_SETS, H_LEN, H_LISTS,
  H_LISTS_N, H_MAGIC, H_NAMES, H_NAMES_CAP, H_NRULES, H_NSETS, H_NSUM, H_OTHER_SET, H_RULE_FLAGS,
  H_RULE_IDS, H_RULE_ORDER, H_WORD_MIN, H_SCRATCH, H_SET_OFFS, H_SETS_HI, H_SETS_LO, H_SETTINGS, H_STR, H_STR_LEN, H_TCP, H_TCP_BASE,
  H_TCP_N, H_UDP, H_UDP_BASE, H_UDP_N, H_VH, H_VH_N, HEADER_SIZE, KIND_INTERNAL, MODE_DISCOVER, MODE_PROTECT,
  NAME_ENTRY_SIZE, NE_FLAGS, NE_LEN, NE_LIST, NE_LIST_N, NE_STR, NE_USED, SET_DEFAULT_MODE_SHIFT,
  SET_ICMP_POLICY, SET_LINK_LOCAL, SET_NODES_MODE_SHIFT, SET_OPENSHIFT, SET_STRICT, SET_XFF, TABLE_BASE, TABLE_MAGIC, H_THREATS, H_THREATS_N, THREAT_REC_SIZE,
  ACL_ENTRY_SIZE, ADDR4_ENTRY_SIZE, BUNDLE_ENTRY_SIZE, ADDR6_ENTRY_SIZE, APP_ENTRY_SIZE, CGROUP_ENTRY_SIZE, KIND_SETS_N, LIST_ENTRY_SIZE, PORT_ENTRY_SIZE,
  RULE_SLOT_SIZE, SET_INDEX_SIZE, SET_OFF_SIZE, VH_ENTRY_SIZE, WORD_MIN_SIZE,
} from "./abi";
import { addrIndexBytes, buildAddrIndex } from "./addr-index";
import { align8, fits, isPow2, memBytes } from "./mem";
import { buildPortIndex, PORT_INDEX_BYTES } from "./intervals";
import { configureSets, validSets } from "./sets";
import { installThreats, validThreats } from "./threat/params";

export let ready = false;
export let tBase: usize = 0;
export let tLen: u32 = 0;
/** First byte the host may use for its regions: after the table and the engine's scratch. */
export let dynBase: u64 = 0;

export let xffOn = false;
export let strict = false;
/** ICMP under network rules (icmp-policy), link-local peers policed (link-local-policy). */
export let icmpPolicy = false;
export let linkLocalPolicy = false;
/** `platform openshift`: flows to Service IPs meet the rules at the source (S3.1). */
export let openshift = false;
export let defaultMode: u32 = MODE_DISCOVER;
export let nodesMode: u32 = MODE_DISCOVER;

export let ruleIds: usize = 0;
export let ruleFlags: usize = 0;
export let ruleOrder: usize = 0;
export let wordMin: usize = 0;
let nSets: u32 = 0;
let setOffs: usize = 0;
export let emptySet: usize = 0;
export let kindSets: usize = 0;

export let addr4N: u32 = 0;
export let addr4: usize = 0;
export let addr6N: u32 = 0;
export let addr6: usize = 0;
export let aclsN: u32 = 0;
/** Per address class: fine from-set, fine to-set, bundle index (ACL_ENTRY_SIZE bytes). */
export let acls: usize = 0;
let bundlesN: u32 = 0;
/** Per bundle: (from, to) set indexes of its coarse rules, ∪ internal's, ∪ external's. */
export let bundles: usize = 0;

/** Bucket indexes of the tcp and udp port intervals (engine static data, rebuilt by init). */
export const tcpIndex: usize = memory.data(PORT_INDEX_BYTES, 8);
export const udpIndex: usize = memory.data(PORT_INDEX_BYTES, 8);
export let tcpBase: usize = 0;
export let tcpN: u32 = 0;
export let tcp: usize = 0;
export let udpBase: usize = 0;
export let udpN: u32 = 0;
export let udp: usize = 0;
export let icmpSet: usize = 0;
export let otherSet: usize = 0;

export let appAny: usize = 0;
export let appsN: u32 = 0;
export let apps: usize = 0;

export let vhN: u32 = 0;
export let vh: usize = 0;
export let namesCap: u32 = 0;
export let names: usize = 0;
export let str: usize = 0;
export let lists: usize = 0;

/** Scratch: two side lists of (4 + vhN) set pointers, then vhN generation marks. */
export let srcList: usize = 0;
export let dstList: usize = 0;
export let marks: usize = 0;

@inline function h(off: u32): u32 {
  return load<u32>(tBase + off);
}

/** Absolute pointer of set `idx` (validated). */
@inline export function setPtr(idx: u32): usize {
  return tBase + load<u32>(setOffs + (<usize>idx << 2));
}

/** The fine set of address class `cls` (to = 0: from-set, 1: to-set). */
@inline export function classSet(cls: u32, to: u32): usize {
  return setPtr(load<u32>(acls + <usize>cls * ACL_ENTRY_SIZE + (<usize>to << 2)));
}

/**
 * The bundle set of class `cls` for an outside endpoint of kind KIND_INTERNAL or KIND_EXTERNAL:
 * the class's coarse groups' rules ∪ the kind's built-ins. With classSet, the side's whole union.
 */
@inline export function bundleSet(cls: u32, kind: u32, to: u32): usize {
  const b = bundles + <usize>load<u32>(acls + <usize>cls * ACL_ENTRY_SIZE + 8) * BUNDLE_ENTRY_SIZE;
  return setPtr(load<u32>(b + (<usize>(kind - KIND_INTERNAL + 1) << 3) + (<usize>to << 2)));
}

/** A table section of n elements of `size` bytes at table offset `off`, 4-aligned, inside the table. */
function section(off: u32, n: u32, size: u32): bool {
  return (off & 3) == 0 && fits(<u64>off, <u64>n * size, <u64>tLen);
}

/** Every u32 in [p, p + 4n) at `stride` is a set index. */
function setIndexes(p: usize, n: u32, stride: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u32>(p + i * stride) >= nSets) return false;
  return true;
}

/** n u32 port starts at p strictly increase and stay below 65,536. */
function increasing(p: usize, n: u32): bool {
  for (let i: u32 = 1; i < n; i++) if (load<u32>(p + (<usize>i << 2)) <= load<u32>(p + ((<usize>i - 1) << 2))) return false;
  return n == 0 || load<u32>(p + ((<usize>n - 1) << 2)) <= 0xffff;
}

/** n (offset, length) u32 pairs at p each lie inside [0, len). */
function rangesInside(p: usize, n: u32, len: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (!fits(<u64>load<u32>(p + (<usize>i << 3)), <u64>load<u32>(p + (<usize>i << 3), 4), <u64>len)) return false;
  return true;
}

function validate(): u32 {
  const nRules = h(H_NRULES);
  if (!configureSets(nRules, h(H_NSUM))) return E_TABLE_CORRUPT;
  const settings = h(H_SETTINGS);
  xffOn = (settings & SET_XFF) != 0;
  strict = (settings & SET_STRICT) != 0;
  icmpPolicy = (settings & SET_ICMP_POLICY) != 0;
  linkLocalPolicy = (settings & SET_LINK_LOCAL) != 0;
  openshift = (settings & SET_OPENSHIFT) != 0;
  defaultMode = (settings >> SET_DEFAULT_MODE_SHIFT) & 0xff;
  nodesMode = (settings >> SET_NODES_MODE_SHIFT) & 0xff;
  if (defaultMode < MODE_DISCOVER || defaultMode > MODE_PROTECT) return E_TABLE_CORRUPT;
  if (nodesMode < MODE_DISCOVER || nodesMode > MODE_PROTECT) return E_TABLE_CORRUPT;

  if (!section(h(H_RULE_IDS), nRules, RULE_SLOT_SIZE) || !fits(<u64>h(H_RULE_FLAGS), <u64>nRules, <u64>tLen)) return E_TABLE_BOUNDS;
  ruleIds = tBase + h(H_RULE_IDS);
  ruleFlags = tBase + h(H_RULE_FLAGS);
  if (!section(h(H_RULE_ORDER), nRules, RULE_SLOT_SIZE)) return E_TABLE_BOUNDS;
  ruleOrder = tBase + h(H_RULE_ORDER);
  if (!section(h(H_WORD_MIN), (nRules + 63) >> 6, WORD_MIN_SIZE)) return E_TABLE_BOUNDS;
  wordMin = tBase + h(H_WORD_MIN);

  // Sets: an offset array, every set inside [setsLo, setsHi); set 0 is the empty set.
  nSets = h(H_NSETS);
  const lo = <u64>h(H_SETS_LO);
  const hi = <u64>h(H_SETS_HI);
  if (nSets == 0 || !section(h(H_SET_OFFS), nSets, SET_OFF_SIZE) || lo > hi || hi > <u64>tLen) return E_TABLE_BOUNDS;
  setOffs = tBase + h(H_SET_OFFS);
  if (!validSets(<u64>tBase, setOffs, nSets, <u64>tBase + lo, <u64>tBase + hi)) return E_TABLE_CORRUPT;
  emptySet = setPtr(0);
  if (load<u32>(emptySet) != 0) return E_TABLE_CORRUPT;

  if (!section(h(H_KIND_SETS), KIND_SETS_N, SET_INDEX_SIZE)) return E_TABLE_BOUNDS;
  kindSets = tBase + h(H_KIND_SETS);
  if (!setIndexes(kindSets, KIND_SETS_N, 4)) return E_TABLE_CORRUPT;

  // Address intervals: both tables cover their whole space and name valid classes.
  aclsN = h(H_ACLS_N);
  if (!section(h(H_ACLS), aclsN, ACL_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  acls = tBase + h(H_ACLS);
  if (!setIndexes(acls, aclsN, ACL_ENTRY_SIZE) || !setIndexes(acls + 4, aclsN, ACL_ENTRY_SIZE)) return E_TABLE_CORRUPT;
  bundlesN = h(H_BUNDLES_N);
  if (!section(h(H_BUNDLES), bundlesN, BUNDLE_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  bundles = tBase + h(H_BUNDLES);
  if (!setIndexes(bundles, bundlesN * (BUNDLE_ENTRY_SIZE >> 2), 4)) return E_TABLE_CORRUPT;
  for (let i: u32 = 0; i < aclsN; i++) if (load<u32>(acls + <usize>i * ACL_ENTRY_SIZE + 8) >= bundlesN) return E_TABLE_CORRUPT;
  addr4N = h(H_ADDR4_N);
  addr6N = h(H_ADDR6_N);
  if (addr4N == 0 || addr6N == 0 || !section(h(H_ADDR4), addr4N, ADDR4_ENTRY_SIZE) || !section(h(H_ADDR6), addr6N, ADDR6_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  addr4 = tBase + h(H_ADDR4);
  addr6 = tBase + h(H_ADDR6);
  if ((h(H_ADDR6) & 7) != 0 || load<u32>(addr4) != 0 || load<u64>(addr6) != 0 || load<u64>(addr6, 8) != 0) return E_TABLE_CORRUPT;
  for (let i: u32 = 0; i < addr4N; i++) if (load<u32>(addr4 + ((<usize>addr4N + i) << 2)) >= aclsN) return E_TABLE_CORRUPT;
  const cls6 = addr6 + (<usize>addr6N << 4);
  for (let i: u32 = 0; i < addr6N; i++) if (load<u32>(cls6 + (<usize>i << 2)) >= aclsN) return E_TABLE_CORRUPT;
  // The classes' group lists, for the host: only bounds (the engine does not read them).
  const cgroupsN = h(H_CGROUPS_N);
  if (!section(h(H_CGROUPS), aclsN, CGROUP_ENTRY_SIZE) || !fits(<u64>h(H_CGROUPS) + (<u64>aclsN << 3), <u64>cgroupsN, <u64>tLen)) return E_TABLE_BOUNDS;
  if (!rangesInside(tBase + h(H_CGROUPS), aclsN, cgroupsN)) return E_TABLE_CORRUPT;

  // Ports: a base set per protocol, interval tables for tcp and udp.
  if (!setIndexes(tBase + H_TCP_BASE, 1, 4) || !setIndexes(tBase + H_UDP_BASE, 1, 4)) return E_TABLE_CORRUPT;
  if (!setIndexes(tBase + H_ICMP_SET, 1, 4) || !setIndexes(tBase + H_OTHER_SET, 1, 4)) return E_TABLE_CORRUPT;
  if (!setIndexes(tBase + H_APP_ANY, 1, 4)) return E_TABLE_CORRUPT;
  tcpBase = setPtr(h(H_TCP_BASE));
  udpBase = setPtr(h(H_UDP_BASE));
  icmpSet = setPtr(h(H_ICMP_SET));
  otherSet = setPtr(h(H_OTHER_SET));
  appAny = setPtr(h(H_APP_ANY));
  tcpN = h(H_TCP_N);
  udpN = h(H_UDP_N);
  if (!section(h(H_TCP), tcpN, PORT_ENTRY_SIZE) || !section(h(H_UDP), udpN, PORT_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  tcp = tBase + h(H_TCP);
  udp = tBase + h(H_UDP);
  if ((tcpN > 0 && load<u32>(tcp) != 0) || (udpN > 0 && load<u32>(udp) != 0)) return E_TABLE_CORRUPT;
  if (!setIndexes(tcp + (<usize>tcpN << 2), tcpN, 4) || !setIndexes(udp + (<usize>udpN << 2), udpN, 4)) return E_TABLE_CORRUPT;
  // Interval starts strictly increase (so at most 65,536 of them, and the index fits u16).
  if (!increasing(tcp, tcpN) || !increasing(udp, udpN)) return E_TABLE_CORRUPT;
  if (tcpN > 0) buildPortIndex(tcpIndex, tcp, tcpN);
  if (udpN > 0) buildPortIndex(udpIndex, udp, udpN);

  appsN = h(H_APPS_N);
  if (!section(h(H_APPS), appsN, APP_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  apps = tBase + h(H_APPS);
  if (!setIndexes(apps + 4, appsN, 8)) return E_TABLE_CORRUPT;

  // Virtual hosts: per-slot sets, a name hash table, its strings and slot lists.
  vhN = h(H_VH_N);
  if (vhN > 0x100000 || !section(h(H_VH), vhN, VH_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  vh = tBase + h(H_VH);
  if (!setIndexes(vh, vhN * 2, 4)) return E_TABLE_CORRUPT;
  const strLen = h(H_STR_LEN);
  const listsN = h(H_LISTS_N);
  if (!fits(<u64>h(H_STR), <u64>strLen, <u64>tLen) || !section(h(H_LISTS), listsN, LIST_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  str = tBase + h(H_STR);
  lists = tBase + h(H_LISTS);
  for (let i: u32 = 0; i < listsN; i++) if (load<u32>(lists + (<usize>i << 2)) >= vhN) return E_TABLE_CORRUPT;
  namesCap = h(H_NAMES_CAP);
  if (namesCap != 0 && !isPow2(namesCap)) return E_TABLE_CORRUPT;
  if (!section(h(H_NAMES), namesCap, NAME_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  names = tBase + h(H_NAMES);
  for (let i: u32 = 0; i < namesCap; i++) {
    const e = names + i * NAME_ENTRY_SIZE;
    if ((load<u32>(e + NE_FLAGS) & NE_USED) == 0) continue;
    if (!fits(<u64>load<u32>(e + NE_STR), <u64>load<u32>(e + NE_LEN), <u64>strLen)) return E_TABLE_CORRUPT;
    if (!fits(<u64>load<u32>(e + NE_LIST), <u64>load<u32>(e + NE_LIST_N), <u64>listsN)) return E_TABLE_CORRUPT;
  }

  // Host-side group lists (LEB128 byte ranges): only bounds (the engine does not read them).
  const gruleN = h(H_GRULES_N);
  const groupsN = h(H_GROUPS_N);
  if (!fits(<u64>h(H_GRULES), <u64>gruleN, <u64>tLen) || !section(h(H_GROUPS), groupsN, GROUP_ENTRY_SIZE)) return E_TABLE_BOUNDS;
  if (!rangesInside(tBase + h(H_GROUPS), groupsN * 2, gruleN)) return E_TABLE_CORRUPT;

  // Threat configuration: installed into asm/threat/params.ts once the whole table is valid.
  const threatsN = h(H_THREATS_N);
  if (!section(h(H_THREATS), threatsN, THREAT_REC_SIZE)) return E_TABLE_BOUNDS;
  const threats = tBase + h(H_THREATS);
  if (!validThreats(threats, threatsN)) return E_TABLE_CORRUPT;

  // Scratch right after the table, inside memory.
  const need = (<u64>(2 * (4 + vhN) + vhN)) << 2;
  const scratch = <u64>h(H_SCRATCH);
  const at = align8(<u64>tBase + tLen);
  if (scratch < need || !fits(at, scratch, memBytes())) return E_TABLE_BOUNDS;
  srcList = <usize>at;
  dstList = srcList + ((4 + <usize>vhN) << 2);
  marks = dstList + ((4 + <usize>vhN) << 2);
  memory.fill(marks, 0, <usize>vhN << 2);
  dynBase = at + scratch;
  if (ASC_FEATURE_SIMD) {
    // The SIMD engine's address index (asm/addr-index.ts) follows the scratch, on a cache line.
    const idx = (dynBase + 63) & ~(<u64>63);
    if (buildAddrIndex(addr4, addr4N, idx)) dynBase = idx + addrIndexBytes(addr4N);
  }
  installThreats(threats, threatsN);
  return E_OK;
}

/** Validate the table at `base` (TABLE_BASE in modules nvp emits) and make it current. */
export function initTable(base: usize, len: u32): u32 {
  ready = false;
  if (base < TABLE_BASE || (base & 7) != 0 || len < HEADER_SIZE || !fits(<u64>base, <u64>len, memBytes())) return E_TABLE_BOUNDS;
  tBase = base;
  tLen = len;
  if (h(H_MAGIC) != TABLE_MAGIC) return E_TABLE_MAGIC;
  if (h(H_FORMAT) != FORMAT_VERSION || h(H_ABI) != ABI_VERSION) return E_TABLE_VERSION;
  if (h(H_LEN) != len) return E_TABLE_BOUNDS;
  const code = validate();
  ready = code == E_OK;
  return code;
}

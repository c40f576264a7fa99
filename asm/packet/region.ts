// The packet region: settings written by the host at P, the layout of every fixed pool computed
// from them (pktNeed / pktInit), the counters and the engine clock. The threat areas (per-flow
// threat states, rate meters, the Service externalIP set) are pools like the others. Nothing here
// or downstream allocates: each pool is a fixed array inside [P, P + len), sized once from the
// settings.
import {
  C_COUNT, PACKET_MAGIC, PD_SIZE, PH_COUNTERS, PH_DATA, PH_DESC, PH_DNS_NAMES, PH_EVENTS, PH_LEN, PH_NOW,
  PH_PATTERNS, PH_SIZE, PH_VERDICTS, PKT_BATCH_BYTES_MAX, PKT_BATCH_BYTES_MIN, PKT_BATCH_PKTS_MAX,
  PKT_DNS_NAMES_MAX, PKT_EVENT_CAP_MAX, PKT_EVENT_CAP_MIN, PKT_FLOW_CAP_MAX, PKT_FLOW_CAP_MIN,
  PKT_FRAG_BYTES_MAX, PKT_FRAG_BYTES_MIN, PKT_FRAG_SLOTS_MAX, PKT_PATTERN_BYTES_MAX, PKT_PREFIX_SLOTS_MAX,
  PS_BATCH_BYTES, PS_BATCH_PKTS, PS_DNS_MIN_TTL, PS_DNS_NAMES, PS_EVENT_CAP, PS_FLAGS, PS_FLOW_CAP,
  PS_FRAG_BYTES, PS_FRAG_SLOTS, PS_MAGIC, PS_PATTERN_BYTES, PS_PREFIX_SLOTS, PS_TO_CLOSED, PS_TO_EST,
  PS_TO_FIN, PS_TO_FRAG, PS_TO_ICMP, PS_TO_OTHER, PS_TO_SYN, PS_TO_UDP, PSF_DNS_SNOOP, PSF_DPI, PV_SIZE,
  DN_SIZE, EV_SIZE, EXT_IP_SIZE, METER_SIZE, PH_EXT_IPS, PH_METERS, PH_THREAT_STATES, PKT_EXT_IPS_MAX,
  PKT_METER_SLOTS_MAX, PKT_METER_SLOTS_MIN, PS_EXT_IPS, PS_METER_SLOTS, PSF_PORT_GUESS, PSF_THREATS, THREAT_FLOW_STATE,
} from "../abi-packet";
import { DPI_PREFIX_CAP } from "../dpi/result";
import { dynBase, ready } from "../table";
import { isPow2 } from "../mem";

/** Bytes of the per-flow record (asm/flow/table.ts), a prefix slot, a fragment slot's header. */
export const FLOW_REC: u32 = 208;
export const PREFIX_HDR: u32 = 64;
export const PREFIX_CAP: u32 = <u32>DPI_PREFIX_CAP;
export const PREFIX_REC: u32 = PREFIX_HDR + 2 * PREFIX_CAP;
export const FRAG_HDR: u32 = 64;
/** Scratch: a flow record, a result record, a DPI result, the DNS answer parser's records and names. */
const SCRATCH: u32 = 20480;

export let pktReady = false;
export let base: usize = 0;
export let regionLen: u64 = 0;

export let flowCap: u32 = 0;
export let flowIdxCap: u32 = 0;
export let prefixSlots: u32 = 0;
export let fragSlots: u32 = 0;
export let fragBytes: u32 = 0;
export let fragRec: u32 = 0;
export let eventCap: u32 = 0;
export let dnsNames: u32 = 0;
export let dnsIdxCap: u32 = 0;
export let batchPkts: u32 = 0;
export let batchBytes: u32 = 0;
export let patternBytes: u32 = 0;
export let meterSlots: u32 = 0;
export let extIpCap: u32 = 0;
export let dpiOn = true;
export let dnsSnoopOn = true;
export let threatsOn = true;
/** Flow-end records name an unknown flow by its port (PSF_PORT_GUESS). */
export let portGuessOn = false;

export let toSyn: u64 = 0;
export let toEst: u64 = 0;
export let toFin: u64 = 0;
export let toClosed: u64 = 0;
export let toUdp: u64 = 0;
export let toIcmp: u64 = 0;
export let toOther: u64 = 0;
export let toFrag: u64 = 0;
export let dnsMinTtl: u64 = 0;

export let counters: usize = 0;
export let descs: usize = 0;
export let verdicts: usize = 0;
export let data: usize = 0;
export let events: usize = 0;
export let flows: usize = 0;
export let flowIdx: usize = 0;
export let prefixes: usize = 0;
export let prefixFree: usize = 0;
export let frags: usize = 0;
export let dnsTable: usize = 0;
export let dnsIdx: usize = 0;
export let patterns: usize = 0;
export let threatStates: usize = 0;
export let meters: usize = 0;
export let extIps: usize = 0;
export let scratch: usize = 0;

/** The engine clock: the largest packet time seen (ns). Timeouts run on packet time only. */
export let now: u64 = 0;

const NS: u64 = 1000000000;

@inline function setting(p: usize, off: u32): u32 {
  return load<u32>(p + off);
}

@inline function al8(x: u64): u64 {
  return (x + 7) & ~(<u64>7);
}

function pow2AtLeast(x: u32): u32 {
  let c: u32 = 1;
  while (c < x) c <<= 1;
  return c;
}

/** Settings inside their limits; reads them into the globals. */
function readSettings(p: usize): bool {
  if (setting(p, PS_MAGIC) != PACKET_MAGIC) return false;
  flowCap = setting(p, PS_FLOW_CAP);
  prefixSlots = setting(p, PS_PREFIX_SLOTS);
  fragSlots = setting(p, PS_FRAG_SLOTS);
  fragBytes = setting(p, PS_FRAG_BYTES);
  eventCap = setting(p, PS_EVENT_CAP);
  dnsNames = setting(p, PS_DNS_NAMES);
  batchPkts = setting(p, PS_BATCH_PKTS);
  batchBytes = setting(p, PS_BATCH_BYTES);
  patternBytes = setting(p, PS_PATTERN_BYTES);
  meterSlots = setting(p, PS_METER_SLOTS);
  extIpCap = setting(p, PS_EXT_IPS);
  if (flowCap < PKT_FLOW_CAP_MIN || flowCap > PKT_FLOW_CAP_MAX) return false;
  if (prefixSlots > PKT_PREFIX_SLOTS_MAX || fragSlots > PKT_FRAG_SLOTS_MAX) return false;
  if (fragBytes < PKT_FRAG_BYTES_MIN || fragBytes > PKT_FRAG_BYTES_MAX) return false;
  if (eventCap < PKT_EVENT_CAP_MIN || eventCap > PKT_EVENT_CAP_MAX || !isPow2(eventCap)) return false;
  if (dnsNames > PKT_DNS_NAMES_MAX || batchPkts == 0 || batchPkts > PKT_BATCH_PKTS_MAX) return false;
  if (batchBytes < PKT_BATCH_BYTES_MIN || batchBytes > PKT_BATCH_BYTES_MAX) return false;
  if (patternBytes > PKT_PATTERN_BYTES_MAX) return false;
  if (meterSlots < PKT_METER_SLOTS_MIN || meterSlots > PKT_METER_SLOTS_MAX || !isPow2(meterSlots)) return false;
  if (extIpCap > PKT_EXT_IPS_MAX) return false;
  const flags = setting(p, PS_FLAGS);
  dpiOn = (flags & PSF_DPI) != 0;
  dnsSnoopOn = (flags & PSF_DNS_SNOOP) != 0;
  threatsOn = (flags & PSF_THREATS) != 0;
  portGuessOn = (flags & PSF_PORT_GUESS) != 0;
  toSyn = <u64>setting(p, PS_TO_SYN) * NS;
  toEst = <u64>setting(p, PS_TO_EST) * NS;
  toFin = <u64>setting(p, PS_TO_FIN) * NS;
  toClosed = <u64>setting(p, PS_TO_CLOSED) * NS;
  toUdp = <u64>setting(p, PS_TO_UDP) * NS;
  toIcmp = <u64>setting(p, PS_TO_ICMP) * NS;
  toOther = <u64>setting(p, PS_TO_OTHER) * NS;
  toFrag = <u64>setting(p, PS_TO_FRAG) * NS;
  dnsMinTtl = <u64>setting(p, PS_DNS_MIN_TTL) * NS;
  flowIdxCap = pow2AtLeast(flowCap * 2);
  dnsIdxCap = dnsNames == 0 ? 0 : pow2AtLeast(dnsNames * 2);
  // A fragment slot: header, one coverage bit per 8-byte unit, the datagram bytes.
  fragRec = <u32>al8(<u64>FRAG_HDR + (((fragBytes >> 3) + 8) >> 3) + fragBytes);
  return true;
}

/** Lay the areas out from `p`; returns the region length. Sets the pointers when `commit`. */
function layout(p: usize, commit: bool): u64 {
  let at: u64 = <u64>PH_SIZE;
  const cnt = at;
  at += <u64>C_COUNT << 3;
  const desc = at;
  at = al8(at + <u64>batchPkts * PD_SIZE);
  const verd = at;
  at = al8(at + <u64>batchPkts * PV_SIZE);
  const dat = at;
  at = al8(at + <u64>batchBytes);
  const ev = at;
  at += <u64>eventCap * EV_SIZE;
  const fl = at;
  at += <u64>flowCap * FLOW_REC;
  const fi = at;
  at = al8(at + (<u64>flowIdxCap << 2));
  const px = at;
  at += <u64>prefixSlots * PREFIX_REC;
  const pf = at;
  at = al8(at + (<u64>prefixSlots << 2));
  const fr = at;
  at += <u64>fragSlots * fragRec;
  const dn = at;
  at += <u64>dnsNames * DN_SIZE;
  const di = at;
  at = al8(at + (<u64>dnsIdxCap << 2));
  const pt = at;
  at = al8(at + <u64>patternBytes);
  const ts = at;
  at += <u64>flowCap * THREAT_FLOW_STATE;
  const mt = at;
  at += <u64>meterSlots * METER_SIZE;
  const xi = at;
  at += <u64>extIpCap * EXT_IP_SIZE;
  const sc = at;
  at += SCRATCH;
  if (commit) {
    counters = p + <usize>cnt;
    descs = p + <usize>desc;
    verdicts = p + <usize>verd;
    data = p + <usize>dat;
    events = p + <usize>ev;
    flows = p + <usize>fl;
    flowIdx = p + <usize>fi;
    prefixes = p + <usize>px;
    prefixFree = p + <usize>pf;
    frags = p + <usize>fr;
    dnsTable = p + <usize>dn;
    dnsIdx = p + <usize>di;
    patterns = p + <usize>pt;
    threatStates = p + <usize>ts;
    meters = p + <usize>mt;
    extIps = p + <usize>xi;
    scratch = p + <usize>sc;
    store<u32>(p + PH_COUNTERS, <u32>cnt);
    store<u32>(p + PH_DESC, <u32>desc);
    store<u32>(p + PH_VERDICTS, <u32>verd);
    store<u32>(p + PH_DATA, <u32>dat);
    store<u32>(p + PH_EVENTS, <u32>ev);
    store<u32>(p + PH_DNS_NAMES, <u32>dn);
    store<u32>(p + PH_PATTERNS, <u32>pt);
    store<u32>(p + PH_THREAT_STATES, <u32>ts);
    store<u32>(p + PH_METERS, <u32>mt);
    store<u32>(p + PH_EXT_IPS, <u32>xi);
    store<u32>(p + PH_LEN, <u32>at);
  }
  return at;
}

/** The settings at `p` (64-aligned, after the table) are valid and the region is placed legally. */
function placeable(p: usize): bool {
  if (!ready || (p & 63) != 0 || <u64>p < dynBase) return false;
  const mem = (<u64>memory.size()) << 16;
  return <u64>p + PH_SIZE <= mem;
}

/** Bytes the packet region at `p` needs for the settings written there; 0 when they are invalid. */
export function need(p: usize): u32 {
  if (!placeable(p) || !readSettings(p)) return 0;
  const len = layout(p, false);
  return len > 0xffff0000 ? 0 : <u32>len;
}

/** Take the region [p, p + len): lay it out and zero it. False when it does not fit. */
export function place(p: usize, len: u32): bool {
  pktReady = false;
  if (!placeable(p) || !readSettings(p)) return false;
  const want = layout(p, false);
  const mem = (<u64>memory.size()) << 16;
  if (<u64>len < want || <u64>p + want > mem) return false;
  base = p;
  regionLen = want;
  // Zero everything after the settings; the pools start empty.
  memory.fill(p + 96, 0, <usize>(want - 96));
  layout(p, true);
  now = 0;
  pktReady = true;
  return true;
}

@inline export function bump(idx: u32): void {
  const a = counters + (<usize>idx << 3);
  store<u64>(a, load<u64>(a) + 1);
}

@inline export function addTo(idx: u32, n: u64): void {
  const a = counters + (<usize>idx << 3);
  store<u64>(a, load<u64>(a) + n);
}

@inline export function drop(idx: u32): void {
  const a = counters + (<usize>idx << 3);
  store<u64>(a, load<u64>(a) - 1);
}

@inline export function counter(idx: u32): u64 {
  return load<u64>(counters + (<usize>idx << 3));
}

/** Advance the clock to `ts` (never backwards: a late packet is taken as arriving now). */
export function tick(ts: u64): void {
  if (ts > now) {
    now = ts;
    store<u64>(base + PH_NOW, now);
  }
}

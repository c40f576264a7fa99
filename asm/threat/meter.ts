// A bounded keyed rate meter for the flood detectors (asm/threat/flood.ts): how many hits one key
// (a kind plus the addresses involved) had in a sliding window, with raise/release hysteresis.
//
// The area is the caller's: `cap` entries of METER_ENTRY bytes at `base`, zeroed at start, so
// memory never grows however many keys arrive. It is an open-addressing table probed linearly
// for at most METER_PROBE entries; when the whole run is taken by other keys, the stalest of them
// (the oldest last hit) is evicted and counted (meterEvictions). Entries are only ever overwritten,
// never removed, so an empty entry ends a probe run.
//
// Entry (32 bytes):
//   [0, 8)   key fingerprint, 0 = empty. meterKey() is injective in keyHi for a fixed keyLo and
//            kind, so two IPv4 sources to one destination (or two IPv4 destinations) never share
//            an entry; any other two keys share one with probability 2^-64.
//   [8, 16)  time of the last hit, ms (time never runs backwards within an entry)
//   [16, 31) METER_SLOTS counters of 24 bits, one per slot of window/METER_SLOTS ms, saturating
//   [31]     flags: raised
//
// The count is exact to the slot resolution: with w = floor(window / METER_SLOTS), a hit at time
// now counts every earlier hit of the key at or after now - (METER_SLOTS - 1) * w and none at or
// before now - window. So it never exceeds the true number of hits in the window and misses at
// most the oldest slot's share. Eviction and saturation only lower it.
//
// NeuVector (dpi_meter.c meter_inc) keeps one malloc'ed meter per (workload MAC, peer IP) in an
// unbounded RCU hash map, freed by a timer, and decays a single count by (span-1)/span per second,
// an approximation of the window; here memory is fixed, keys are addresses, and the count is the
// sum of the window's slots.

export const METER_ENTRY: u32 = 32;
/** Slots per window (NeuVector's SYN-flood span: 5 slots of 1 s). */
export const METER_SLOTS: u32 = 5;
/** Entries probed per key before the stalest is evicted. */
export const METER_PROBE: u32 = 8;

/** meterHit results: below the threshold (or released), just crossed it (report), still raised. */
export const METER_QUIET: u32 = 0;
export const METER_ROSE: u32 = 1;
export const METER_ON: u32 = 2;

const E_LAST: usize = 8;
const E_SLOTS: usize = 16;
const E_FLAGS: usize = 31;
const F_RAISED: u8 = 1;
const SLOT_MAX: u32 = 0xffffff;

let evictions: u64 = 0;
let lastCount: u32 = 0;

/** MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit. */
@inline function fmix(h: u64): u64 {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53;
  return h ^ (h >> 33);
}

/** A 128-bit address (two halves) as one key word; injective in `lo` for a fixed `hi` (all of IPv4). */
export function meterFold(lo: u64, hi: u64): u64 {
  return lo ^ fmix(hi);
}

/** The fingerprint of (kind, keyLo, keyHi); never 0 (0 marks an empty entry). */
export function meterKey(kind: u32, keyLo: u64, keyHi: u64): u64 {
  const h = fmix(fmix(keyLo ^ (<u64>(kind & 0xff) * 0x9e3779b97f4a7c15)) ^ keyHi);
  return h == 0 ? 1 : h;
}

@inline function slotAt(e: usize, i: u32): usize {
  return e + E_SLOTS + <usize>(i * 3);
}

@inline function slotGet(e: usize, i: u32): u32 {
  return load<u32>(slotAt(e, i)) & SLOT_MAX;
}

/** Writes 24 bits; the fourth byte the u32 covers (the next slot, or the flags) is kept. */
@inline function slotSet(e: usize, i: u32, v: u32): void {
  const a = slotAt(e, i);
  store<u32>(a, (load<u32>(a) & ~SLOT_MAX) | v);
}

function claim(e: usize, key: u64, now: u64): usize {
  store<u64>(e, key);
  store<u64>(e + E_LAST, now);
  store<u64>(e + E_SLOTS, 0);
  store<u64>(e + E_SLOTS + 8, 0);
  return e;
}

/** The entry of `key`, claimed (empty, or the stalest of the probe run evicted) when it has none. */
function entryFor(base: usize, cap: u32, key: u64, now: u64): usize {
  // The largest power of two within cap, so no input reaches past the area.
  const mask = (<u32>1 << (31 - clz<u32>(cap))) - 1;
  const probes = min<u32>(METER_PROBE, mask + 1);
  const start = <u32>key;
  let victim = base + (<usize>(start & mask) << 5);
  let oldest: u64 = u64.MAX_VALUE;
  for (let k: u32 = 0; k < probes; k++) {
    const e = base + (<usize>((start + k) & mask) << 5);
    const tag = load<u64>(e);
    if (tag == key) return e;
    if (tag == 0) return claim(e, key, now);
    const last = load<u64>(e + E_LAST);
    if (last < oldest) {
      oldest = last;
      victim = e;
    }
  }
  evictions++;
  return claim(victim, key, now);
}

/** Move the entry's window to `now`: slots that fell out of it are cleared. Returns the slot of now. */
function advance(e: usize, now: u64, w: u64): u32 {
  const last = load<u64>(e + E_LAST);
  if (now < last) now = last;
  const cur = now / w;
  const gap = cur - last / w;
  if (gap >= <u64>METER_SLOTS) {
    for (let i: u32 = 0; i < METER_SLOTS; i++) slotSet(e, i, 0);
  } else {
    for (let j: u64 = 1; j <= gap; j++) slotSet(e, <u32>((last / w + j) % METER_SLOTS), 0);
  }
  store<u64>(e + E_LAST, now);
  return <u32>(cur % METER_SLOTS);
}

function total(e: usize): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < METER_SLOTS; i++) n += slotGet(e, i);
  return n;
}

/**
 * One hit of (kind, keyLo, keyHi) at `now` (ms) in a window of `windowMs` (at least METER_SLOTS
 * ms). Raised when the count reaches `threshold` (at least 1): METER_ROSE on that hit, METER_ON
 * on later hits while raised. It stays raised until the count before a hit has fallen below
 * `release` (at most threshold; 0 keeps it raised as long as the entry lives). meterLastCount()
 * gives the count after this hit. A cap of 0 meters nothing.
 */
export function meterHit(base: usize, cap: u32, kind: u32, keyLo: u64, keyHi: u64, now: u64, windowMs: u32, threshold: u32, release: u32): u32 {
  lastCount = 0;
  if (cap == 0) return METER_QUIET;
  const th = max<u32>(threshold, 1);
  const rel = min<u32>(release, th);
  const e = entryFor(base, cap, meterKey(kind, keyLo, keyHi), now);
  const slot = advance(e, now, <u64>max<u32>(windowMs / METER_SLOTS, 1));
  const before = total(e);
  let raised = (load<u8>(e + E_FLAGS) & F_RAISED) != 0;
  if (raised && before < rel) raised = false;
  const v = slotGet(e, slot);
  if (v < SLOT_MAX) slotSet(e, slot, v + 1);
  const count = total(e);
  lastCount = count;
  let r = METER_QUIET;
  if (raised) r = METER_ON;
  else if (count >= th) {
    raised = true;
    r = METER_ROSE;
  }
  store<u8>(e + E_FLAGS, raised ? F_RAISED : 0);
  return r;
}

/** The count after the last meterHit (0 when it metered nothing). */
export function meterLastCount(): u32 {
  return lastCount;
}

/** Entries evicted since the engine started: keys that found their probe run full. */
export function meterEvictions(): u64 {
  return evictions;
}

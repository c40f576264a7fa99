// What a threat detector reports: detectors call found()/foundText() with a threat code
// (common/threats.ts `code`) and a short evidence string; the packet path drains the findings
// after each detector call (asm/threat/raise.ts) and turns each into a threat event, and, in
// Protect, a block. A static list of FINDINGS_MAX entries: a detector that finds more in one
// call keeps the first ones (a flow is blocked by the first anyway). Nothing here allocates.

export const FINDINGS_MAX: u32 = 4;
/** Evidence bytes kept per finding; longer evidence is clipped. Non-printable bytes become '.'. */
export const EVIDENCE_MAX: u32 = 64;

const codes = memory.data(<i32>(FINDINGS_MAX << 2), 4);
const lens = memory.data(<i32>(FINDINGS_MAX << 2), 4);
const texts = memory.data(<i32>(FINDINGS_MAX * EVIDENCE_MAX), 8);
let count: u32 = 0;

@inline function printable(c: u32): u32 {
  return c >= 0x20 && c < 0x7f ? c : 0x2e;
}

/** Reserve the next finding for `code`; 0 when the list is full. */
function next(code: u32): usize {
  if (count >= FINDINGS_MAX) return 0;
  const i = count++;
  store<u32>(codes + (<usize>i << 2), code);
  store<u32>(lens + (<usize>i << 2), 0);
  return texts + <usize>i * EVIDENCE_MAX;
}

@inline function setLen(n: u32): void {
  store<u32>(lens + (<usize>(count - 1) << 2), n);
}

/** Report threat `code` with the bytes [p, p + len) as evidence (clipped to EVIDENCE_MAX). */
export function found(code: u32, p: usize, len: u32): void {
  const t = next(code);
  if (t == 0) return;
  const n = min<u32>(len, EVIDENCE_MAX);
  for (let i: u32 = 0; i < n; i++) store<u8>(t + i, <u8>printable(<u32>load<u8>(p + i)));
  setLen(n);
}

/** Report threat `code` with a fixed text as evidence (a static string literal: no allocation). */
export function foundText(code: u32, s: string): void {
  const t = next(code);
  if (t == 0) return;
  const n = min<u32>(<u32>s.length, EVIDENCE_MAX);
  for (let i: u32 = 0; i < n; i++) store<u8>(t + i, <u8>printable(<u32>s.charCodeAt(i)));
  setLen(n);
}

/** Append a decimal number to the last finding's evidence (e.g. a count or a length). */
export function evidenceNumber(v: u64): void {
  if (count == 0) return;
  const t = texts + <usize>(count - 1) * EVIDENCE_MAX;
  let n = load<u32>(lens + (<usize>(count - 1) << 2));
  let div: u64 = 1;
  while (v / div >= 10) div *= 10;
  while (div > 0 && n < EVIDENCE_MAX) {
    store<u8>(t + n, <u8>(0x30 + <u32>((v / div) % 10)));
    n++;
    div /= 10;
  }
  setLen(n);
}

/** Append one byte to the last finding's evidence (dropped when it is full). */
function append(c: u32): void {
  if (count == 0) return;
  const n = load<u32>(lens + (<usize>(count - 1) << 2));
  if (n >= EVIDENCE_MAX) return;
  store<u8>(texts + <usize>(count - 1) * EVIDENCE_MAX + n, <u8>printable(c));
  setLen(n + 1);
}

/** A 16-bit group in lower-case hex without leading zeros. */
function appendHex16(v: u32): void {
  let started = false;
  for (let shift: i32 = 12; shift >= 0; shift -= 4) {
    const d = (v >> <u32>shift) & 15;
    if (d == 0 && !started && shift > 0) continue;
    started = true;
    append(d < 10 ? 0x30 + d : 0x57 + d);
  }
}

@inline function group(lo: u64, hi: u64, i: u32): u32 {
  return <u32>(((i < 4 ? hi : lo) >> (<u64>(3 - (i & 3)) << 4)) & 0xffff);
}

/**
 * Append an address (common/abi.ts encoding: low and high u64, ::ffff:a.b.c.d is IPv4) in its
 * usual text: dotted IPv4, or IPv6 with the longest run of two or more zero groups as `::`.
 */
export function evidenceIp(lo: u64, hi: u64): void {
  if (hi == 0 && (lo >> 32) == 0xffff) {
    for (let i: i32 = 3; i >= 0; i--) {
      evidenceNumber((lo >> (<u64>i << 3)) & 0xff);
      if (i > 0) append(0x2e);
    }
    return;
  }
  let best: u32 = 8;
  let bestLen: u32 = 1;
  for (let i: u32 = 0; i < 8; ) {
    let j = i;
    while (j < 8 && group(lo, hi, j) == 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j > i ? j : i + 1;
  }
  for (let i: u32 = 0; i < 8; i++) {
    if (i == best) {
      append(0x3a);
      append(0x3a);
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i != best + bestLen) append(0x3a);
    appendHex16(group(lo, hi, i));
  }
}

/** Append fixed text to the last finding's evidence. */
export function evidenceText(s: string): void {
  if (count == 0) return;
  const t = texts + <usize>(count - 1) * EVIDENCE_MAX;
  let n = load<u32>(lens + (<usize>(count - 1) << 2));
  for (let i = 0; i < s.length && n < EVIDENCE_MAX; i++) store<u8>(t + n++, <u8>printable(<u32>s.charCodeAt(i)));
  setLen(n);
}

export function findingCount(): u32 {
  return count;
}

export function findingCode(i: u32): u32 {
  return i < count ? load<u32>(codes + (<usize>i << 2)) : 0xffffffff;
}

export function findingEvidence(i: u32): usize {
  return texts + <usize>min<u32>(i, FINDINGS_MAX - 1) * EVIDENCE_MAX;
}

export function findingEvidenceLen(i: u32): u32 {
  return i < count ? load<u32>(lens + (<usize>i << 2)) : 0;
}

export function clearFindings(): void {
  count = 0;
}

/** Forget the findings of `code` from index `from` on (a caller that knows they do not apply). */
export function dropFindings(code: u32, from: u32): void {
  let keep = from;
  for (let i = from; i < count; i++) {
    if (load<u32>(codes + (<usize>i << 2)) == code) continue;
    if (keep != i) {
      store<u32>(codes + (<usize>keep << 2), load<u32>(codes + (<usize>i << 2)));
      store<u32>(lens + (<usize>keep << 2), load<u32>(lens + (<usize>i << 2)));
      memory.copy(texts + <usize>keep * EVIDENCE_MAX, texts + <usize>i * EVIDENCE_MAX, EVIDENCE_MAX);
    }
    keep++;
  }
  count = keep;
}

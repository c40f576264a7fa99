/**
 * Compressed rule sets (common/abi.ts "compressed rule sets"; asm/sets.ts reads them): encoding
 * with interning, and decoding for the host and tests. A set of rule indexes over nRules bits is
 * a super-summary bit per group of summary words, the summary words of the groups it touches
 * (each with the offset of its words), and the non-zero 64-bit words.
 */
import { SE_AT, SE_SUM, SET_DENSE_SUM, SET_ENTRIES, SET_ENTRY, SET_NNZ, SET_SUPER, SET_WORDS } from "./abi.js";
import type { ByteWriter } from "./abi-bytes.js";

/** Summary words per super-summary bit: the power of two at or above ceil(nSum / 64). */
export function superGroup(nSum: number): number {
  let g = 1;
  while (g * 64 < nSum) g *= 2;
  return g;
}

export interface SetGeometry {
  nRules: number;
  nWords: number;
  /** Summary words per set (H_NSUM). */
  nSum: number;
  /** Summary words per super-summary bit. */
  group: number;
  /** Super-summary groups. */
  nGroups: number;
  /** Sets store only their non-zero groups (nSum > SET_DENSE_SUM), else every group. */
  sparse: boolean;
}

export function setGeometry(nRules: number): SetGeometry {
  const nWords = Math.ceil(nRules / 64);
  const nSum = Math.ceil(nWords / 64);
  const group = superGroup(nSum);
  return { nRules, nWords, nSum, group, nGroups: Math.ceil(nSum / group), sparse: nSum > SET_DENSE_SUM };
}

/**
 * The non-zero 64-bit words of a sorted list, the super-summary groups it stores (those the words
 * fall in, or all of them when the sets are dense), and the super-summary.
 */
function shape(geo: SetGeometry, list: ArrayLike<number>): { words: number; groups: number; supLo: number; supHi: number } {
  let words = 0;
  let groups = 0;
  let supLo = 0;
  let supHi = 0;
  let prevWord = -1;
  let prevGroup = -1;
  for (let i = 0; i < list.length; i++) {
    const k = (list[i] as number) >>> 6;
    if (k === prevWord) continue;
    prevWord = k;
    words++;
    const g = Math.floor((k >>> 6) / geo.group);
    if (g === prevGroup) continue;
    prevGroup = g;
    groups++;
    if (g < 32) supLo = (supLo | (1 << g)) >>> 0;
    else supHi = (supHi | (1 << (g - 32))) >>> 0;
  }
  return { words, groups: geo.sparse ? groups : geo.nGroups, supLo, supHi };
}

/** Scratch for writeSet, grown as needed: a set is laid out here as u32s, then copied in one go. */
let scratch = new Uint32Array(1024);

/** Write one set (the writer must be 8-aligned). `list` is sorted and below nRules. */
export function writeSet(w: ByteWriter, geo: SetGeometry, list: ArrayLike<number>): void {
  const group = geo.group;
  const { words, groups, supLo, supHi } = shape(geo, list);
  // In u32s: header, entries (summary word, word offset, 0), words.
  const entriesAt = SET_ENTRIES / 4;
  const wordsAt = entriesAt + (groups * group * SET_ENTRY) / 4;
  const size = wordsAt + 2 * words;
  if (scratch.length < size) scratch = new Uint32Array(Math.max(size, scratch.length * 2));
  const out = scratch;
  out.fill(0, 0, size);
  out[SET_NNZ / 4] = words;
  out[SET_WORDS / 4] = wordsAt * 4;
  out[SET_SUPER / 4] = supLo;
  out[SET_SUPER / 4 + 1] = supHi;
  // Summary bits (in the entry of the word's summary word, within its group's slot) and words.
  let j = -1;
  let slot = -1;
  let prevWord = -1;
  let prevGroup = -1;
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as number;
    const k = r >>> 6;
    if (k !== prevWord) {
      j++;
      prevWord = k;
      const g = Math.floor((k >>> 6) / group);
      if (g !== prevGroup) {
        slot = geo.sparse ? slot + 1 : g;
        prevGroup = g;
      }
      const e = entriesAt + ((slot * group + ((k >>> 6) % group)) * SET_ENTRY) / 4;
      setBit(out, e + SE_SUM / 4 + ((k & 63) >>> 5), k);
    }
    setBit(out, wordsAt + 2 * j + ((r & 63) >>> 5), r);
  }
  // Word offsets: where each summary word's words begin, after the words of the entries before it.
  let rank = 0;
  for (let e = 0; e < groups * group; e++) {
    const at = entriesAt + (e * SET_ENTRY) / 4;
    out[at + SE_AT / 4] = (wordsAt + 2 * rank) * 4;
    rank += popcount32(out[at + SE_SUM / 4] as number) + popcount32(out[at + SE_SUM / 4 + 1] as number);
  }
  w.u32s(out, size);
}

/** Bytes writeSet writes for `list`. */
export function setBytes(geo: SetGeometry, list: ArrayLike<number>): number {
  const { words, groups } = shape(geo, list);
  return SET_ENTRIES + groups * geo.group * SET_ENTRY + 8 * words;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Set bit `bit mod 32` of u32 `at`. */
function setBit(out: Uint32Array, at: number, bit: number): void {
  out[at] = (out[at] as number) | (1 << (bit & 31));
}

/** Interns lists, then writes them as one pool: an offsets array and 8-aligned set data. */
export class SetPool {
  /** Hash of a list → the first set with that hash; `sameHash` chains the others. */
  private readonly first = new Map<number, number>();
  private readonly sameHash: number[] = [];
  /**
   * The sets, one after another in one arena (not an array each: at 100k rules there are 100k
   * sets, and as many small buffers weighed on the collector); set i is starts[i]..starts[i+1].
   */
  private arena = new Uint32Array(1024);
  private readonly starts: number[] = [0];

  constructor(readonly geo: SetGeometry) {
    this.add([]);
  }

  /** Index of the set for `list` (sorted rule indexes); index 0 is the empty set. The pool copies it. */
  add(list: ArrayLike<number>): number {
    let h = list.length | 0;
    for (let i = 0; i < list.length; i++) h = Math.imul(h ^ (list[i] as number), 0x01000193) ^ (h >>> 15);
    const head = this.first.get(h);
    for (let i = head ?? -1; i >= 0; i = this.sameHash[i] as number) if (this.holds(i, list)) return i;
    const i = this.size;
    const at = this.starts[i] as number;
    if (at + list.length > this.arena.length) {
      const grown = new Uint32Array(Math.max(at + list.length, this.arena.length * 2));
      grown.set(this.arena.subarray(0, at));
      this.arena = grown;
    }
    for (let k = 0; k < list.length; k++) this.arena[at + k] = list[k] as number;
    this.starts.push(at + list.length);
    // New sets go to the front of their chain; a hash is rarely shared, so order matters little.
    this.sameHash.push(head ?? -1);
    this.first.set(h, i);
    return i;
  }

  private holds(i: number, list: ArrayLike<number>): boolean {
    const from = this.starts[i] as number;
    if ((this.starts[i + 1] as number) - from !== list.length) return false;
    for (let k = 0; k < list.length; k++) if (this.arena[from + k] !== list[k]) return false;
    return true;
  }

  /** Set i (a view into the arena). */
  private list(i: number): Uint32Array {
    return this.arena.subarray(this.starts[i] as number, this.starts[i + 1] as number);
  }

  get size(): number {
    return this.starts.length - 1;
  }

  /**
   * Write the offsets array (u32, offsets relative to `origin`) and the set data.
   * Returns the data's [lo, hi) relative to `origin`.
   */
  write(w: ByteWriter, origin: number): { offsets: number; lo: number; hi: number } {
    w.align(8);
    // Room for exactly what follows, at once: at 100k rules the sets are tens of megabytes.
    const n = this.size;
    let total = 4 * n + 4 * (n % 2) + 8;
    for (let i = 0; i < n; i++) total += setBytes(this.geo, this.list(i));
    w.reserve(total);
    const offsets = w.length - origin;
    const slots = w.length;
    w.zeros(n * 4);
    w.align(8);
    const lo = w.length - origin;
    for (let i = 0; i < n; i++) {
      w.setU32(slots + i * 4, w.length - origin);
      writeSet(w, this.geo, this.list(i));
    }
    const hi = w.length - origin;
    // The engine reads one word past a set's last word (branchless lookup): keep it in bounds.
    w.zeros(8);
    return { offsets, lo, hi };
  }
}

/** Read the set at byte offset `at` of `view` back into rule indexes. */
export function readSet(view: DataView, at: number, geo: SetGeometry): number[] {
  const out: number[] = [];
  let e = at + SET_ENTRIES;
  for (let g = 0; g < geo.nGroups; g++) {
    if (geo.sparse && ((view.getUint32(at + SET_SUPER + (g >>> 5) * 4, true) >>> (g & 31)) & 1) === 0) continue;
    for (let i = g * geo.group; i < (g + 1) * geo.group; i++, e += SET_ENTRY) {
      let word = at + view.getUint32(e + SE_AT, true);
      for (let h = 0; h < 2; h++) {
        const s = view.getUint32(e + SE_SUM + h * 4, true);
        for (let b = 0; b < 32; b++) {
          if (((s >>> b) & 1) === 0) continue;
          const k = i * 64 + h * 32 + b;
          for (let x = 0; x < 2; x++) {
            const bits = view.getUint32(word + x * 4, true);
            for (let c = 0; c < 32; c++) if ((bits >>> c) & 1) out.push(k * 64 + x * 32 + c);
          }
          word += 8;
        }
      }
    }
  }
  return out;
}

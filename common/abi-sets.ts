/**
 * Compressed rule sets (common/abi.ts "compressed rule sets"; asm/sets.ts reads them): encoding
 * with interning, and decoding for the host and tests. A set of rule indexes over nRules bits is
 * a summary bit per non-zero 64-bit word, a running rank per summary word, and the words.
 */
import { SET_SUMMARY } from "./abi.js";

/** Summary words per super-summary bit. */
export function superGroup(nSum: number): number {
  return Math.max(1, Math.ceil(nSum / 64));
}
import type { ByteWriter } from "./abi-bytes.js";

export interface SetGeometry {
  nRules: number;
  nWords: number;
  /** Summary words per set (H_NSUM). */
  nSum: number;
  rankAt: number;
  wordsAt: number;
}

export function setGeometry(nRules: number): SetGeometry {
  const nWords = Math.ceil(nRules / 64);
  const nSum = Math.ceil(nWords / 64);
  const rankAt = SET_SUMMARY + nSum * 8;
  return { nRules, nWords, nSum, rankAt, wordsAt: rankAt + Math.ceil((nSum * 4) / 8) * 8 };
}

/** Scratch for writeSet, grown as needed: a set is laid out here as u32s, then copied in one go. */
let scratch = new Uint32Array(1024);

/** Write one set (the writer must be 8-aligned). `list` is sorted and below nRules. */
export function writeSet(w: ByteWriter, geo: SetGeometry, list: ArrayLike<number>): void {
  const nSum = geo.nSum;
  // In u32s: count and padding, super-summary, summary words, ranks (8-aligned), words.
  const sumAt = 4;
  const rankAt = sumAt + 2 * nSum;
  const wordsAt = rankAt + nSum + (nSum & 1);
  const nWords = nonZeroWords(list);
  const size = wordsAt + 2 * nWords;
  if (scratch.length < size) scratch = new Uint32Array(Math.max(size, scratch.length * 2));
  const out = scratch;
  out.fill(0, 0, size);
  out[0] = nWords;
  let j = -1;
  let prev = -1;
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as number;
    const k = r >>> 6;
    if (k !== prev) {
      j++;
      prev = k;
      // Summary bit of word k, and its count towards the ranks of the summary words after it.
      setBit(out, sumAt + 2 * (k >>> 6) + ((k & 63) >>> 5), k);
      if ((k >>> 6) + 1 < nSum) out[rankAt + (k >>> 6) + 1] = (out[rankAt + (k >>> 6) + 1] as number) + 1;
    }
    setBit(out, wordsAt + 2 * j + ((r & 63) >>> 5), r);
  }
  // Ranks: words before each summary word (prefix sums of the counts).
  for (let i = 1; i < nSum; i++) out[rankAt + i] = (out[rankAt + i] as number) + (out[rankAt + i - 1] as number);
  const group = superGroup(nSum);
  for (let i = 0; i < nSum; i++) {
    if (!out[sumAt + 2 * i] && !out[sumAt + 2 * i + 1]) continue;
    const b = Math.floor(i / group);
    setBit(out, 2 + (b >>> 5), b);
  }
  w.u32s(out, size);
}

/** The non-zero 64-bit words of a sorted list. */
function nonZeroWords(list: ArrayLike<number>): number {
  let n = 0;
  let prev = -1;
  for (let i = 0; i < list.length; i++) {
    const k = (list[i] as number) >>> 6;
    if (k !== prev) {
      n++;
      prev = k;
    }
  }
  return n;
}

/** Bytes writeSet writes for `list`. */
export function setBytes(geo: SetGeometry, list: ArrayLike<number>): number {
  return geo.wordsAt + 8 * nonZeroWords(list);
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
  let word = 0;
  for (let i = 0; i < geo.nSum; i++) {
    for (let half = 0; half < 2; half++) {
      const s = view.getUint32(at + SET_SUMMARY + i * 8 + half * 4, true);
      for (let b = 0; b < 32; b++) {
        if (((s >>> b) & 1) === 0) continue;
        const k = i * 64 + half * 32 + b;
        for (let h = 0; h < 2; h++) {
          const bits = view.getUint32(at + geo.wordsAt + word * 8 + h * 4, true);
          for (let c = 0; c < 32; c++) if ((bits >>> c) & 1) out.push(k * 64 + h * 32 + c);
        }
        word++;
      }
    }
  }
  return out;
}

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

/** Write one set (the writer must be 8-aligned). `list` is sorted and below nRules. */
export function writeSet(w: ByteWriter, geo: SetGeometry, list: ArrayLike<number>): void {
  // Non-zero words in order, as (index, lo half, hi half).
  const idx: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as number;
    const k = r >>> 6;
    if (idx[idx.length - 1] !== k) {
      idx.push(k);
      lo.push(0);
      hi.push(0);
    }
    const b = r & 63;
    const j = idx.length - 1;
    if (b < 32) lo[j] = ((lo[j] as number) | (1 << b)) >>> 0;
    else hi[j] = ((hi[j] as number) | (1 << (b - 32))) >>> 0;
  }
  const sumLo = new Uint32Array(geo.nSum);
  const sumHi = new Uint32Array(geo.nSum);
  for (const k of idx) {
    const b = k & 63;
    if (b < 32) sumLo[k >>> 6] = ((sumLo[k >>> 6] as number) | (1 << b)) >>> 0;
    else sumHi[k >>> 6] = ((sumHi[k >>> 6] as number) | (1 << (b - 32))) >>> 0;
  }
  w.u32(idx.length);
  w.u32(0);
  const group = superGroup(geo.nSum);
  let supLo = 0;
  let supHi = 0;
  for (let i = 0; i < geo.nSum; i++) {
    if (!sumLo[i] && !sumHi[i]) continue;
    const b = Math.floor(i / group);
    if (b < 32) supLo = (supLo | (1 << b)) >>> 0;
    else supHi = (supHi | (1 << (b - 32))) >>> 0;
  }
  w.u64(supLo, supHi);
  for (let i = 0; i < geo.nSum; i++) w.u64(sumLo[i] as number, sumHi[i] as number);
  let rank = 0;
  let at = 0;
  for (let i = 0; i < geo.nSum; i++) {
    w.u32(rank);
    while (at < idx.length && (idx[at] as number) >>> 6 === i) {
      at++;
      rank++;
    }
  }
  w.align(8);
  for (let j = 0; j < idx.length; j++) w.u64(lo[j] as number, hi[j] as number);
}

/** Interns lists, then writes them as one pool: an offsets array and 8-aligned set data. */
export class SetPool {
  /** Hash of a list → indexes of the lists with that hash (compared element by element). */
  private readonly index = new Map<number, number[]>();
  readonly lists: (readonly number[])[] = [];

  constructor(readonly geo: SetGeometry) {
    this.add([]);
  }

  /** Index of the set for `list` (sorted rule indexes); index 0 is the empty set. */
  add(list: readonly number[]): number {
    let h = list.length | 0;
    for (let i = 0; i < list.length; i++) h = Math.imul(h ^ (list[i] as number), 0x01000193) ^ (h >>> 15);
    const same = this.index.get(h);
    if (same) {
      for (const i of same) if (sameList(this.lists[i] as readonly number[], list)) return i;
    }
    const i = this.lists.length;
    this.lists.push(list);
    if (same) same.push(i);
    else this.index.set(h, [i]);
    return i;
  }

  get size(): number {
    return this.lists.length;
  }

  /**
   * Write the offsets array (u32, offsets relative to `origin`) and the set data.
   * Returns the data's [lo, hi) relative to `origin`.
   */
  write(w: ByteWriter, origin: number): { offsets: number; lo: number; hi: number } {
    w.align(8);
    const offsets = w.length - origin;
    const slots = w.length;
    w.zeros(this.lists.length * 4);
    w.align(8);
    const lo = w.length - origin;
    this.lists.forEach((list, i) => {
      w.setU32(slots + i * 4, w.length - origin);
      writeSet(w, this.geo, list);
    });
    const hi = w.length - origin;
    // The engine reads one word past a set's last word (branchless lookup): keep it in bounds.
    w.zeros(8);
    return { offsets, lo, hi };
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/**
 * Lists of numbers keyed by a pair of small integers, in typed arrays: an open-addressing table
 * of pairs, each heading a chain of entries in insertion order. The shadow lint files every rule
 * under each (from group, to group) pair it names; for 100k rules over 88k groups a Map of
 * per-pair arrays cost tens of megabytes and a boxed double per lookup (the pair key passes 2^31).
 */
export class PairLists {
  private mask: number;
  /** Per slot: the pair (a, b), or a = -1 when free; the first and last entry of its chain. */
  private slotA: Int32Array;
  private slotB: Int32Array;
  private first: Int32Array;
  private last: Int32Array;
  private used = 0;
  /** Per entry: its value and the next entry of its chain (-1 at the end). */
  private value = new Int32Array(1024);
  private next = new Int32Array(1024);
  private entries = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.mask = cap - 1;
    this.slotA = new Int32Array(cap).fill(-1);
    this.slotB = new Int32Array(cap);
    this.first = new Int32Array(cap);
    this.last = new Int32Array(cap);
  }

  /** The slot of (a, b), or of the free slot where it would go. */
  private find(a: number, b: number): number {
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.mask;
    while (this.slotA[i] !== -1 && (this.slotA[i] !== a || this.slotB[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** First entry of the chain of (a, b), or -1; walk it with `valueAt` and `nextOf`. */
  head(a: number, b: number): number {
    const i = this.find(a, b);
    return this.slotA[i] === -1 ? -1 : (this.first[i] as number);
  }

  valueAt(entry: number): number {
    return this.value[entry] as number;
  }

  nextOf(entry: number): number {
    return this.next[entry] as number;
  }

  /** Append `v` to the list of (a, b). Pairs must be non-negative. */
  add(a: number, b: number, v: number): void {
    if (this.entries === this.value.length) {
      this.value = grow(this.value);
      this.next = grow(this.next);
    }
    const e = this.entries++;
    this.value[e] = v;
    this.next[e] = -1;
    let i = this.find(a, b);
    if (this.slotA[i] === -1) {
      if ((this.used + 1) * 2 > this.mask + 1) {
        this.rehash();
        i = this.find(a, b);
      }
      this.used++;
      this.slotA[i] = a;
      this.slotB[i] = b;
      this.first[i] = e;
    } else {
      this.next[this.last[i] as number] = e;
    }
    this.last[i] = e;
  }

  private rehash(): void {
    const { slotA, slotB, first, last } = this;
    const cap = (this.mask + 1) * 2;
    this.mask = cap - 1;
    this.slotA = new Int32Array(cap).fill(-1);
    this.slotB = new Int32Array(cap);
    this.first = new Int32Array(cap);
    this.last = new Int32Array(cap);
    for (let j = 0; j < slotA.length; j++) {
      const a = slotA[j] as number;
      if (a === -1) continue;
      const i = this.find(a, slotB[j] as number);
      this.slotA[i] = a;
      this.slotB[i] = slotB[j] as number;
      this.first[i] = first[j] as number;
      this.last[i] = last[j] as number;
    }
  }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

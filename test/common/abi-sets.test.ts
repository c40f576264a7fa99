/**
 * writeSet lays a set out in a scratch buffer and copies it once; these are the bytes the plain
 * definition (one writer call per field, as the layout is documented in common/abi.ts) writes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ByteWriter } from "../../common/abi-bytes.js";
import { SetPool, setGeometry, superGroup, writeSet, type SetGeometry } from "../../common/abi-sets.js";

function plainWriteSet(w: ByteWriter, geo: SetGeometry, list: readonly number[]): void {
  const idx: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const r of list) {
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
  const group = superGroup(geo.nSum);
  // The groups with a non-zero summary word (every group when dense), each stored whole.
  const groups: number[] = [];
  for (let i = 0; i < geo.nSum; i++) {
    const g = Math.floor(i / group);
    if ((!geo.sparse || sumLo[i] || sumHi[i]) && groups[groups.length - 1] !== g) groups.push(g);
  }
  const wordsAt = 16 + 16 * groups.length * group;
  w.u32(idx.length);
  w.u32(wordsAt);
  let supLo = 0;
  let supHi = 0;
  for (let i = 0; i < geo.nSum; i++) {
    const g = Math.floor(i / group);
    if (!sumLo[i] && !sumHi[i]) continue;
    if (g < 32) supLo = (supLo | (1 << g)) >>> 0;
    else supHi = (supHi | (1 << (g - 32))) >>> 0;
  }
  w.u64(supLo, supHi);
  let rank = 0;
  for (const g of groups) {
    for (let i = g * group; i < (g + 1) * group; i++) {
      const lo = sumLo[i] ?? 0;
      const hi = sumHi[i] ?? 0;
      w.u64(lo, hi);
      w.u32(wordsAt + 8 * rank);
      w.u32(0);
      rank += idx.filter((k) => k >>> 6 === i).length;
    }
  }
  for (let j = 0; j < idx.length; j++) w.u64(lo[j] as number, hi[j] as number);
}

const arbSet = fc
  .oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300_000 }))
  .chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.nat({ max: Math.max(0, n - 1) }), { maxLength: n === 0 ? 0 : 400 })))
  .map(([n, xs]) => ({ geo: setGeometry(n), list: [...xs].sort((a, b) => a - b) }));

describe("writeSet", () => {
  test("the same bytes as one writer call per field, at any offset, as numbers or typed arrays", () => {
    fc.assert(
      fc.property(fc.array(arbSet, { minLength: 1, maxLength: 4 }), (sets) => {
        const a = new ByteWriter();
        const b = new ByteWriter();
        for (const { geo, list } of sets) {
          writeSet(a, geo, list.length % 2 ? Uint32Array.from(list) : list);
          plainWriteSet(b, geo, list);
        }
        expect(a.finish()).toEqual(b.finish());
      }),
      { numRuns: 300 },
    );
  });

  test("a pool interns typed and plain lists alike", () => {
    const pool = new SetPool(setGeometry(100));
    expect(pool.add([1, 2, 3])).toBe(pool.add(Uint32Array.from([1, 2, 3])));
    expect(pool.add([])).toBe(0);
    expect(pool.size).toBe(2);
  });
});

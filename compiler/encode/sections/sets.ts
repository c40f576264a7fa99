/**
 * Section `sets`: every set the other sections interned, written last (an offset array, then the
 * sets' bytes; common/abi-sets.ts is the codec). Set 0 is the empty set.
 * Engine check: asm/table.ts `validate()`, the "Sets" block (H_NSETS, H_SET_OFFS, H_SETS_LO/HI),
 * which calls asm/sets.ts `validSets()`.
 */
import * as A from "../../../common/abi.js";
import type { TableWriter } from "../table-writer.js";

export function writeSets(t: TableWriter): void {
  const { w, put, pool } = t;
  put(A.H_NSETS, pool.size);
  const { offsets, lo, hi } = pool.write(w, 0);
  put(A.H_SET_OFFS, offsets);
  put(A.H_SETS_LO, lo);
  put(A.H_SETS_HI, hi);
}

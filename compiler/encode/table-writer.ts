/**
 * The state every section writer shares while the table is encoded: the byte writer, the header
 * fields, the interned set pool over rule slots, and the slot order. One section writer per file in
 * sections/ (named after the section and after its block of checks in asm/table.ts `validate()`);
 * encode.ts runs them in table order.
 */
import * as A from "../../common/abi.js";
import { ByteWriter } from "../../common/abi-bytes.js";
import { SetPool, setGeometry, type SetGeometry } from "../../common/abi-sets.js";
import type { DecisionIR } from "../lower/ir.js";
import { COARSE_CLASSES } from "./class-bundles.js";
import { assignSlots } from "./slots.js";

/** Interns rule lists (rule indexes) as sets over slots; returns the set index. */
export interface RulePool {
  add(list: readonly number[]): number;
  /** The same for a list already over slots, ascending and without repeats (no sort). */
  addSlots(sorted: ArrayLike<number>): number;
  readonly size: number;
  write: SetPool["write"];
}

export interface TableWriter {
  readonly ir: DecisionIR;
  readonly w: ByteWriter;
  readonly geo: SetGeometry;
  /** Slot → rule index. */
  readonly ruleAt: Uint32Array;
  readonly pool: RulePool;
  /** Set a header field (byte offset in the header) to `v`. */
  put(field: number, v: number): void;
  /**
   * Rule indexes → sorted slots: every set in the table is over slots. The result is a view of one
   * scratch buffer, valid until the next call (the pool copies what it keeps).
   */
  slots(list: readonly number[]): Uint32Array;
  /** The header as filled so far (written into the first HEADER_SIZE bytes at the end). */
  readonly header: Uint32Array;
  /** Classes a group must cover to be coarse (class-bundles.ts). */
  readonly coarseClasses: number;
}

export function tableWriter(ir: DecisionIR, coarseClasses = COARSE_CLASSES): TableWriter {
  const geo = setGeometry(ir.rules.length);
  const ruleAt = assignSlots(ir);
  const slotOf = new Uint32Array(ruleAt.length);
  ruleAt.forEach((rule, slot) => {
    slotOf[rule] = slot;
  });
  let scratch = new Uint32Array(1024);
  const slots = (list: readonly number[]): Uint32Array => {
    if (scratch.length < list.length) scratch = new Uint32Array(Math.max(list.length, scratch.length * 2));
    for (let i = 0; i < list.length; i++) scratch[i] = slotOf[list[i] as number] as number;
    return scratch.subarray(0, list.length).sort();
  };
  const inner = new SetPool(geo);
  const pool: RulePool = { add: (list) => inner.add(slots(list)), addSlots: (sorted) => inner.add(sorted), get size() { return inner.size; }, write: inner.write.bind(inner) };
  const header = new Uint32Array(A.HEADER_SIZE / 4);
  const put = (field: number, v: number) => {
    header[field / 4] = v >>> 0;
  };
  return { ir, w: new ByteWriter(), geo, ruleAt, pool, put, slots, header, coarseClasses };
}

/**
 * Append an ascending list to `lists` as LEB128 gaps (value - previous - 1, the first from -1),
 * and its entry (offset in `lists`, byte length) to `w`.
 */
export function gapList(w: ByteWriter, lists: ByteWriter, sorted: ArrayLike<number>): void {
  const start = lists.length;
  let prev = -1;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    lists.leb(v - prev - 1);
    prev = v;
  }
  w.u32(start);
  w.u32(lists.length - start);
}

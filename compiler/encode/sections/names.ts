/**
 * Section `names`: the vh: slots (from-set, to-set per slot), an open-addressing hash table of the
 * distinct (name, wildcard) entries for matching a connection's virtual host, the names' bytes and
 * each entry's slot list.
 * Engine check: asm/table.ts `validate()`, the "Virtual hosts" block (H_VH, H_STR, H_LISTS,
 * H_NAMES; capacity a power of two, every entry's string and list inside their sections).
 */
import * as A from "../../../common/abi.js";
import { hashNameBytes, nextPow2 } from "../../../common/abi-bytes.js";
import type { TableWriter } from "../table-writer.js";

const utf8 = new TextEncoder();

export function writeNames(t: TableWriter): void {
  const { ir, w, put, pool } = t;
  put(A.H_VH_N, ir.vhSlots.length);
  put(A.H_VH, w.length);
  for (const v of ir.vhSlots) {
    w.u32(pool.add(v.from));
    w.u32(pool.add(v.to));
  }
  w.align(8);
  // One name entry per distinct (name, wildcard), listing its slots.
  const byName = new Map<string, { name: Uint8Array; wildcard: boolean; slots: number[] }>();
  ir.vhSlots.forEach((v, slot) => {
    const key = `${v.wildcard ? "*." : ""}${v.name}`;
    const e = byName.get(key) ?? { name: utf8.encode(v.name), wildcard: v.wildcard, slots: [] };
    e.slots.push(slot);
    byName.set(key, e);
  });
  const entries = [...byName.values()].map((e, k) => ({ ...e, k }));
  const cap = entries.length === 0 ? 0 : nextPow2(entries.length * 2);
  const table: (typeof entries)[number][] = new Array(cap);
  const hashes = new Map<(typeof entries)[number], number>();
  for (const e of entries) {
    const h = hashNameBytes(e.name);
    hashes.set(e, h);
    let slot = h & (cap - 1);
    while (table[slot]) slot = (slot + 1) & (cap - 1);
    table[slot] = e;
  }
  const strOff: number[] = [];
  const listOff: number[] = [];
  let str = 0;
  let list = 0;
  for (const e of entries) {
    strOff.push(str);
    str += e.name.length;
    listOff.push(list);
    list += e.slots.length;
  }
  put(A.H_NAMES_CAP, cap);
  put(A.H_NAMES, w.length);
  for (let i = 0; i < cap; i++) {
    const e = table[i];
    if (!e) {
      w.zeros(A.NAME_ENTRY_SIZE);
      continue;
    }
    const k = e.k;
    w.u32(hashes.get(e) ?? 0);
    w.u32(strOff[k] ?? 0);
    w.u32(e.name.length);
    w.u32(A.NE_USED | (e.wildcard ? A.NE_WILDCARD : 0));
    w.u32(listOff[k] ?? 0);
    w.u32(e.slots.length);
  }
  put(A.H_STR, w.length);
  put(A.H_STR_LEN, str);
  for (const e of entries) w.bytes(e.name);
  w.align(8);
  put(A.H_LISTS_N, list);
  put(A.H_LISTS, w.length);
  for (const e of entries) for (const s of e.slots) w.u32(s);
}

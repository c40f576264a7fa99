/**
 * Section `groups`: per group (declaration order) the entries of its from and to slot lists, then
 * the lists themselves as LEB128 gaps. The host reads them (workload memberships are computed
 * there, runtime/table-view.ts); the engine does not.
 * Engine check: asm/table.ts `validate()`, the "Host-side group lists" block (bounds only).
 */
import * as A from "../../../common/abi.js";
import { ByteWriter } from "../../../common/abi-bytes.js";
import { gapList, type TableWriter } from "../table-writer.js";

export function writeGroups(t: TableWriter): void {
  const { ir, w, put } = t;
  put(A.H_GROUPS_N, ir.groups.length);
  put(A.H_GROUPS, w.length);
  const lists = new ByteWriter();
  for (const g of ir.groups) {
    gapList(w, lists, t.slots(g.from));
    gapList(w, lists, t.slots(g.to));
  }
  put(A.H_GRULES_N, lists.length);
  put(A.H_GRULES, w.length);
  w.bytes(lists.finish());
}

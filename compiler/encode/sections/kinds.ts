/**
 * Section `kinds`: for each endpoint kind (workload, node, internal, external) its from-set and
 * to-set indexes (u32 each): the rules a built-in group of that kind appears in.
 * Engine check: asm/table.ts `validate()`, the H_KIND_SETS block (8 set indexes).
 */
import * as A from "../../../common/abi.js";
import type { EndpointKindName } from "../../lower/ir.js";
import type { TableWriter } from "../table-writer.js";

const KIND_ORDER: EndpointKindName[] = ["workload", "node", "internal", "external"];

export function writeKinds(t: TableWriter): void {
  const { ir, w, put, pool } = t;
  w.align(8);
  put(A.H_KIND_SETS, w.length);
  for (const kind of KIND_ORDER) {
    w.u32(pool.add(ir.kinds[kind].from));
    w.u32(pool.add(ir.kinds[kind].to));
  }
}

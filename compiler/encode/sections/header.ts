/**
 * Section `header`: HEADER_SIZE bytes of u32 fields at table offset 0 — counts, offsets of every
 * other section, the settings word, and (written last) magic, versions, length and scratch size.
 * Engine check: asm/table.ts `initTable()` (magic, versions, length) and the settings block at the
 * top of `validate()` (modes in range); `validate()` ends with the scratch-size check.
 */
import * as A from "../../../common/abi.js";
import { MODE_RANK, type Mode } from "../../../common/schema.js";
import type { TableWriter } from "../table-writer.js";

export const modeCode = (m: Mode): number => MODE_RANK[m] + 1;

/** Reserve the header and fill the fields known before any section is written. */
export function writeHeader(t: TableWriter): void {
  const { ir, w, put } = t;
  w.zeros(A.HEADER_SIZE);
  put(A.H_NRULES, ir.rules.length);
  put(A.H_NSUM, t.geo.nSum);
  const s = ir.settings;
  put(
    A.H_SETTINGS,
    (s.xff ? A.SET_XFF : 0) |
      (s.contention === "strict" ? A.SET_STRICT : 0) |
      (s.icmpPolicy ? A.SET_ICMP_POLICY : 0) |
      (s.linkLocalPolicy ? A.SET_LINK_LOCAL : 0) |
      (s.openshift ? A.SET_OPENSHIFT : 0) |
      (modeCode(s.defaultMode) << A.SET_DEFAULT_MODE_SHIFT) |
      (modeCode(s.nodesMode) << A.SET_NODES_MODE_SHIFT),
  );
}

/** Engine scratch after the table: two side lists of 4 + vhN pointers and vhN marks (asm/table.ts). */
export function scratchBytes(vhN: number): number {
  return Math.ceil((4 * (2 * (4 + vhN) + vhN)) / 8) * 8;
}

/** Once every section is written: the identifying fields, and the header into its bytes. */
export function finishHeader(t: TableWriter): void {
  const { w, put } = t;
  put(A.H_MAGIC, A.TABLE_MAGIC);
  put(A.H_FORMAT, A.FORMAT_VERSION);
  put(A.H_ABI, A.ABI_VERSION);
  put(A.H_LEN, w.length);
  put(A.H_SCRATCH, scratchBytes(t.ir.vhSlots.length));
  t.header.forEach((v, i) => w.setU32(i * 4, v));
}

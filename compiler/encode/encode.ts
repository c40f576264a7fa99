/**
 * Encoding: the decision-table IR → the binary table the engine reads (docs/module.md "Table").
 * Little-endian, 8-aligned sections after a fixed header; every rule list becomes an interned
 * compressed set. Deterministic: the output depends only on the IR.
 *
 * One writer per section in sections/, each named after its section and naming the block of
 * asm/table.ts `validate()` that checks it. SECTIONS is the table's byte order and the order in
 * which sets are interned: reordering it changes every module's bytes.
 */
import type { DecisionIR } from "../lower/ir.js";
import { writeAddresses } from "./sections/addresses.js";
import { writeApps } from "./sections/apps.js";
import { finishHeader, writeHeader } from "./sections/header.js";
import { writeGroups } from "./sections/groups.js";
import { writeKinds } from "./sections/kinds.js";
import { writeNames } from "./sections/names.js";
import { writePorts } from "./sections/ports.js";
import { writeRules } from "./sections/rules.js";
import { writeSets } from "./sections/sets.js";
import { writeThreats } from "./sections/threats.js";
import { tableWriter, type TableWriter } from "./table-writer.js";

export { assignSlots } from "./slots.js";
export { modeCode, scratchBytes } from "./sections/header.js";

export interface EncodedTable {
  bytes: Uint8Array<ArrayBuffer>;
  /** Section sizes in bytes, for `nvp inspect` and the benchmark. */
  sizes: Record<string, number>;
  sets: number;
}

/** Section name (the key in `sizes` and in the module metadata) → its writer, in table order. */
const SECTIONS: readonly (readonly [string, (t: TableWriter) => void])[] = [
  ["header", writeHeader],
  ["rules", writeRules],
  ["kinds", writeKinds],
  ["addresses", writeAddresses],
  ["ports", writePorts],
  ["apps", writeApps],
  ["names", writeNames],
  ["threats", writeThreats],
  ["groups", writeGroups],
  ["sets", writeSets],
];

export interface EncodeOptions {
  /** Classes a group must cover to go to a bundle (class-bundles.ts; Infinity: none, format 6's sets). */
  coarseClasses?: number;
}

export function encodeTable(ir: DecisionIR, opts: EncodeOptions = {}): EncodedTable {
  const t = tableWriter(ir, opts.coarseClasses);
  const { w } = t;
  const sizes: Record<string, number> = {};
  let mark = 0;
  for (const [name, write] of SECTIONS) {
    write(t);
    // Every section starts 8-aligned; its padding counts towards it.
    w.align(8);
    sizes[name] = (sizes[name] ?? 0) + w.length - mark;
    mark = w.length;
  }
  finishHeader(t);
  return { bytes: w.finish(), sizes, sets: t.pool.size };
}

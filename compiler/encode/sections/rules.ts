/**
 * Section `rules`: per slot, the rule's id (u32) and index in rule order (u32); per 64-slot word,
 * the lowest rule index in it (u32); per slot, a flags byte (deny, learned).
 * Engine check: asm/table.ts `validate()`, the H_RULE_IDS / H_RULE_ORDER / H_WORD_MIN block.
 */
import * as A from "../../../common/abi.js";
import type { IrRule } from "../../lower/ir.js";
import type { TableWriter } from "../table-writer.js";

export function writeRules(t: TableWriter): void {
  const { ir, w, put, ruleAt } = t;
  put(A.H_RULE_IDS, w.length);
  for (const i of ruleAt) w.u32((ir.rules[i] as IrRule).id);
  put(A.H_RULE_ORDER, w.length);
  for (const i of ruleAt) w.u32(i);
  put(A.H_WORD_MIN, w.length);
  for (let k = 0; k < t.geo.nWords; k++) {
    let min = 0xffffffff;
    for (let slot = k * 64; slot < Math.min(ruleAt.length, k * 64 + 64); slot++) min = Math.min(min, ruleAt[slot] as number);
    w.u32(min);
  }
  put(A.H_RULE_FLAGS, w.length);
  for (const i of ruleAt) {
    const r = ir.rules[i] as IrRule;
    w.u8((r.action === "deny" ? A.RULE_DENY : 0) | (r.learned ? A.RULE_LEARNED : 0));
  }
}

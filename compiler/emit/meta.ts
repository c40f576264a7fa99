/** Builds the `nvp.meta` custom section (common/abi-meta.ts) from the IR and the encoded table. */
import { createHash } from "node:crypto";
import { ABI_VERSION, FORMAT_VERSION, TABLE_BASE } from "../../common/abi.js";
import { type MetaGroup, type ModuleMeta, metaPayload } from "../../common/abi-meta.js";
import { appById } from "../../common/apps.js";
import type { DecisionIR } from "../lower/ir.js";
import type { PolicyModel } from "../model.js";

/** sha256 over the module without its metadata section (engine and table), a zero byte, and the blanked payload. */
export function moduleHash(moduleWithoutMeta: Uint8Array, blankedPayload: Uint8Array): string {
  return createHash("sha256").update(moduleWithoutMeta).update(new Uint8Array([0])).update(blankedPayload).digest("hex");
}

/** The groups as the host needs them (the `nvp.groups` section, common/abi-groups.ts). */
export function metaGroups(ir: DecisionIR): MetaGroup[] {
  return ir.groups.map((g) => {
    const m: MetaGroup = { name: g.name, kind: g.kind };
    if (g.builtin) m.builtin = g.builtin;
    if (g.service) m.service = g.service;
    if (g.mode) m.mode = g.mode;
    if (g.criteria) {
      m.criteria = g.criteria.map((c) => (c.labelKey !== undefined ? { key: c.key, labelKey: c.labelKey, op: c.op, value: c.value } : { key: c.key, op: c.op, value: c.value }));
    }
    if (g.dns) m.dns = g.dns;
    if (g.vh) m.vh = g.vh;
    return m;
  });
}

/**
 * The metadata; `moduleWithoutMeta` is every module byte before `nvp.meta` (engine, table and
 * `nvp.groups`), which the hash covers.
 */
export function buildMeta(
  model: PolicyModel,
  ir: DecisionIR,
  table: Uint8Array,
  moduleWithoutMeta: Uint8Array,
  groups: MetaGroup[],
  scratch: number,
  sizes: Record<string, number>,
  compiler: string,
): ModuleMeta {
  const appIds = [...new Set(model.rules.flatMap((r) => r.apps))].sort((a, b) => a - b);
  const withoutHash: Omit<ModuleMeta, "hash"> = {
    format: FORMAT_VERSION,
    abi: ABI_VERSION,
    policy: model.name,
    compiler,
    table: { base: TABLE_BASE, length: table.length, scratch },
    settings: { ...ir.settings },
    groups,
    apps: appIds.map((id) => ({ id, name: appById(id)?.name ?? String(id) })),
    sizes,
  };
  return { hash: moduleHash(moduleWithoutMeta, metaPayload(withoutHash)), ...withoutHash };
}

/**
 * The `nvp.meta` custom section: what the host needs besides the table and the groups (policy
 * name, versions, settings, applications, table geometry) and the integrity hash. Written by
 * compiler/emit/, read and shape-checked by runtime/module/load.ts. JSON, UTF-8. Nothing the table
 * already holds is repeated here (rule ids: the table's H_RULE_IDS and H_RULE_ORDER), so a module
 * of 100k rules parses in a fraction of a millisecond.
 */
import type { Mode } from "./schema.js";

export const META_SECTION = "nvp.meta";

export const META_CRITERION_OPS = ["=", "!=", "contains", "prefix", "regex", "!regex"] as const;
export type MetaCriterionOp = (typeof META_CRITERION_OPS)[number];
export const META_CRITERION_KEYS = ["namespace", "service", "label", "ns-label", "image", "node", "container"] as const;
export type MetaCriterionKey = (typeof META_CRITERION_KEYS)[number];

export interface MetaCriterion {
  key: MetaCriterionKey;
  labelKey?: string;
  op: MetaCriterionOp;
  value: string;
}

export interface MetaGroup {
  name: string;
  kind: "builtin" | "service" | "workload" | "address" | "service-ip";
  builtin?: string;
  service?: { service: string; namespace: string };
  mode?: Mode;
  criteria?: MetaCriterion[];
  dns?: { name: string; wildcard: boolean }[];
  vh?: { name: string; wildcard: boolean; slot: number }[];
}

export interface ModuleMeta {
  /**
   * sha256 (hex) of the module bytes before this section (engine code and table), a zero byte,
   * and this section's payload with the hash's own digits written as zeros: nothing in the
   * module can be altered unnoticed. `hash` is the payload's first field; `nvp.meta` is the
   * module's last section.
   */
  hash: string;
  format: number;
  abi: number;
  policy: string;
  compiler: string;
  table: { base: number; length: number; scratch: number };
  settings: { xff: boolean; contention: "basic" | "strict"; defaultMode: Mode; nodesMode: Mode };
  /** In the table's group order; read from the `nvp.groups` section, not from this JSON. */
  groups: MetaGroup[];
  /** Applications the rules name, for events. */
  apps: { id: number; name: string }[];
  /** Table section sizes in bytes. */
  sizes: Record<string, number>;
}

/** The payload starts with `{"hash":"` and the 64 hex digits of the hash (then `",`). */
export const META_HASH_PREFIX = '{"hash":"';
export const META_HASH_AT = META_HASH_PREFIX.length;
export const META_HASH_END = META_HASH_AT + 64;

/**
 * The payload for `meta` with the hash's 64 digits written as zeros: what the hash covers. The
 * groups are not in it: they are the `nvp.groups` section (common/abi-groups.ts).
 */
export function metaPayload(meta: Omit<ModuleMeta, "hash" | "groups"> & { groups?: unknown }, hash = "0".repeat(64)): Uint8Array {
  const { groups: _groups, ...rest } = meta;
  return new TextEncoder().encode(JSON.stringify({ hash, ...rest }));
}

const BLANK_DIGITS = new Uint8Array(META_HASH_END - META_HASH_AT).fill(0x30);

/**
 * The payload as it is hashed, in three parts (no copy): before the hash digits, the digits
 * blanked (zeros), after them. Undefined if the payload does not start with its hash field.
 */
export function blankedHashParts(payload: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] | undefined {
  const prefix = new TextEncoder().encode(META_HASH_PREFIX);
  if (payload.length < META_HASH_END + 2 || prefix.some((b, i) => payload[i] !== b) || payload[META_HASH_END] !== 0x22) return undefined;
  return [payload.subarray(0, META_HASH_AT), BLANK_DIGITS, payload.subarray(META_HASH_END)];
}

/**
 * The `nvp.meta` custom section: what the host needs besides the table (names for events,
 * workload criteria, DNS/vh patterns, service-group modes) and the integrity hash. Written by
 * compiler/emit/, read and shape-checked by runtime/module.ts. JSON, UTF-8.
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
  kind: "builtin" | "service" | "workload" | "address";
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
   * and this object without `hash` as JSON: nothing in the module can be altered unnoticed.
   * The `nvp.meta` section must be the module's last section.
   */
  hash: string;
  format: number;
  abi: number;
  policy: string;
  compiler: string;
  table: { base: number; length: number; scratch: number };
  settings: { xff: boolean; contention: "basic" | "strict"; defaultMode: Mode; nodesMode: Mode };
  /** Rule ids in evaluation order. */
  rules: number[];
  groups: MetaGroup[];
  /** Applications the rules name, for events. */
  apps: { id: number; name: string }[];
  /** Table section sizes in bytes. */
  sizes: Record<string, number>;
}

/** The bytes the hash covers, besides the table: the metadata minus its hash. */
export function metaBody(meta: Omit<ModuleMeta, "hash"> & { hash?: string }): string {
  const { hash: _hash, ...body } = meta;
  return JSON.stringify(body);
}

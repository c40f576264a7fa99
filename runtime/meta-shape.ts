/**
 * Shape check of `nvp.meta` before the runtime trusts it: every field the host reads has the
 * right type. Returns the first problem in words, or undefined. The hash is checked separately.
 */
import { META_CRITERION_KEYS, META_CRITERION_OPS } from "../common/abi-meta.js";
import { MODES } from "../common/schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
// Sets built once: a module of 100k rules has thousands of groups to check on every load.
const MODE_SET = new Set<unknown>(MODES);
const KINDS = new Set<unknown>(["builtin", "service", "workload", "address"]);
const CRITERION_KEYS = new Set<unknown>(META_CRITERION_KEYS);
const CRITERION_OPS = new Set<unknown>(META_CRITERION_OPS);
const PATTERN_LISTS = ["dns", "vh"] as const;
const isMode = (v: unknown) => MODE_SET.has(v);

/** A group's first problem, as the rest of a sentence about `groups[i]`. */
function checkGroup(g: unknown): string | undefined {
  if (!isObj(g) || typeof g.name !== "string") return " has no name";
  if (!KINDS.has(g.kind)) return " has an unknown kind";
  if (g.mode !== undefined && !isMode(g.mode)) return " has an unknown mode";
  if (g.service !== undefined && (!isObj(g.service) || typeof g.service.service !== "string" || typeof g.service.namespace !== "string")) {
    return ".service is malformed";
  }
  if (g.criteria !== undefined) {
    if (!Array.isArray(g.criteria)) return ".criteria is not a list";
    for (const c of g.criteria as unknown[]) {
      if (!isObj(c) || typeof c.value !== "string") return " has a criterion without a value";
      if (!CRITERION_KEYS.has(c.key)) return " has a criterion with an unknown key";
      if (!CRITERION_OPS.has(c.op)) return " has a criterion with an unknown operator";
      if (c.labelKey !== undefined && typeof c.labelKey !== "string") return " has a criterion with a bad label name";
    }
  }
  for (const list of PATTERN_LISTS) {
    const v = g[list];
    if (v === undefined) continue;
    if (!Array.isArray(v)) return `.${list} is not a list`;
    for (const e of v as unknown[]) {
      if (!isObj(e) || typeof e.name !== "string" || typeof e.wildcard !== "boolean") return `.${list} has a malformed entry`;
      if (list === "vh" && !isInt(e.slot)) return ".vh has an entry without a slot";
    }
  }
  return undefined;
}

export function checkMetaShape(m: unknown): string | undefined {
  if (!isObj(m)) return "it is not an object";
  if (typeof m.hash !== "string" || !/^[0-9a-f]{64}$/.test(m.hash)) return "`hash` is not a sha256 hex digest";
  if (!isInt(m.format) || !isInt(m.abi)) return "`format` or `abi` is not a version number";
  if (typeof m.policy !== "string" || typeof m.compiler !== "string") return "`policy` or `compiler` is not a string";
  const t = m.table;
  if (!isObj(t) || !isInt(t.base) || !isInt(t.length) || !isInt(t.scratch)) return "`table` is malformed";
  const s = m.settings;
  if (!isObj(s) || typeof s.xff !== "boolean" || !["basic", "strict"].includes(s.contention as string) || !isMode(s.defaultMode) || !isMode(s.nodesMode)) {
    return "`settings` is malformed";
  }
  if (!Array.isArray(m.groups)) return "`groups` is not a list";
  const groups = m.groups as unknown[];
  for (let i = 0; i < groups.length; i++) {
    const p = checkGroup(groups[i]);
    if (p) return `groups[${i}]${p}`;
  }
  if (!Array.isArray(m.apps) || !m.apps.every((a) => isObj(a) && isInt(a.id) && typeof a.name === "string")) return "`apps` is malformed";
  if (!isObj(m.sizes)) return "`sizes` is malformed";
  return undefined;
}

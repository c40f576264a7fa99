/**
 * Shape check of `nvp.meta` before the runtime trusts it: every field the host reads has the
 * right type. Returns the first problem in words, or undefined. The hash is checked separately.
 */
import { META_CRITERION_KEYS, META_CRITERION_OPS } from "../common/abi-meta.js";
import { MODES } from "../common/schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isMode = (v: unknown) => (MODES as readonly unknown[]).includes(v);

function checkGroup(g: unknown, i: number): string | undefined {
  const at = `groups[${i}]`;
  if (!isObj(g) || typeof g.name !== "string") return `${at} has no name`;
  if (!["builtin", "service", "workload", "address"].includes(g.kind as string)) return `${at} has an unknown kind`;
  if (g.mode !== undefined && !isMode(g.mode)) return `${at} has an unknown mode`;
  if (g.service !== undefined && (!isObj(g.service) || typeof g.service.service !== "string" || typeof g.service.namespace !== "string")) {
    return `${at}.service is malformed`;
  }
  if (g.criteria !== undefined) {
    if (!Array.isArray(g.criteria)) return `${at}.criteria is not a list`;
    for (const c of g.criteria as unknown[]) {
      if (!isObj(c) || typeof c.value !== "string") return `${at} has a criterion without a value`;
      if (!(META_CRITERION_KEYS as readonly unknown[]).includes(c.key)) return `${at} has a criterion with an unknown key`;
      if (!(META_CRITERION_OPS as readonly unknown[]).includes(c.op)) return `${at} has a criterion with an unknown operator`;
      if (c.labelKey !== undefined && typeof c.labelKey !== "string") return `${at} has a criterion with a bad label name`;
    }
  }
  for (const list of ["dns", "vh"] as const) {
    const v = g[list];
    if (v === undefined) continue;
    if (!Array.isArray(v)) return `${at}.${list} is not a list`;
    for (const e of v as unknown[]) {
      if (!isObj(e) || typeof e.name !== "string" || typeof e.wildcard !== "boolean") return `${at}.${list} has a malformed entry`;
      if (list === "vh" && !isInt(e.slot)) return `${at}.vh has an entry without a slot`;
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
  for (const [i, g] of (m.groups as unknown[]).entries()) {
    const p = checkGroup(g, i);
    if (p) return p;
  }
  if (!Array.isArray(m.apps) || !m.apps.every((a) => isObj(a) && isInt(a.id) && typeof a.name === "string")) return "`apps` is malformed";
  if (!isObj(m.sizes)) return "`sizes` is malformed";
  return undefined;
}

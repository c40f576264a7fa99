/**
 * Shape check of `nvp.meta` before the runtime trusts it: every field the host reads has the
 * right type. Returns the first problem in words, or undefined. The hash is checked separately,
 * and the groups, in their own section, by common/abi-groups.ts's decoder.
 */
import { MODES } from "../../common/schema.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const MODE_SET = new Set<unknown>(MODES);
const isMode = (v: unknown) => MODE_SET.has(v);

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
  if (m.groups !== undefined) return "`groups` belongs in the `nvp.groups` section";
  if (!Array.isArray(m.apps) || !m.apps.every((a) => isObj(a) && isInt(a.id) && typeof a.name === "string")) return "`apps` is malformed";
  if (!isObj(m.sizes)) return "`sizes` is malformed";
  return undefined;
}

/**
 * The threat configuration a module carries (docs/module.md "threats" section, common/abi.ts TR_*):
 * per detection of the catalog, whether it is on, what Protect does, its severity and parameters
 * by name. `nvp inspect` prints it; a host reads it to know what its enforcers will report.
 */
import * as A from "../common/abi.js";
import { THREATS, type Severity, type ThreatInfo } from "../common/threats.js";

/** A catalog row as the module configures it; `params`: counts, or durations in ms, by name. */
export type ThreatConfig = Pick<ThreatInfo, "code" | "id" | "slug" | "name" | "enabled" | "action" | "severity"> & { params: Record<string, number> };

const SEVERITY_NAMES: Record<number, Severity> = {
  [A.SEV_INFO]: "info",
  [A.SEV_LOW]: "low",
  [A.SEV_MEDIUM]: "medium",
  [A.SEV_HIGH]: "high",
  [A.SEV_CRITICAL]: "critical",
};

export function severityName(code: number): Severity {
  return SEVERITY_NAMES[code] ?? "info";
}

/** The records of a (validated) table, for the detections this runtime knows. */
export function readThreatConfig(table: Uint8Array): ThreatConfig[] {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const n = view.getUint32(A.H_THREATS_N, true);
  const at = view.getUint32(A.H_THREATS, true);
  return THREATS.filter((t) => t.code < n).map((t) => {
    const r = at + t.code * A.THREAT_REC_SIZE;
    const flags = view.getUint8(r + A.TR_FLAGS);
    const params: Record<string, number> = {};
    t.params.forEach((p, i) => (params[p.name] = view.getUint32(r + A.TR_PARAMS + i * 4, true)));
    return {
      code: t.code,
      id: t.id,
      slug: t.slug,
      name: t.name,
      enabled: (flags & A.TRF_ENABLED) !== 0,
      action: flags & A.TRF_BLOCK ? "block" : "report",
      severity: severityName(view.getUint8(r + A.TR_SEVERITY)),
      params,
    };
  });
}

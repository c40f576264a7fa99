/**
 * Section `threats`: one THREAT_REC_SIZE record per threat code, in code order (flags, severity,
 * two pad bytes, PARAMS_PER_THREAT u32 parameters).
 * Engine check: asm/table.ts `validate()`, the "Threat configuration" block, which calls
 * asm/threat/params.ts `validThreats()` and, once the whole table is valid, `installThreats()`.
 */
import * as A from "../../../common/abi.js";
import type { Severity } from "../../../common/threats.js";
import type { TableWriter } from "../table-writer.js";

const SEVERITY_CODE: Record<Severity, number> = { info: A.SEV_INFO, low: A.SEV_LOW, medium: A.SEV_MEDIUM, high: A.SEV_HIGH, critical: A.SEV_CRITICAL };

export function writeThreats(t: TableWriter): void {
  const { w, put } = t;
  const threats = t.ir.threats;
  if (threats.length > A.THREAT_CODES_MAX) throw new Error(`${threats.length} threat codes, the table holds ${A.THREAT_CODES_MAX}`);
  put(A.H_THREATS_N, threats.length);
  put(A.H_THREATS, w.length);
  threats.forEach((th, code) => {
    if (th.code !== code || th.params.length > A.PARAMS_PER_THREAT) throw new Error(`threat ${th.slug}: code ${th.code} at ${code}, ${th.params.length} parameters`);
    w.u8((th.enabled ? A.TRF_ENABLED : 0) | (th.block ? A.TRF_BLOCK : 0));
    w.u8(SEVERITY_CODE[th.severity]);
    w.u8(0);
    w.u8(0);
    for (let i = 0; i < A.PARAMS_PER_THREAT; i++) w.u32(th.params[i] ?? 0);
  });
}

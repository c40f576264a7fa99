// The threat configuration the engine runs with: per threat code (common/threats.ts), whether it
// is enabled, whether Protect blocks it, its severity, and up to PARAMS_PER_THREAT parameters
// (counts, or durations in milliseconds), in the order of the catalog row's `params`. The packet
// path fills it from the module's table when a table is installed (installThreats, called by
// asm/table.ts; common/abi.ts TR_*); tests set it directly.
// Detectors read parameters with threatParam(); they report through found() whatever they see,
// and the packet path drops findings of disabled threats.
import {
  PARAMS_PER_THREAT as PARAMS, SEV_CRITICAL, THREAT_CODES_MAX, THREAT_REC_SIZE, TR_FLAGS, TR_PARAMS, TR_SEVERITY,
  TRF_BLOCK, TRF_ENABLED,
} from "../abi";

export const THREAT_CODES: u32 = THREAT_CODES_MAX;
export const PARAMS_PER_THREAT: u32 = PARAMS;

const enabled = memory.data(<i32>THREAT_CODES, 4);
const blocks = memory.data(<i32>THREAT_CODES, 4);
const severities = memory.data(<i32>THREAT_CODES, 4);
const params = memory.data(<i32>(THREAT_CODES * PARAMS_PER_THREAT * 4), 4);

export function threatParam(code: u32, i: u32): u32 {
  if (code >= THREAT_CODES || i >= PARAMS_PER_THREAT) return 0;
  return load<u32>(params + ((<usize>code * PARAMS_PER_THREAT + i) << 2));
}

export function setThreatParam(code: u32, i: u32, v: u32): void {
  if (code >= THREAT_CODES || i >= PARAMS_PER_THREAT) return;
  store<u32>(params + ((<usize>code * PARAMS_PER_THREAT + i) << 2), v);
}

export function threatEnabled(code: u32): bool {
  return code < THREAT_CODES && load<u8>(enabled + code) != 0;
}

export function threatBlocks(code: u32): bool {
  return code < THREAT_CODES && load<u8>(blocks + code) != 0;
}

export function threatSeverity(code: u32): u32 {
  return code < THREAT_CODES ? <u32>load<u8>(severities + code) : 0;
}

export function setThreat(code: u32, on: bool, block: bool, severity: u32): void {
  if (code >= THREAT_CODES) return;
  store<u8>(enabled + code, on ? 1 : 0);
  store<u8>(blocks + code, block ? 1 : 0);
  store<u8>(severities + code, <u8>severity);
}

/** The table's n threat records at p are well formed: known flags, a severity, n within the codes. */
export function validThreats(p: usize, n: u32): bool {
  if (n > THREAT_CODES) return false;
  for (let i: u32 = 0; i < n; i++) {
    const r = p + <usize>i * THREAT_REC_SIZE;
    const sev = <u32>load<u8>(r + TR_SEVERITY);
    if ((<u32>load<u8>(r + TR_FLAGS) & ~(TRF_ENABLED | TRF_BLOCK)) != 0 || sev == 0 || sev > SEV_CRITICAL) return false;
  }
  return true;
}

/** Take the (validated) threat records: codes past n are disabled with zero parameters. */
export function installThreats(p: usize, n: u32): void {
  for (let code: u32 = 0; code < THREAT_CODES; code++) {
    const r = p + <usize>code * THREAT_REC_SIZE;
    const has = code < n;
    const fl = has ? <u32>load<u8>(r + TR_FLAGS) : 0;
    setThreat(code, (fl & TRF_ENABLED) != 0, (fl & TRF_BLOCK) != 0, has ? <u32>load<u8>(r + TR_SEVERITY) : 0);
    for (let i: u32 = 0; i < PARAMS_PER_THREAT; i++) setThreatParam(code, i, has ? load<u32>(r + TR_PARAMS + (<usize>i << 2)) : 0);
  }
}

// The threat configuration the engine runs with: per threat code (common/threats.ts), whether it
// is enabled, whether Protect blocks it, its severity, and up to PARAMS_PER_THREAT parameters
// (counts, or durations in milliseconds), in the order of the catalog row's `params`. The packet
// path fills it from the module's table when a table is installed; tests set it directly.
// Detectors read parameters with threatParam(); they report through found() whatever they see,
// and the packet path drops findings of disabled threats.

export const THREAT_CODES: u32 = 32;
export const PARAMS_PER_THREAT: u32 = 4;

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

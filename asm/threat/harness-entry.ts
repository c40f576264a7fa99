// Test entry for the stream detectors on their own (test/threat/harness.ts compiles it): the
// packet path's calls (streamData, streamTick, streamWanted), the DNS tunneling signal, the SQL
// matcher over one text, threat parameters and the findings list, plus heapBase() so the host
// places flow states and payloads above static data. The engine links asm/threat/stream.ts
// through the packet path instead; this entry adds nothing to it.
import { DNS_DIR_BYTES } from "./dns";
import { HTTP_STATE_BYTES } from "./http";
import { MYSQL_STATE_BYTES } from "./mysql";
import { PGSQL_STATE_BYTES } from "./pgsql";
import { sqlBegin, sqlText } from "./sql";
import { FAMILY_DNS, FAMILY_HTTP, FAMILY_MYSQL, FAMILY_PGSQL, FAMILY_TDS, FAMILY_TLS, FAMILY_TNS, STREAM_OWNER } from "./stream";
import { TDS_STATE_BYTES } from "./tds";
import { TLS_STATE_BYTES } from "./tls";
import { TNS_STATE_BYTES } from "./tns";

export { dnsEncodedQuery, dnsIsQuery } from "./dns";
export { clearFindings, findingCode, findingCount, findingEvidence, findingEvidenceLen } from "./found";
export { setThreatParam } from "./params";
export { STREAM_STATE_BYTES, streamData, streamFamily, streamTick, streamWanted } from "./stream";

/** The SQL injection matcher over one whole query text, with its state at q. */
export function sqlCheck(q: usize, p: usize, len: u32, mysql: bool): void {
  sqlBegin(q, mysql);
  sqlText(q, p, 0, len);
}

/** The bytes of state each parser family uses (they must stay below the owner byte). */
export function familyStateBytes(f: u32): u32 {
  if (f == FAMILY_DNS) return 2 * DNS_DIR_BYTES;
  if (f == FAMILY_HTTP) return HTTP_STATE_BYTES;
  if (f == FAMILY_TLS) return TLS_STATE_BYTES;
  if (f == FAMILY_MYSQL) return MYSQL_STATE_BYTES;
  if (f == FAMILY_PGSQL) return PGSQL_STATE_BYTES;
  if (f == FAMILY_TDS) return TDS_STATE_BYTES;
  if (f == FAMILY_TNS) return TNS_STATE_BYTES;
  return STREAM_OWNER;
}

/** End of static data: the host's buffers go above it. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * A readable dump of an encoded table for `nvp compile --dump-after encode`: every header field
 * by name (common/abi.ts H_*) and the sizes of the set pool. The bytes themselves are in the module.
 */
import * as A from "../../common/abi.js";
import { setGeometry } from "../../common/abi-sets.js";

export function printTable(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields = Object.entries(A)
    .filter(([k, v]) => k.startsWith("H_") && typeof v === "number")
    .sort((a, b) => (a[1] as number) - (b[1] as number));
  const out = [`table ${bytes.length} bytes, format ${A.FORMAT_VERSION}, abi ${A.ABI_VERSION}`];
  for (const [name, off] of fields) {
    const at = off as number;
    const v = at + 4 <= bytes.length ? view.getUint32(at, true) : NaN;
    out.push(`  ${name.slice(2).toLowerCase().padEnd(12)} ${at === A.H_MAGIC ? `0x${v.toString(16)}` : v}`);
  }
  const nRules = bytes.length >= A.HEADER_SIZE ? view.getUint32(A.H_NRULES, true) : 0;
  const geo = setGeometry(nRules);
  if (bytes.length >= A.HEADER_SIZE) {
    const lo = view.getUint32(A.H_SETS_LO, true);
    const hi = view.getUint32(A.H_SETS_HI, true);
    out.push(`sets: ${view.getUint32(A.H_NSETS, true)} sets, ${hi - lo} bytes, ${geo.nSum} summary word(s) each`);
  }
  return out.join("\n") + "\n";
}

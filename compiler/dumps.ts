/**
 * What `nvp compile --dump-after <stage>` prints for the stages without a printer of their own
 * (lower has lower/print.ts, encode has encode/print-table.ts): the files loaded, their ASTs, the
 * checked model and the emitted module's sections. Readable text, stable for the same sources.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { customSection, SEC_CUSTOM, SEC_DATA, wasmSections } from "../common/abi-wasm.js";
import { formatIp } from "../common/ip.js";
import { fileShape, stripSpans } from "./ast/strip.js";
import type { SourceFile } from "./ast/types.js";
import type { PolicyModel } from "./model.js";

const yaml = (v: unknown) => stringify(v, { lineWidth: 0 });
const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

/** load: every file read, dependencies first, with its size. */
export function printLoaded(files: readonly SourceFile[], sources: ReadonlyMap<string, string>): string {
  const out = [`${files.length} file(s), dependencies first`];
  for (const f of files) {
    const text = sources.get(f.path) ?? "";
    out.push(`  ${f.path}  ${Buffer.byteLength(text)} bytes, ${text.split("\n").length} lines`);
  }
  return out.join("\n") + "\n";
}

/** parse: each file's AST without positions (items, then comment texts), as YAML. */
export function printAsts(files: readonly SourceFile[]): string {
  return files.map((f) => `# ${f.path}\n${yaml(fileShape(f))}`).join("");
}

/** check: the checked model without positions, addresses as text, as YAML. */
export function printModel(model: PolicyModel): string {
  const plain = JSON.parse(JSON.stringify(stripSpans(model), (_k, v: unknown) => (typeof v === "bigint" ? formatIp(v) : v)));
  return yaml(plain);
}

/** emit: the module's size, hash and sections (custom sections by name, the data section's size). */
export function printModule(bytes: Uint8Array): string {
  const out = [`module ${bytes.length} bytes, sha256 ${createHash("sha256").update(bytes).digest("hex")}`];
  for (const s of wasmSections(bytes)) {
    const size = s.end - s.body;
    if (s.id === SEC_CUSTOM) out.push(`  custom ${customSection(bytes, s).name}  ${size} bytes`);
    else out.push(`  ${SECTION_NAMES[s.id] ?? `section ${s.id}`}${s.id === SEC_DATA ? " (engine statics + table)" : ""}  ${size} bytes`);
  }
  return out.join("\n") + "\n";
}

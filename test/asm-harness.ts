/**
 * Compiling one asm/ harness entry for tests, shared by the DPI, stream-detector and tracker
 * harnesses: asc in-process (stub runtime, no imports, -O3, as the engine build does), cached in
 * the OS temporary folder under a key made of every source file it is built from and the asc
 * version, so the cache is never stale. Test files compiling at once never see half a file
 * (written under a unique name, then renamed). A start function is refused: it would mean a
 * global initialised at run time, an allocation the stub runtime places where the host's buffers go.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { THREATS } from "../common/threats.js";

const root = join(import.meta.dirname, "..");

export interface Compiled {
  module: WebAssembly.Module;
  /** The module as WebAssembly text (with `wat`), for checks on what it contains. */
  wat: string;
}

/**
 * Compile `entry` (relative to the repository) built from the sources in `dirs`; `name` names the
 * cache files, `what` the harness in errors ("the DPI stage"); `withWat` also keeps its text.
 */
export async function compileHarness(entry: string, dirs: readonly string[], name: string, what: string, withWat = false): Promise<Compiled> {
  const hash = createHash("sha256");
  for (const d of dirs) {
    // The files of each folder (a folder's subfolders are named in `dirs` when the entry uses them).
    for (const f of readdirSync(join(root, d)).sort()) if (statSync(join(root, d, f)).isFile()) hash.update(f).update(readFileSync(join(root, d, f)));
  }
  hash.update(readFileSync(join(root, "node_modules/assemblyscript/package.json")));
  const cache = join(tmpdir(), `nvp-${name}-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(`${cache}.wasm`) && (!withWat || existsSync(`${cache}.wat`))) {
    return { module: new WebAssembly.Module(readFileSync(`${cache}.wasm`)), wat: withWat ? readFileSync(`${cache}.wat`, "utf8") : "" };
  }
  const asc = await import("assemblyscript/asc");
  let wasm: Uint8Array | undefined;
  let wat = "";
  const args = [join(root, entry), "--outFile", `${name}.wasm`, ...(withWat ? ["--textFile", `${name}.wat`] : []), "-O3", "--runtime", "stub", "--noAssert", "--use", "abort="];
  const { error, stderr } = await asc.main(args, {
    writeFile(file: string, contents: Uint8Array | string) {
      if (file.endsWith(".wasm") && typeof contents !== "string") wasm = contents;
      if (file.endsWith(".wat")) wat = typeof contents === "string" ? contents : new TextDecoder().decode(contents);
    },
  });
  if (error || !wasm) throw new Error(`asc failed: ${error?.message ?? "no output"}\n${stderr.toString()}`);
  if (sectionIds(wasm).includes(8)) throw new Error(`${what} has a start function: some global allocates at start-up`);
  const tmp = `${cache}.${process.pid}`;
  writeFileSync(`${tmp}.wasm`, wasm);
  if (withWat) writeFileSync(`${tmp}.wat`, wat);
  if (withWat) renameSync(`${tmp}.wat`, `${cache}.wat`);
  renameSync(`${tmp}.wasm`, `${cache}.wasm`);
  return { module: new WebAssembly.Module(new Uint8Array(wasm)), wat };
}

/** Section ids of a WebAssembly binary, in order. */
export function sectionIds(wasm: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8;
  while (i < wasm.length) {
    ids.push(wasm[i++]!);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = wasm[i++]!;
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    i += size;
  }
  return ids;
}

/** What a threat harness reports (asm/threat/found.ts). */
export interface Finding {
  /** The catalog slug (common/threats.ts). */
  threat: string;
  evidence: string;
}

/** The finding exports both threat harnesses have. */
export interface FindingExports {
  findingCount(): number;
  findingCode(i: number): number;
  findingEvidence(i: number): number;
  findingEvidenceLen(i: number): number;
  clearFindings(): void;
  memory: WebAssembly.Memory;
}

const SLUG = new Map(THREATS.map((t) => [t.code, t.slug]));

/** The findings so far (evidence as ISO-8859-1 text), then cleared. */
export function takeFindings(ex: FindingExports): Finding[] {
  const out: Finding[] = [];
  const n = ex.findingCount();
  for (let i = 0; i < n; i++) {
    const at = ex.findingEvidence(i);
    // Byte n is U+00nn (TextDecoder's "latin1" is windows-1252, which is not).
    const evidence = Buffer.from(ex.memory.buffer, at, ex.findingEvidenceLen(i)).toString("latin1");
    out.push({ threat: SLUG.get(ex.findingCode(i)) ?? `?${ex.findingCode(i)}`, evidence });
  }
  ex.clearFindings();
  return out;
}

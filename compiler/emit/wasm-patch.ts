/**
 * Raw WebAssembly byte patching (toolchain.md §5): append an active data segment to the prebuilt
 * engine, raise its memory minimum to cover it, and append a custom section. No binaryen at
 * compile time; only the sections it touches are understood (common/abi-wasm.ts reads them).
 */
import {
  concat, memoryLimits, memorySection, readUleb, SEC_CODE, SEC_CUSTOM, SEC_DATA, SEC_DATACOUNT, SEC_MEMORY, section, sleb32, uleb,
  WasmFormatError, wasmSections,
} from "../../common/abi-wasm.js";

export class WasmPatchError extends Error {}

export interface PatchInput {
  engine: Uint8Array;
  data: Uint8Array;
  /** Linear-memory address of the segment. */
  offset: number;
  /** Memory pages the module needs at least. */
  minPages: number;
}

export function patchEngine(p: PatchInput): Uint8Array<ArrayBuffer> {
  const b = p.engine;
  const secs = wasmSections(b);
  const parts: ArrayLike<number>[] = [b.subarray(0, 8)];
  const segment = [0x00, 0x41, ...sleb32(p.offset | 0), 0x0b, ...uleb(p.data.length)];
  let sawMemory = false;
  let sawData = false;
  for (const s of secs) {
    const body = b.subarray(s.body, s.end);
    if (s.id === SEC_MEMORY) {
      sawMemory = true;
      let limits;
      try {
        limits = memoryLimits(b, s);
      } catch (e) {
        throw e instanceof WasmFormatError ? new WasmPatchError(`engine: ${e.message}`) : e;
      }
      if (limits.max !== undefined && limits.max < p.minPages) throw new WasmPatchError(`engine memory maximum ${limits.max} pages is below the ${p.minPages} the table needs`);
      parts.push(...memorySection({ ...limits, min: Math.max(limits.min, p.minPages) }));
    } else if (s.id === SEC_DATACOUNT) {
      const [count] = readUleb(body, 0);
      parts.push(...section(SEC_DATACOUNT, [uleb(count + 1)]));
    } else if (s.id === SEC_DATA) {
      sawData = true;
      const [count, at] = readUleb(body, 0);
      parts.push(...section(SEC_DATA, [uleb(count + 1), body.subarray(at), segment, p.data]));
    } else {
      parts.push(b.subarray(s.start, s.end));
      if (s.id === SEC_CODE && !secs.some((x) => x.id === SEC_DATA)) {
        sawData = true;
        parts.push(...section(SEC_DATA, [[1], segment, p.data]));
      }
    }
  }
  if (!sawMemory) throw new WasmPatchError("engine has no memory section");
  if (!sawData) throw new WasmPatchError("engine has no code section");
  return concat(parts);
}

/** Append a custom section (it becomes the module's last section). */
export function appendCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = new TextEncoder().encode(name);
  return concat([bytes, ...section(SEC_CUSTOM, [uleb(n.length), n, payload])]);
}

/**
 * Raw WebAssembly byte patching (toolchain.md §5): append an active data segment to the prebuilt
 * engine, raise its memory minimum to cover it, and append a custom section. No binaryen at
 * compile time; only the sections it touches are understood (common/abi-wasm.ts reads them).
 */
import {
  readUleb, SEC_CODE, SEC_CUSTOM, SEC_DATA, SEC_DATACOUNT, SEC_MEMORY, sleb32, uleb, wasmSections,
} from "../../common/abi-wasm.js";

export class WasmPatchError extends Error {}

/** A section as parts (header, then the payload pieces), so big payloads are never copied twice. */
function section(id: number, payload: ArrayLike<number>[]): ArrayLike<number>[] {
  let size = 0;
  for (const p of payload) size += p.length;
  return [[id, ...uleb(size)], ...payload];
}

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
      const [count, at] = readUleb(body, 0);
      if (count !== 1) throw new WasmPatchError("engine must define exactly one memory");
      const flags = body[at] as number;
      const [min, afterMin] = readUleb(body, at + 1);
      const limits = [flags, ...uleb(Math.max(min, p.minPages))];
      if (flags & 1) {
        const [max] = readUleb(body, afterMin);
        if (max < p.minPages) throw new WasmPatchError(`engine memory maximum ${max} pages is below the ${p.minPages} the table needs`);
        limits.push(...uleb(max));
      }
      parts.push(...section(SEC_MEMORY, [[1], limits]));
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

function concat(parts: ArrayLike<number>[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const x of parts) total += x.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const x of parts) {
    out.set(x as Uint8Array | number[], at);
    at += x.length;
  }
  return out;
}

/**
 * The little of the WebAssembly binary format nvp needs on both sides: LEB128, the section list,
 * data segments and custom sections. The compiler patches modules with it (compiler/emit/), the
 * runtime checks them before handing them to the WebAssembly API (runtime/module/load.ts).
 * Every read is bounds-checked and failures are WasmFormatError, never an exception from a typed array.
 */

export const SEC_CUSTOM = 0;
export const SEC_MEMORY = 5;
export const SEC_CODE = 10;
export const SEC_DATA = 11;
export const SEC_DATACOUNT = 12;

export class WasmFormatError extends Error {
  constructor(
    message: string,
    /** True when the bytes simply end too early. */
    readonly truncated = false,
  ) {
    super(message);
  }
}

export function readUleb(b: Uint8Array, at: number, limit = b.length): [value: number, next: number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (at >= limit) throw new WasmFormatError("LEB128 number runs past the end", true);
    if (shift > 28) throw new WasmFormatError("LEB128 number is too long");
    const byte = b[at++] as number;
    v += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [v, at];
    shift += 7;
  }
}

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function sleb32(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

export interface WasmSection {
  id: number;
  /** Offsets in the module: the section's id byte, its payload, the end of the payload. */
  start: number;
  body: number;
  end: number;
}

export function hasWasmMagic(b: Uint8Array): boolean {
  return b.length >= 8 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

export function wasmSections(b: Uint8Array): WasmSection[] {
  if (!hasWasmMagic(b)) {
    // A short prefix of the header itself is a truncated module; anything else is not WebAssembly.
    const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
    const prefix = b.length < 8 && Array.from(b).every((x, i) => x === header[i]);
    throw new WasmFormatError("not a WebAssembly module (bad magic)", prefix);
  }
  if (b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) throw new WasmFormatError("unsupported WebAssembly binary version");
  const out: WasmSection[] = [];
  let at = 8;
  while (at < b.length) {
    const id = b[at] as number;
    const [size, body] = readUleb(b, at + 1);
    if (body + size > b.length) throw new WasmFormatError(`section ${id} runs past the end of the module`, true);
    out.push({ id, start: at, body, end: body + size });
    at = body + size;
  }
  return out;
}

/** Name and payload of a custom section. */
export function customSection(b: Uint8Array, s: WasmSection): { name: string; payload: Uint8Array } {
  const [len, at] = readUleb(b, s.body, s.end);
  if (at + len > s.end) throw new WasmFormatError("custom section name runs past its section", true);
  const name = new TextDecoder().decode(b.subarray(at, at + len));
  return { name, payload: b.subarray(at + len, s.end) };
}

export interface DataSegment {
  /** Memory address for an active segment with an i32.const offset; undefined otherwise. */
  offset?: number;
  /** Where the segment starts in the module (its kind byte). */
  start: number;
  bytes: Uint8Array;
}

/** The segments of a data section. */
export function dataSegments(b: Uint8Array, s: WasmSection): DataSegment[] {
  const out: DataSegment[] = [];
  let [count, at] = readUleb(b, s.body, s.end);
  for (let i = 0; i < count; i++) {
    const start = at;
    let flags: number;
    [flags, at] = readUleb(b, at, s.end);
    let offset: number | undefined;
    if (flags === 0 || flags === 2) {
      if (flags === 2) [, at] = readUleb(b, at, s.end);
      // Only `i32.const n; end` offsets are understood; anything else has no known address.
      if (b[at] === 0x41) {
        let v = 0;
        let shift = 0;
        let byte: number;
        at++;
        do {
          if (at >= s.end) throw new WasmFormatError("data segment offset runs past its section", true);
          byte = b[at++] as number;
          v |= (byte & 0x7f) << shift;
          shift += 7;
        } while (byte & 0x80 && shift < 35);
        if (shift < 32 && byte & 0x40) v |= -1 << shift;
        offset = v >>> 0;
      }
      while (at < s.end && b[at] !== 0x0b) at++;
      at++;
    } else if (flags !== 1) {
      throw new WasmFormatError(`unknown data segment kind ${flags}`);
    }
    let len: number;
    [len, at] = readUleb(b, at, s.end);
    if (at + len > s.end) throw new WasmFormatError("data segment runs past its section", true);
    out.push({ offset, start, bytes: b.subarray(at, at + len) });
    at += len;
  }
  return out;
}

/** The limits of a memory section's one memory (the `max` only when flags bit 0 says there is one). */
export interface MemoryLimits {
  flags: number;
  min: number;
  max?: number;
}

export function memoryLimits(b: Uint8Array, s: WasmSection): MemoryLimits {
  const [count, at] = readUleb(b, s.body, s.end);
  if (count !== 1) throw new WasmFormatError("the module must define exactly one memory");
  if (at >= s.end) throw new WasmFormatError("memory section runs past its end", true);
  const flags = b[at] as number;
  const [min, next] = readUleb(b, at + 1, s.end);
  return flags & 1 ? { flags, min, max: readUleb(b, next, s.end)[0] } : { flags, min };
}

export function memorySection(l: MemoryLimits): ArrayLike<number>[] {
  return section(SEC_MEMORY, [[1, l.flags, ...uleb(l.min), ...(l.flags & 1 ? uleb(l.max ?? 0) : [])]]);
}

/** A section as parts (header, then the payload pieces), so big payloads are never copied twice. */
export function section(id: number, payload: ArrayLike<number>[]): ArrayLike<number>[] {
  let size = 0;
  for (const p of payload) size += p.length;
  return [[id, ...uleb(size)], ...payload];
}

export function concat(parts: ArrayLike<number>[]): Uint8Array<ArrayBuffer> {
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

/**
 * The module made of `sections` of `b` without the data section's last segment (which starts at
 * `segmentStart`; DataCount one lower) and with a memory minimum of `minPages`.
 */
export function withoutLastSegment(b: Uint8Array, sections: readonly WasmSection[], segmentStart: number, minPages: number): Uint8Array<ArrayBuffer> {
  const data = sections.find((s) => s.id === SEC_DATA);
  const [count, first] = data ? readUleb(b, data.body, data.end) : [0, 0];
  if (count === 0 || !data) throw new WasmFormatError("the module has no data segment");
  const parts: ArrayLike<number>[] = [b.subarray(0, 8)];
  for (const s of sections) {
    if (s.id === SEC_MEMORY) {
      parts.push(...memorySection({ ...memoryLimits(b, s), min: minPages }));
    } else if (s.id === SEC_DATACOUNT) {
      if (readUleb(b, s.body, s.end)[0] !== count) throw new WasmFormatError("the DataCount section disagrees with the data section");
      parts.push(...section(SEC_DATACOUNT, [uleb(count - 1)]));
    } else if (s === data) {
      parts.push(...section(SEC_DATA, [uleb(count - 1), b.subarray(first, segmentStart)]));
    } else {
      parts.push(b.subarray(s.start, s.end));
    }
  }
  return concat(parts);
}

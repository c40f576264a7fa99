/**
 * Crafting captures byte by byte for the capture tests: IP packets, pcapng blocks in either byte
 * order, chunked streams, and a reader that collects everything. Independent of runtime/capture's
 * writer, so the readers are not only checked against their own sibling.
 */
import { readCapture, type CapturePacket, type CaptureSummary, type ReadCaptureOptions } from "../../../runtime/capture/index.js";

/** A minimal IPv4 header (20 bytes, TCP) followed by `payload` zero bytes. */
export function ipv4(src: [number, number, number, number], dst: [number, number, number, number], payload = 0): Uint8Array {
  const out = new Uint8Array(20 + payload);
  out[0] = 0x45;
  out[2] = (20 + payload) >> 8;
  out[3] = (20 + payload) & 0xff;
  out[8] = 64;
  out[9] = 6;
  out.set(src, 12);
  out.set(dst, 16);
  return out;
}

/** A minimal IPv6 header (40 bytes, UDP, ::1 -> ::2) followed by `payload` zero bytes. */
export function ipv6(payload = 0): Uint8Array {
  const out = new Uint8Array(40 + payload);
  out[0] = 0x60;
  out[4] = payload >> 8;
  out[5] = payload & 0xff;
  out[6] = 17;
  out[7] = 64;
  out[23] = 1;
  out[39] = 2;
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Little-endian (default) or big-endian integer writers for hand-built headers. */
export class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly le = true) {}
  u8(...v: number[]): this {
    this.parts.push(...v);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v & 0xff, v >> 8) : this.u8(v >> 8, v & 0xff);
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.le ? b.reverse() : b));
  }
  raw(data: Uint8Array): this {
    for (const b of data) this.parts.push(b);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** pcapng blocks: type, total length, body (padded), total length again. */
export function block(type: number, body: Uint8Array, le = true, lengthOverride?: number): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = lengthOverride ?? 12 + padded;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, total, le);
  out.set(body, 8);
  v.setUint32(8 + padded, total, le);
  return out;
}

export function option(code: number, value: Uint8Array, le = true): Uint8Array {
  return new Bytes(le).u16(code).u16(value.length).raw(value).pad4().bytes();
}

export function shb(le = true, version: [number, number] = [1, 0]): Uint8Array {
  const body = new Bytes(le).u32(0x1a2b3c4d).u16(version[0]).u16(version[1]).u32(0xffffffff).u32(0xffffffff);
  return block(0x0a0d0d0a, body.bytes(), le);
}

export interface IdbOptions {
  le?: boolean;
  snaplen?: number;
  /** if_tsresol byte. */
  tsresol?: number;
  /** if_tsoffset, seconds. */
  tsoffset?: bigint;
  name?: string;
}

export function idb(linkType: number, o: IdbOptions = {}): Uint8Array {
  const le = o.le ?? true;
  const body = new Bytes(le).u16(linkType).u16(0).u32(o.snaplen ?? 0);
  if (o.name !== undefined) body.raw(option(2, new TextEncoder().encode(o.name), le));
  if (o.tsresol !== undefined) body.raw(option(9, Uint8Array.of(o.tsresol), le));
  if (o.tsoffset !== undefined) {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigInt64(0, o.tsoffset, le);
    body.raw(option(14, v, le));
  }
  if (body.length > 8) body.raw(option(0, new Uint8Array(0), le));
  return block(1, body.bytes(), le);
}

/** An Enhanced Packet Block; `ts` in the interface's units. */
export function epb(iface: number, ts: bigint, data: Uint8Array, o: { le?: boolean; origlen?: number; caplen?: number } = {}): Uint8Array {
  const le = o.le ?? true;
  const body = new Bytes(le)
    .u32(iface)
    .u32(Number(ts >> 32n))
    .u32(Number(ts & 0xffffffffn))
    .u32(o.caplen ?? data.length)
    .u32(o.origlen ?? data.length)
    .raw(data)
    .pad4();
  return block(6, body.bytes(), le);
}

export function spb(data: Uint8Array, origlen: number, le = true): Uint8Array {
  return block(3, new Bytes(le).u32(origlen).raw(data).pad4().bytes(), le);
}

export function opb(iface: number, ts: bigint, data: Uint8Array, le = true): Uint8Array {
  const body = new Bytes(le)
    .u16(iface)
    .u16(0)
    .u32(Number(ts >> 32n))
    .u32(Number(ts & 0xffffffffn))
    .u32(data.length)
    .u32(data.length)
    .raw(data)
    .pad4();
  return block(2, body.bytes(), le);
}

/** The bytes as a stream of chunks of the given sizes (cycled), like a slow pipe would give them. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [1]): AsyncGenerator<Uint8Array> {
  let o = 0;
  for (let i = 0; o < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    // Fresh copies: a real stream never hands out views of one buffer.
    yield bytes.slice(o, o + n);
    o += n;
  }
}

export interface Collected {
  packets: CapturePacket[];
  summary: CaptureSummary;
}

export async function collect(source: string | AsyncIterable<Uint8Array>, opts?: ReadCaptureOptions): Promise<Collected> {
  const reader = readCapture(source, opts);
  const packets: CapturePacket[] = [];
  for await (const p of reader) packets.push(p);
  return { packets, summary: reader.summary };
}

/** Packets as plain values (data as hex), to compare two reads of the same capture. */
export function plain(packets: readonly CapturePacket[]): unknown[] {
  return packets.map((p) => ({ ...p, data: Buffer.from(p.data).toString("hex") }));
}

/** The summary fields that do not depend on how the bytes arrived. */
export function outcome(s: CaptureSummary): unknown {
  return {
    format: s.format,
    packets: s.packets,
    bytes: s.bytes,
    truncated: s.truncated,
    notIp: s.notIp,
    skipped: s.skipped,
    interfaces: s.interfaces,
    offset: s.offset,
    error: s.error,
  };
}

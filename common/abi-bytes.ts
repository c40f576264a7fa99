/**
 * Byte-level helpers shared by the table encoder (compiler/encode/) and the runtime's region
 * builders: a growable little-endian writer and the two hash functions the engine uses
 * (asm/mem.ts hashIp and fnvStep). test/engine/abi-vectors.test.ts runs these and the engine's on
 * the same vectors (common/abi-vectors.json), so the two sides cannot drift apart unnoticed.
 */
import { FNV_OFFSET, FNV_PRIME } from "./abi.js";

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Make room for exactly `n` more bytes now, rather than by doubling as they come: when they are
   * the last ones, `finish` hands the buffer over without a copy (the table at 100k rules is 50 MB).
   */
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(this.length + n);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  /** A 64-bit word given as two 32-bit halves. */
  u64(lo: number, hi: number): void {
    this.u32(lo);
    this.u32(hi);
  }

  /** A 128-bit address as (lo u64, hi u64). */
  u128(v: bigint): void {
    for (let i = 0n; i < 4n; i++) this.u32(Number((v >> (32n * i)) & 0xffffffffn));
  }

  /** The first `n` words of `words`, each as u32 (one copy on a little-endian host). */
  u32s(words: Uint32Array, n: number): void {
    this.ensure(n * 4);
    if (LITTLE_ENDIAN) {
      this.buf.set(new Uint8Array(words.buffer, words.byteOffset, n * 4), this.length);
    } else {
      for (let i = 0; i < n; i++) this.view.setUint32(this.length + i * 4, words[i] as number, true);
    }
    this.length += n * 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** An unsigned LEB128 number (below 2^32). */
  leb(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.zeros(pad);
  }

  setU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  /** The bytes written; the writer is done with them. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The engine's address hash over the four 32-bit words (asm/mem.ts hashIp). */
export function hashIpWords(w0: number, w1: number, w2: number, w3: number): number {
  return fmix32((w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35)) >>> 0);
}

export function hashIp(ip: bigint): number {
  const w = (i: bigint) => Number((ip >> (32n * i)) & 0xffffffffn);
  return hashIpWords(w(0n), w(1n), w(2n), w(3n));
}

/** FNV-1a over the bytes from last to first (asm/vhost.ts hashes suffixes that way). */
export function hashNameBytes(b: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = b.length - 1; i >= 0; i--) h = Math.imul(h ^ (b[i] as number), FNV_PRIME) >>> 0;
  return h;
}

export function nextPow2(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/**
 * gzip as captures come (RFC 1952): one or more members, each a header, a raw deflate stream and
 * a CRC-32/length trailer, and sometimes bytes after the last member (padding, a second file
 * appended by mistake). zlib's own gunzip fails on such trailing bytes and throws away what it had
 * decompressed in the same write, so here each member is inflated as raw deflate, its trailer
 * checked, and whatever follows the last complete member that is not another member is ignored
 * and reported (`trailing`), never an error: every packet before it was in complete members.
 */
import { constants, crc32, inflateRawSync } from "node:zlib";
import { joinBytes } from "./decode-step.js";

export const GZIP_MAGIC_0 = 0x1f;
export const GZIP_MAGIC_1 = 0x8b;
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** A zlib-style error (code Z_*), as capture/detect.ts sourceError() classifies them. */
export function gzipError(code: "Z_BUF_ERROR" | "Z_DATA_ERROR", message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The length of the member header at `b[at..]`: a number, "need" (more bytes are needed to say),
 * or "bad" (not a gzip member header).
 */
export function gzipHeaderLength(b: Uint8Array, at = 0): number | "need" | "bad" {
  const n = b.length - at;
  if (n >= 1 && b[at] !== GZIP_MAGIC_0) return "bad";
  if (n >= 2 && b[at + 1] !== GZIP_MAGIC_1) return "bad";
  if (n >= 3 && b[at + 2] !== 8) return "bad";
  if (n < 10) return "need";
  const flags = b[at + 3] as number;
  if (flags & 0xe0) return "bad";
  let p = at + 10;
  if (flags & FEXTRA) {
    if (b.length < p + 2) return "need";
    p += 2 + ((b[p] as number) | ((b[p + 1] as number) << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (p < b.length && b[p] !== 0) p++;
    if (p >= b.length) return "need";
    p++;
  }
  if (flags & FHCRC) p += 2;
  return p <= b.length ? p - at : "need";
}

/** The 8-byte trailer at `b[at..]` against the member's CRC-32 and length. */
export function trailerMatches(b: Uint8Array, at: number, crc: number, length: number): boolean {
  const u32 = (o: number) => ((b[at + o] as number) | ((b[at + o + 1] as number) << 8) | ((b[at + o + 2] as number) << 16) | ((b[at + o + 3] as number) << 24)) >>> 0;
  return u32(0) === crc >>> 0 && u32(4) === length % 4294967296;
}

export interface Gunzipped {
  data: Uint8Array;
  /** Bytes after the last complete member that were ignored. */
  trailing: number;
  /**
   * Why decompression stopped early (a gzipError: Z_BUF_ERROR for a cut member, Z_DATA_ERROR for
   * bad data or a bad trailer); `data` holds everything before it.
   */
  fault?: Error;
}

/** Decompress a whole buffer, member by member. Throws a gzipError when the first header is bad. */
export function gunzipBuffer(bytes: Uint8Array, maxOutputLength: number): Gunzipped {
  const parts: Uint8Array[] = [];
  let total = 0;
  const done = (trailing: number, fault?: Error): Gunzipped => (fault ? { data: joinBytes(parts, total), trailing, fault } : { data: joinBytes(parts, total), trailing });
  let pos = 0;
  for (let member = 0; ; member++) {
    if (pos >= bytes.length) return done(0);
    const h = gzipHeaderLength(bytes, pos);
    if (typeof h !== "number") {
      if (member === 0) throw gzipError(h === "need" ? "Z_BUF_ERROR" : "Z_DATA_ERROR", "incorrect header check");
      return done(bytes.length - pos);
    }
    const body = bytes.subarray(pos + h);
    let out: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      out = inflateRawSync(body, { info: true, maxOutputLength: maxOutputLength - total }) as unknown as typeof out;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code !== "Z_BUF_ERROR" && code !== "Z_DATA_ERROR") throw e;
      // A sync flush at the end yields everything the member held before the cut or the bad data.
      try {
        const held = inflateRawSync(body, { maxOutputLength: maxOutputLength - total, finishFlush: constants.Z_SYNC_FLUSH });
        parts.push(held);
        total += held.length;
      } catch {
        // Bad data early in the member: nothing of it to give.
      }
      return done(0, e as Error);
    }
    parts.push(out.buffer);
    total += out.buffer.length;
    const end = pos + h + out.engine.bytesWritten;
    if (end + 8 > bytes.length) return done(0, gzipError("Z_BUF_ERROR", "unexpected end of file"));
    if (!trailerMatches(bytes, end, crc32(out.buffer), out.buffer.length)) return done(0, gzipError("Z_DATA_ERROR", "the member's CRC-32 or length does not match its data"));
    pos = end + 8;
  }
}

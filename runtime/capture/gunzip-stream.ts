/**
 * Streamed gzip, member by member (gzip.ts says why not zlib's gunzip): each member's header is
 * parsed here, its deflate data inflated raw chunk by chunk, and its trailer checked; the bytes the
 * inflater did not take after its stream ended start the trailer and the next member. Anything
 * after the last complete member that is not a member is counted in `summary.gzipTrailing` and
 * ignored.
 *
 * Iterating a zlib stream with `for await` drops whatever it had decompressed but not yet handed
 * out when it fails, so the packets just before the cut of a truncated .gz would vanish. Here each
 * compressed chunk is written and its output handed out before the next is written, and the stream
 * is only ended once everything is out, after a sync flush: the final flush, where truncation is
 * detected, then has nothing left to lose. Decompressed bytes waiting are bounded (the inflater is
 * paused), so a gzip bomb streams in bounded memory.
 */
import { constants, crc32, createInflateRaw, type InflateRaw } from "node:zlib";
import { joinBytes } from "./decode-step.js";
import { gzipError, gzipHeaderLength, trailerMatches } from "./gzip.js";
import type { CaptureSummary } from "./types.js";

/** Decompressed bytes held before the inflater is paused (plus its own 16 KiB buffer). */
const QUEUE_LIMIT = 1024 * 1024;
const EMPTY = new Uint8Array(0);

export async function* gunzipChunks(compressed: AsyncIterable<Uint8Array>, summary: CaptureSummary): AsyncGenerator<Uint8Array> {
  const src = compressed[Symbol.asyncIterator]();
  // Compressed bytes read but not yet used.
  let carry: Uint8Array = EMPTY;
  const more = async (): Promise<boolean> => {
    for (;;) {
      const r = await src.next();
      if (r.done) return false;
      if (r.value.length === 0) continue;
      carry = carry.length ? joinBytes([carry, r.value]) : r.value;
      return true;
    }
  };
  for (let member = 0; ; member++) {
    if (carry.length === 0 && !(await more())) return;
    let h = gzipHeaderLength(carry);
    while (h === "need" && (await more())) h = gzipHeaderLength(carry);
    if (typeof h !== "number") {
      if (member === 0) throw gzipError(h === "need" ? "Z_BUF_ERROR" : "Z_DATA_ERROR", "incorrect header check");
      // Counted, not kept: the rest may be large.
      let trailing = carry.length;
      for (let r = await src.next(); !r.done; r = await src.next()) trailing += r.value.length;
      summary.gzipTrailing = trailing;
      return;
    }
    const body = carry.subarray(h);
    carry = EMPTY;
    const m = new Member();
    try {
      let rest = yield* m.feed(body);
      while (rest === undefined && (await more())) {
        const chunk = carry;
        carry = EMPTY;
        rest = yield* m.feed(chunk);
      }
      if (rest === undefined) {
        // The input ended: whatever the inflater holds comes out, then truncation is detected.
        yield* m.finish();
        throw gzipError("Z_BUF_ERROR", "unexpected end of file");
      }
      carry = rest;
    } finally {
      m.destroy();
    }
    while (carry.length < 8 && (await more()));
    if (carry.length < 8) throw gzipError("Z_BUF_ERROR", "unexpected end of file");
    if (!trailerMatches(carry, 0, m.crc, m.length)) throw gzipError("Z_DATA_ERROR", "the member's CRC-32 or length does not match its data");
    carry = carry.subarray(8);
  }
}

/** One member's raw inflater, its output queue and its running CRC-32 and length. */
class Member {
  private readonly z: InflateRaw = createInflateRaw();
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private failure: { error: unknown } | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  /** Compressed bytes written so far. */
  private written = 0;
  crc = 0;
  length = 0;

  constructor() {
    // Events arrive only while the generator is suspended, so checking state and then sleeping
    // cannot miss a wake-up.
    this.z.on("data", (chunk: Uint8Array) => {
      this.queue.push(chunk);
      this.queued += chunk.length;
      // zlib stops inflating once its own buffer is full, so pausing bounds memory even for a bomb.
      if (this.queued > QUEUE_LIMIT) this.z.pause();
      this.signal();
    });
    this.z.on("error", (error) => {
      this.failure = { error };
      this.signal();
    });
    this.z.on("end", () => {
      this.finished = true;
      this.signal();
    });
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private *drain(): Generator<Uint8Array> {
    for (let c = this.queue.shift(); c; c = this.queue.shift()) {
      this.queued -= c.length;
      this.crc = crc32(c, this.crc);
      this.length += c.length;
      yield c;
    }
    if (this.z.isPaused()) this.z.resume();
  }

  /** Wait, handing out output, until `done()`; rethrows the inflater's error. */
  private async *until(done: () => boolean): AsyncGenerator<Uint8Array> {
    for (;;) {
      yield* this.drain();
      if (this.failure) throw this.failure.error;
      if (done()) return;
      await this.sleep();
    }
  }

  /**
   * Inflate `chunk`; returns the bytes after the deflate stream's end once it ended (possibly
   * empty), undefined while it goes on.
   */
  async *feed(chunk: Uint8Array): AsyncGenerator<Uint8Array, Uint8Array | undefined> {
    let written = false;
    this.written += chunk.length;
    this.z.write(chunk, () => {
      written = true;
      this.signal();
    });
    yield* this.until(() => written);
    // The inflater takes nothing past the end of its stream; bytesWritten counts what it took.
    const unused = this.written - this.z.bytesWritten;
    if (unused === 0) return undefined;
    yield* this.flushOut();
    return chunk.subarray(chunk.length - unused);
  }

  /** Inflate can keep a few decoded bytes back until flushed; a sync flush releases them. */
  private async *flushOut(): AsyncGenerator<Uint8Array> {
    let flushed = false;
    this.z.flush(constants.Z_SYNC_FLUSH, () => {
      flushed = true;
      this.signal();
    });
    yield* this.until(() => flushed);
    // Output paused earlier may still sit in the stream's buffer: let it flow out.
    yield* this.until(() => this.z.readableLength === 0);
  }

  /** The input ended: hand out everything, then end the stream (where zlib detects a cut). */
  async *finish(): AsyncGenerator<Uint8Array> {
    yield* this.flushOut();
    this.z.end();
    yield* this.until(() => this.finished);
  }

  destroy(): void {
    this.z.destroy();
  }
}

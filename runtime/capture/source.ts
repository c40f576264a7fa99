/**
 * Turn a capture source (a file path or any byte stream) into an async sequence of byte chunks,
 * decompressing gzip on the fly when the first two bytes say so. Nothing here reads more than one
 * chunk ahead, so a capture larger than memory streams through.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { constants, createGunzip } from "node:zlib";
import type { CaptureSummary } from "./types.js";

/** A file path, or a stream of bytes (a Readable without an encoding, or any async iterable). */
export type CaptureSource = string | AsyncIterable<Uint8Array>;

const GZIP_0 = 0x1f;
const GZIP_1 = 0x8b;

/**
 * Chunks of the (decompressed) capture. `summary.inputBytes` counts raw bytes as they are read,
 * `summary.gzip` is set once the magic is seen and `summary.inputSize` for regular files.
 * Errors (I/O, bad gzip data) are thrown from the iterator; the caller turns them into a report.
 */
export async function* captureChunks(source: CaptureSource, summary: CaptureSummary, chunkBytes: number): AsyncGenerator<Uint8Array> {
  let input: AsyncIterable<unknown>;
  if (typeof source === "string") {
    const info = await stat(source);
    if (info.isFile()) summary.inputSize = info.size;
    input = createReadStream(source, { highWaterMark: chunkBytes });
  } else {
    input = source;
  }
  const it = input[Symbol.asyncIterator]();
  try {
    // Gather at least two bytes to decide; a stream may deliver them one at a time.
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < 2) {
      const r = await it.next();
      if (r.done) break;
      const chunk = asBytes(r.value);
      summary.inputBytes += chunk.length;
      if (chunk.length === 0) continue;
      head.push(chunk);
      headBytes += chunk.length;
    }
    const first = head[0];
    const second = first && first.length > 1 ? first[1] : head[1]?.[0];
    if (first?.[0] !== GZIP_0 || second !== GZIP_1) {
      yield* head;
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const chunk = asBytes(r.value);
        summary.inputBytes += chunk.length;
        if (chunk.length > 0) yield chunk;
      }
      return;
    }
    summary.gzip = true;
    yield* gunzipChunks(compressedChunks(head, it, summary));
  } finally {
    // Stops the file stream (or the caller's stream) when the reader ends early.
    await it.return?.();
  }
}

async function* compressedChunks(head: Uint8Array[], it: AsyncIterator<unknown>, summary: CaptureSummary): AsyncGenerator<Uint8Array> {
  yield* head;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const chunk = asBytes(r.value);
    summary.inputBytes += chunk.length;
    yield chunk;
  }
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError(typeof value === "string" ? "the capture stream is in text mode (it has an encoding set)" : "the capture stream does not give bytes");
}

/** Decompressed bytes held before the zlib stream is paused (plus its own 16 KiB buffer). */
const QUEUE_LIMIT = 1024 * 1024;

/**
 * Decompress gzip chunk by chunk without losing the tail of a truncated file.
 *
 * Iterating a zlib stream with `for await` drops whatever it had decompressed but not yet handed
 * out when it fails ("unexpected end of file" destroys the stream and its buffer), so the packets
 * just before the cut of a truncated .gz would vanish. Here each compressed chunk is written and
 * its output handed out before the next is written, and the stream is only ended once everything is
 * out, after a sync flush: the final flush, where truncation is detected, then has nothing left to
 * lose.
 */
async function* gunzipChunks(compressed: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gz = createGunzip();
  const queue: Uint8Array[] = [];
  let queued = 0;
  let failure: { error: unknown } | undefined;
  let finished = false;
  // Events arrive only while this generator is suspended, so checking state and then sleeping
  // cannot miss a wake-up.
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const sleep = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  gz.on("data", (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.length;
    // zlib stops inflating once its own buffer is full, so pausing bounds memory even for a bomb.
    if (queued > QUEUE_LIMIT) gz.pause();
    signal();
  });
  gz.on("error", (error) => {
    failure = { error };
    signal();
  });
  gz.on("end", () => {
    finished = true;
    signal();
  });

  // A function, not an inline test: the flag is set by event handlers, which narrowing cannot see.
  const rethrow = (): void => {
    if (failure) throw failure.error;
  };

  function* drain(): Generator<Uint8Array> {
    for (let c = queue.shift(); c; c = queue.shift()) {
      queued -= c.length;
      yield c;
    }
    if (gz.isPaused()) gz.resume();
  }

  try {
    for await (const chunk of compressed) {
      let written = false;
      gz.write(chunk, () => {
        written = true;
        signal();
      });
      for (;;) {
        yield* drain();
        rethrow();
        if (written) break;
        await sleep();
      }
    }
    // Inflate can keep a few decoded bytes back until it is flushed; a sync flush releases them
    // without the end-of-stream check, which the final flush then makes with nothing to lose.
    let flushed = false;
    gz.flush(constants.Z_SYNC_FLUSH, () => {
      flushed = true;
      signal();
    });
    for (;;) {
      yield* drain();
      rethrow();
      if (flushed) break;
      await sleep();
    }
    // Output paused earlier may still sit in the stream's buffer: let it flow out before ending.
    for (;;) {
      yield* drain();
      rethrow();
      if (gz.readableLength === 0) break;
      await sleep();
    }
    gz.end();
    for (;;) {
      yield* drain();
      rethrow();
      if (finished) return;
      await sleep();
    }
  } finally {
    gz.destroy();
  }
}

/**
 * Turn a capture source (a file path or any byte stream) into an async sequence of byte chunks,
 * decompressing gzip on the fly when the first two bytes say so. Nothing here reads more than one
 * chunk ahead, so a capture larger than memory streams through.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { gunzipChunks } from "./gunzip-stream.js";
import { GZIP_MAGIC_0, GZIP_MAGIC_1 } from "./gzip.js";
import type { CaptureSummary } from "./types.js";

/** A file path, or a stream of bytes (a Readable without an encoding, or any async iterable). */
export type CaptureSource = string | AsyncIterable<Uint8Array>;

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
    if (first?.[0] !== GZIP_MAGIC_0 || second !== GZIP_MAGIC_1) {
      yield* head;
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const chunk = asBytes(r.value);
        summary.inputBytes += chunk.length;
        if (chunk.length > 0) yield chunk;
      }
      return;
    }
    summary.gzip = true;
    yield* gunzipChunks(compressedChunks(head, it, summary), summary);
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

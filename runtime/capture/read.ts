/**
 * Stream a capture: pcap or pcapng, plain or gzip, from a file path or a byte stream.
 *
 *   const capture = readCapture("trace.pcapng.gz");
 *   for await (const p of capture) if (p.l3Offset >= 0) engine.feed(p.data.subarray(p.l3Offset));
 *   if (capture.summary.error) report(capture.summary.error);
 *
 * Bad data never throws out of the iterator: it ends, every packet before the bad record has been
 * delivered, and `summary.error` says what and where. Memory stays at about one chunk plus one
 * record, however large the file.
 */
import { captureChunks, type CaptureSource } from "./source.js";
import { joinBytes } from "./decode-step.js";
import { newDecoder, sourceError, truncatedDiscard, truncatedNeed } from "./detect.js";
import { newSummary, type CapturePacket, type CaptureSummary, type ReadCaptureOptions } from "./types.js";

export type { CaptureSource } from "./source.js";

export interface CaptureReader extends AsyncIterable<CapturePacket> {
  /** Filled as packets are read; final once iteration ends. */
  readonly summary: CaptureSummary;
}

const DEFAULT_CHUNK = 256 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * A single-use async iterable over the packets of `source`. Throws only for invalid options
 * (RangeError) or a second iteration; I/O and format problems end up in `summary.error`.
 */
export function readCapture(source: CaptureSource, opts: ReadCaptureOptions = {}): CaptureReader {
  const summary = newSummary();
  // Validate options now, so a bad option is the caller's exception rather than a capture error.
  newDecoder(summary, opts);
  const chunk = opts.chunkBytes ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > MAX_CHUNK) throw new RangeError(`chunkBytes must be an integer from 1 to ${MAX_CHUNK}`);
  let started = false;
  return {
    summary,
    [Symbol.asyncIterator](): AsyncIterator<CapturePacket> {
      if (started) throw new Error("a capture reader can be iterated only once");
      started = true;
      return drive(source, opts, summary);
    },
  };
}

async function* drive(source: CaptureSource, opts: ReadCaptureOptions, summary: CaptureSummary): AsyncGenerator<CapturePacket> {
  const decoder = newDecoder(summary, opts);
  const chunks = captureChunks(source, summary, opts.chunkBytes ?? DEFAULT_CHUNK);
  // `buf[pos..]` is unread; `base` is the capture offset of `buf[0]`. Buffers are never written
  // after they are filled, so packets handed out as views of them stay valid.
  let buf: Uint8Array = EMPTY;
  let pos = 0;
  let base = 0;
  let eof = false;
  // Bytes delivered by the source so far, where a source error is placed.
  let received = 0;

  /** The next chunk, or undefined at the end or on a source error (then recorded). */
  const next = async (): Promise<Uint8Array | undefined> => {
    if (eof) return undefined;
    try {
      const r = await chunks.next();
      if (!r.done) {
        received += r.value.length;
        return r.value;
      }
    } catch (e) {
      summary.error = sourceError(e, received);
    }
    eof = true;
    return undefined;
  };

  try {
    for (;;) {
      const at = base + pos;
      summary.offset = at;
      const step = decoder.step(buf, pos, buf.length, at);
      switch (step.kind) {
        case "packet":
          pos += step.used;
          summary.offset = base + pos;
          yield step.packet;
          break;
        case "skip":
          pos += step.used;
          break;
        case "error":
          summary.error = step.error;
          return;
        case "need": {
          // Collect chunks until the unit fits, then join them once: linear even for 1-byte chunks.
          const parts: Uint8Array[] = pos < buf.length ? [buf.subarray(pos)] : [];
          let have = buf.length - pos;
          while (have < step.bytes) {
            const chunk = await next();
            if (!chunk) break;
            parts.push(chunk);
            have += chunk.length;
          }
          base += pos;
          pos = 0;
          buf = joinBytes(parts, have);
          if (have < step.bytes) {
            if (!summary.error && !(have === 0 && step.cleanEnd)) summary.error = truncatedNeed(step, have, at);
            summary.offset = base;
            return;
          }
          break;
        }
        case "discard": {
          // Skip without buffering: a large block costs no memory.
          let left = step.bytes;
          for (;;) {
            const take = Math.min(left, buf.length - pos);
            pos += take;
            left -= take;
            if (left === 0) break;
            const chunk = await next();
            if (!chunk) {
              summary.error ??= truncatedDiscard(step, left);
              summary.offset = base + pos;
              return;
            }
            base += buf.length;
            buf = chunk;
            pos = 0;
          }
          break;
        }
      }
    }
  } finally {
    await chunks.return(undefined);
  }
}

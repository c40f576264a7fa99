/**
 * Decode a capture already in memory (tests, fixtures, small uploads): the same decoders and the
 * same reports as `readCapture`, without streams or promises.
 */
import { gunzipBuffer } from "./gzip.js";
import { newDecoder, sourceError, truncatedDiscard, truncatedNeed } from "./detect.js";
import { newSummary, type CapturePacket, type CaptureSummary, type ReadCaptureOptions } from "./types.js";

export interface ParsedCapture {
  packets: CapturePacket[];
  summary: CaptureSummary;
}

/** Largest decompressed size accepted for a gzip buffer; larger captures should be streamed. */
const MAX_GUNZIP = 256 * 1024 * 1024;

/** Packet `data` are views into `bytes` (or into its decompressed copy). Never throws for bad data. */
export function parseCaptureBuffer(bytes: Uint8Array, opts: ReadCaptureOptions = {}): ParsedCapture {
  const summary = newSummary();
  const decoder = newDecoder(summary, opts);
  summary.inputBytes = bytes.length;
  summary.inputSize = bytes.length;
  const packets: CapturePacket[] = [];
  let buf = bytes;
  // Set when the gzip data ends early or goes bad: decode what it held, then report why.
  let gzipFault: Error | undefined;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    summary.gzip = true;
    try {
      const g = gunzipBuffer(bytes, MAX_GUNZIP);
      buf = g.data;
      gzipFault = g.fault;
      if (g.trailing) summary.gzipTrailing = g.trailing;
    } catch (e) {
      summary.error = sourceError(e, 0);
      return { packets, summary };
    }
  }

  let pos = 0;
  for (;;) {
    summary.offset = pos;
    const step = decoder.step(buf, pos, buf.length, pos);
    if (step.kind === "packet") {
      packets.push(step.packet);
      pos += step.used;
    } else if (step.kind === "skip") {
      pos += step.used;
    } else if (step.kind === "error") {
      summary.error = step.error;
      break;
    } else if (step.kind === "need") {
      const have = buf.length - pos;
      if (gzipFault) summary.error = sourceError(gzipFault, buf.length);
      else if (!(have === 0 && step.cleanEnd)) summary.error = truncatedNeed(step, have, pos);
      break;
    } else {
      const left = step.bytes - (buf.length - pos);
      if (left > 0) {
        summary.error = gzipFault ? sourceError(gzipFault, buf.length) : truncatedDiscard(step, left);
        pos = buf.length;
        break;
      }
      pos += step.bytes;
    }
  }
  summary.offset = pos;
  return { packets, summary };
}

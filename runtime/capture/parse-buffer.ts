/**
 * Decode a capture already in memory (tests, fixtures, small uploads): the same decoders and the
 * same reports as `readCapture`, without streams or promises.
 */
import { constants, gunzipSync } from "node:zlib";
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
  // Set when the gzip data ends early: decode what it held, then report the truncation.
  let gzipCut = false;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    summary.gzip = true;
    try {
      buf = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code !== "Z_BUF_ERROR") {
        summary.error = sourceError(e, 0);
        return { packets, summary };
      }
      // A sync flush at the end yields everything the truncated stream held.
      buf = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP, finishFlush: constants.Z_SYNC_FLUSH });
      gzipCut = true;
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
      if (gzipCut) summary.error = sourceError({ code: "Z_BUF_ERROR" }, buf.length);
      else if (!(have === 0 && step.cleanEnd)) summary.error = truncatedNeed(step, have, pos);
      break;
    } else {
      const left = step.bytes - (buf.length - pos);
      if (left > 0) {
        summary.error = gzipCut ? sourceError({ code: "Z_BUF_ERROR" }, buf.length) : truncatedDiscard(step, left);
        pos = buf.length;
        break;
      }
      pos += step.bytes;
    }
  }
  summary.offset = pos;
  return { packets, summary };
}

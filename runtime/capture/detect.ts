/**
 * Pick the decoder from the first four bytes, and the error texts both drivers share, so reading a
 * stream and reading a buffer report the same thing at the same offset.
 */
import { DecodeContext, type Decoder, type Step } from "./decode-step.js";
import { PcapDecoder, pcapVariant } from "./pcap.js";
import { PCAPNG_SHB, PcapngDecoder } from "./pcapng.js";
import { DEFAULT_MAX_PACKET_BYTES, MAX_MAX_PACKET_BYTES, type CaptureError, type CaptureSummary, type ReadCaptureOptions } from "./types.js";

export class FormatDetector implements Decoder {
  private inner: Decoder | undefined;

  constructor(private readonly ctx: DecodeContext) {}

  step(buf: Uint8Array, pos: number, end: number, at: number): Step {
    if (this.inner) return this.inner.step(buf, pos, end, at);
    if (end - pos < 4) return { kind: "need", bytes: 4, what: "file header", cleanEnd: false };
    const magic = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
    const variant = pcapVariant(magic);
    if (variant) this.inner = new PcapDecoder(this.ctx, variant);
    else if (magic === PCAPNG_SHB) this.inner = new PcapngDecoder(this.ctx);
    else {
      const shown = [...buf.subarray(pos, pos + 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
      return { kind: "error", error: { kind: "format", message: `not a pcap or pcapng capture (it starts with \`${shown}\`)`, offset: at } };
    }
    return this.inner.step(buf, pos, end, at);
  }
}

export function newDecoder(summary: CaptureSummary, opts: ReadCaptureOptions): Decoder {
  const max = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
  if (!Number.isInteger(max) || max < 1 || max > MAX_MAX_PACKET_BYTES) {
    throw new RangeError(`maxPacketBytes must be an integer from 1 to ${MAX_MAX_PACKET_BYTES}`);
  }
  return new FormatDetector(new DecodeContext(summary, max));
}

/** The input stopped inside a unit that asked for `step.bytes` and got `have`. */
export function truncatedNeed(step: Extract<Step, { kind: "need" }>, have: number, at: number): CaptureError {
  if (at === 0 && have === 0) return { kind: "truncated", message: "the capture is empty", offset: 0 };
  return { kind: "truncated", message: `truncated ${step.what}: ${have} of ${step.bytes} bytes present`, offset: at };
}

/** The input stopped inside a block being skipped. */
export function truncatedDiscard(step: Extract<Step, { kind: "discard" }>, left: number): CaptureError {
  return {
    kind: "truncated",
    message: `truncated ${step.what}: ${step.bytes - left} of ${step.unitBytes} bytes present`,
    offset: step.at,
  };
}

/** An error raised while fetching bytes: the file system, or gzip data. `offset`: bytes decoded so far. */
export function sourceError(e: unknown, offset: number): CaptureError {
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === "string" ? err.code : "";
  const message = typeof err?.message === "string" ? err.message : String(e);
  if (code === "Z_BUF_ERROR") return { kind: "truncated", message: "truncated gzip data", offset };
  if (code.startsWith("Z_")) return { kind: "corrupt", message: `bad gzip data: ${message}`, offset };
  if (code === "ERR_BUFFER_TOO_LARGE") return { kind: "format", message: "the decompressed capture is too large to hold in memory; stream it with readCapture", offset };
  return { kind: "io", message: `cannot read the capture: ${message}`, offset };
}

/**
 * Packet captures in: classic pcap and pcapng, plain or gzip, streamed from a file or a stream, with
 * the link layer located so the engine gets IP packets. docs/formats.md ("Captures") documents the
 * formats, link types, counters and errors.
 */
export { readCapture, type CaptureReader, type CaptureSource } from "./read.js";
export { parseCaptureBuffer, type ParsedCapture } from "./parse-buffer.js";
export { writePcap, pcapHeader, pcapRecord, frameFor, type PacketToWrite, type PcapWriteOptions } from "./write.js";
export { createProgress, progressLine, type Progress, type ProgressOptions } from "./progress.js";
export { locateL3, type L3Location } from "./link-layer.js";
export { PCAPNG_SKIP_REASONS } from "./pcapng.js";
export {
  LINKTYPE,
  DEFAULT_MAX_PACKET_BYTES,
  type CapturePacket,
  type CaptureSummary,
  type CaptureInterface,
  type CaptureError,
  type CaptureErrorKind,
  type L3Proto,
  type ReadCaptureOptions,
} from "./types.js";

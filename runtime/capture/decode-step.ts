/**
 * The contract between the format decoders (pcap, pcapng) and the drivers that feed them bytes (a
 * stream in chunks, or one buffer). A decoder is a synchronous state machine: given the unread bytes
 * it either asks for more, consumes one unit (a header, a record, a block) or reports an error. It
 * never waits and never allocates by a length it has not bounded, so both drivers share it and a
 * record split across chunks decodes exactly as a whole one.
 */
import { locateL3 } from "./link-layer.js";
import { notIpKind } from "./not-ip.js";
import type { CaptureError, CaptureInterface, CapturePacket, CaptureSummary } from "./types.js";

export type Step =
  /**
   * `bytes` more than are available are needed from `pos` (bounded by the decoder). `cleanEnd`:
   * the unit has not started, so running out of input here is the normal end of the capture.
   */
  | { kind: "need"; bytes: number; what: string; cleanEnd: boolean }
  | { kind: "packet"; used: number; packet: CapturePacket }
  /** Consumed `used` bytes that yield nothing (a file header, an interface, a skipped block). */
  | { kind: "skip"; used: number }
  /**
   * Drop `bytes` from `pos` without buffering them (a block we skip, whose trailer the decoder then
   * asks for). `unitBytes` is the whole unit's size, for messages.
   */
  | { kind: "discard"; bytes: number; unitBytes: number; what: string; at: number }
  | { kind: "error"; error: CaptureError };

export interface Decoder {
  /** Decode from `buf[pos..end)`; `at` is the capture offset of `pos`. */
  step(buf: Uint8Array, pos: number, end: number, at: number): Step;
}

/** What decoders share: the summary they fill and the bounds they enforce. */
export class DecodeContext {
  private sectionIndex = -1;

  constructor(
    readonly summary: CaptureSummary,
    readonly maxPacketBytes: number,
  ) {}

  /** Start a new pcapng section (or the one implicit pcap section); returns its number. */
  newSection(): number {
    return ++this.sectionIndex;
  }

  addInterface(info: Omit<CaptureInterface, "section">): number {
    this.summary.interfaces.push({ ...info, section: Math.max(0, this.sectionIndex) });
    return this.summary.interfaces.length - 1;
  }

  /** Count something read but not delivered (`summary.skipped`). */
  count(reason: string): void {
    const s = this.summary.skipped;
    s[reason] = (s[reason] ?? 0) + 1;
  }

  /** Build a packet, strip its link layer and count it. */
  packet(iface: number, linkType: number, ts: bigint, data: Uint8Array, originalLength: number, at: number): CapturePacket {
    const l3 = locateL3(linkType, data);
    const packet: CapturePacket = {
      ts,
      iface,
      linkType,
      capturedLength: data.length,
      originalLength,
      truncated: data.length < originalLength,
      data,
      l3Offset: l3.offset,
      l3Proto: l3.proto,
      offset: at,
    };
    if (l3.vlan !== undefined) packet.vlan = l3.vlan;
    if (l3.reason !== undefined) packet.notIp = l3.reason;
    const s = this.summary;
    s.packets++;
    s.bytes += data.length;
    if (packet.truncated) s.truncated++;
    if (l3.offset < 0) {
      s.notIp++;
      const kind = notIpKind(linkType, data);
      s.notIpKinds[kind] = (s.notIpKinds[kind] ?? 0) + 1;
      const r = l3.reason ?? "short";
      s.notIpBy[r] = (s.notIpBy[r] ?? 0) + 1;
    }
    return packet;
  }
}

export function corrupt(message: string, offset: number): Step {
  return { kind: "error", error: { kind: "corrupt", message, offset } };
}

export function unsupported(message: string, offset: number): Step {
  return { kind: "error", error: { kind: "format", message, offset } };
}

export function readU16(buf: Uint8Array, at: number, le: boolean): number {
  return le ? buf[at]! | (buf[at + 1]! << 8) : (buf[at]! << 8) | buf[at + 1]!;
}

export function readU32(buf: Uint8Array, at: number, le: boolean): number {
  const a = buf[at]!, b = buf[at + 1]!, c = buf[at + 2]!, d = buf[at + 3]!;
  return (le ? a | (b << 8) | (c << 16) | (d << 24) : (a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function hex32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

/** Bytes to a size for messages: exact below 1 KiB, else rounded. */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The parts one after the other in one new buffer (one part: itself). */
export function joinBytes(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the frame.
 * The magic number gives the byte order and the timestamp unit (microseconds or nanoseconds).
 */
import { DecodeContext, corrupt, hex32, readU16, readU32, sizeText, unsupported, type Decoder, type Step } from "./decode-step.js";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 24-byte records (ifindex, protocol, pkt_type added). */
export const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;

const FILE_HEADER = 24;

interface PcapVariant {
  le: boolean;
  nanos: boolean;
  recordHeader: number;
}

/** The variant a file's first four bytes (read big-endian) announce, or undefined. */
export function pcapVariant(magicBE: number): PcapVariant | undefined {
  const swapped = swap32(magicBE);
  for (const [magic, nanos, recordHeader] of [
    [PCAP_MAGIC_US, false, 16],
    [PCAP_MAGIC_NS, true, 16],
    [PCAP_MAGIC_KUZNETZOV, false, 24],
  ] as const) {
    if (magicBE === magic) return { le: false, nanos, recordHeader };
    if (swapped === magic) return { le: true, nanos, recordHeader };
  }
  return undefined;
}

function swap32(n: number): number {
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

export class PcapDecoder implements Decoder {
  private headerDone = false;
  private linkType = 0;
  private iface = 0;
  private readonly fracToNs: bigint;

  constructor(
    private readonly ctx: DecodeContext,
    private readonly variant: PcapVariant,
  ) {
    this.fracToNs = variant.nanos ? 1n : 1000n;
  }

  step(buf: Uint8Array, pos: number, end: number, at: number): Step {
    return this.headerDone ? this.record(buf, pos, end, at) : this.header(buf, pos, end, at);
  }

  private header(buf: Uint8Array, pos: number, end: number, at: number): Step {
    if (end - pos < FILE_HEADER) return { kind: "need", bytes: FILE_HEADER, what: "pcap file header", cleanEnd: false };
    const le = this.variant.le;
    const major = readU16(buf, pos + 4, le);
    const minor = readU16(buf, pos + 6, le);
    if (major !== 2) return unsupported(`pcap version ${major}.${minor} is not supported (only 2.x)`, at + 4);
    const snaplen = readU32(buf, pos + 16, le);
    // The upper bits of this field carry FCS information (pcap spec §LinkType); the type is the low 16.
    this.linkType = readU32(buf, pos + 20, le) & 0xffff;
    this.ctx.summary.format = "pcap";
    this.ctx.newSection();
    this.iface = this.ctx.addInterface({
      linkType: this.linkType,
      snaplen,
      tsResolution: this.variant.nanos ? "1e-9" : "1e-6",
    });
    this.headerDone = true;
    return { kind: "skip", used: FILE_HEADER };
  }

  private record(buf: Uint8Array, pos: number, end: number, at: number): Step {
    const hdr = this.variant.recordHeader;
    const avail = end - pos;
    if (avail < hdr) return { kind: "need", bytes: hdr, what: "packet record header", cleanEnd: true };
    const le = this.variant.le;
    const caplen = readU32(buf, pos + 8, le);
    if (caplen > this.ctx.maxPacketBytes) {
      return corrupt(
        `packet record claims ${sizeText(caplen)} captured (${hex32(caplen)}), more than the ${sizeText(this.ctx.maxPacketBytes)} limit`,
        at,
      );
    }
    if (avail < hdr + caplen) return { kind: "need", bytes: hdr + caplen, what: "packet record", cleanEnd: false };
    const sec = readU32(buf, pos, le);
    const frac = readU32(buf, pos + 4, le);
    const origlen = readU32(buf, pos + 12, le);
    const ts = BigInt(sec) * 1_000_000_000n + BigInt(frac) * this.fracToNs;
    const data = buf.subarray(pos + hdr, pos + hdr + caplen);
    return { kind: "packet", used: hdr + caplen, packet: this.ctx.packet(this.iface, this.linkType, ts, data, origlen, at) };
  }
}

/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of sections, each a Section Header Block (which sets
 * the byte order) followed by Interface Description Blocks and packet blocks that name an interface
 * of their section. Packets come from EPB, SPB and the obsolete OPB; every other block is skipped
 * without buffering it, and counted.
 */
import {
  DecodeContext,
  corrupt,
  hex32,
  readU16,
  readU32,
  sizeText,
  unsupported,
  type Decoder,
  type Step,
} from "./decode-step.js";

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;

/** Every reason a pcapng reader counts in `summary.skipped` (documented in docs/formats.md). */
export const PCAPNG_SKIP_REASONS = [
  "pcapng:name-resolution",
  "pcapng:interface-statistics",
  "pcapng:decryption-secrets",
  "pcapng:systemd-journal",
  "pcapng:custom",
  "pcapng:unknown-block",
  "pcapng:unknown-interface",
] as const;

/** Skipped block types by reason (anything else is `pcapng:unknown-block`). */
const SKIPPED: ReadonlyMap<number, string> = new Map([
  [4, "pcapng:name-resolution"],
  [5, "pcapng:interface-statistics"],
  [9, "pcapng:systemd-journal"],
  [0x0a, "pcapng:decryption-secrets"],
  [0xbad, "pcapng:custom"],
  [0x40000bad, "pcapng:custom"],
]);

/** Options and padding a buffered block may carry beyond its packet (comments, hashes…). */
const OPTIONS_ALLOWANCE = 1024 * 1024;

interface Iface {
  global: number;
  linkType: number;
  snaplen: number;
  toNs: (hi: number, lo: number) => bigint;
}

export class PcapngDecoder implements Decoder {
  private le = true;
  private inSection = false;
  private ifaces: Iface[] = [];
  /** After discarding a skipped block's body, its trailing length must still match. */
  private trailer: { length: number; at: number } | undefined;
  private lastTs = 0n;
  private readonly maxBlock: number;

  constructor(private readonly ctx: DecodeContext) {
    this.maxBlock = ctx.maxPacketBytes + OPTIONS_ALLOWANCE;
  }

  step(buf: Uint8Array, pos: number, end: number, at: number): Step {
    const avail = end - pos;
    if (this.trailer) {
      if (avail < 4) return { kind: "need", bytes: 4, what: "pcapng block", cleanEnd: false };
      const { length, at: blockAt } = this.trailer;
      this.trailer = undefined;
      const got = readU32(buf, pos, this.le);
      if (got !== length) return mismatch(length, got, blockAt);
      return { kind: "skip", used: 4 };
    }
    if (avail < 8) return { kind: "need", bytes: 8, what: "pcapng block header", cleanEnd: true };
    const type = readU32(buf, pos, this.le);
    if (type === PCAPNG_SHB) {
      if (avail < 12) return { kind: "need", bytes: 12, what: "pcapng section header", cleanEnd: false };
      if (readU32(buf, pos + 8, true) === BOM) this.le = true;
      else if (readU32(buf, pos + 8, false) === BOM) this.le = false;
      else return corrupt(`section header has a bad byte-order magic ${hex32(readU32(buf, pos + 8, false))}`, at);
    } else if (!this.inSection) {
      return corrupt(`block ${hex32(type)} comes before any section header`, at);
    }
    const length = readU32(buf, pos + 4, this.le);
    const min = type === PCAPNG_SHB ? 28 : 12;
    if (length < min || length % 4 !== 0) {
      return corrupt(`block ${hex32(type)} has an invalid length ${length} (a multiple of 4, at least ${min})`, at);
    }
    const skipped = type === PCAPNG_SHB || type === IDB || type === EPB || type === SPB || type === OPB ? undefined : SKIPPED.get(type) ?? "pcapng:unknown-block";
    if (skipped) {
      this.ctx.count(skipped);
      this.trailer = { length, at };
      return { kind: "discard", bytes: length - 4, unitBytes: length, what: "pcapng block", at };
    }
    if (length > this.maxBlock) {
      return corrupt(`block ${hex32(type)} claims ${sizeText(length)} (${hex32(length)}), more than the ${sizeText(this.maxBlock)} limit`, at);
    }
    if (avail < length) return { kind: "need", bytes: length, what: "pcapng block", cleanEnd: false };
    const got = readU32(buf, pos + length - 4, this.le);
    if (got !== length) return mismatch(length, got, at);
    switch (type) {
      case PCAPNG_SHB:
        return this.section(buf, pos, length, at);
      case IDB:
        return this.iface(buf, pos, length, at);
      case EPB:
        return this.enhanced(buf, pos, length, at);
      case SPB:
        return this.simple(buf, pos, length, at);
      default:
        return this.obsolete(buf, pos, length, at);
    }
  }

  private section(buf: Uint8Array, pos: number, length: number, at: number): Step {
    const major = readU16(buf, pos + 12, this.le);
    const minor = readU16(buf, pos + 14, this.le);
    if (major !== 1) return unsupported(`pcapng version ${major}.${minor} is not supported (only 1.x)`, at);
    this.ctx.summary.format = "pcapng";
    this.ctx.newSection();
    this.inSection = true;
    this.ifaces = [];
    return { kind: "skip", used: length };
  }

  private iface(buf: Uint8Array, pos: number, length: number, at: number): Step {
    if (length < 20) return corrupt(`interface description block is too short (${length} bytes)`, at);
    const le = this.le;
    const linkType = readU16(buf, pos + 8, le);
    const snaplen = readU32(buf, pos + 12, le);
    let resolution = 6;
    let offsetSec = 0n;
    let name: string | undefined;
    const end = pos + length - 4;
    for (let o = pos + 16; o + 4 <= end; ) {
      const code = readU16(buf, o, le);
      const len = readU16(buf, o + 2, le);
      if (code === 0) break;
      if (o + 4 + len > end) return corrupt(`interface option ${code} overruns its block`, at);
      if (code === 9 && len >= 1) resolution = buf[o + 4]!;
      else if (code === 14 && len >= 8) offsetSec = BigInt.asIntN(64, (BigInt(readU32(buf, le ? o + 8 : o + 4, le)) << 32n) | BigInt(readU32(buf, le ? o + 4 : o + 8, le)));
      else if (code === 2) name = new TextDecoder().decode(buf.subarray(o + 4, o + 4 + len));
      o += 4 + ((len + 3) & ~3);
    }
    const pow2 = (resolution & 0x80) !== 0;
    const exp = resolution & 0x7f;
    const global = this.ctx.addInterface({
      linkType,
      snaplen,
      tsResolution: pow2 ? `2^-${exp}` : `1e-${exp}`,
      ...(name !== undefined ? { name } : {}),
    });
    this.ifaces.push({ global, linkType, snaplen, toNs: timestampConverter(pow2, exp, offsetSec) });
    return { kind: "skip", used: length };
  }

  private enhanced(buf: Uint8Array, pos: number, length: number, at: number): Step {
    if (length < 32) return corrupt(`enhanced packet block is too short (${length} bytes)`, at);
    const le = this.le;
    return this.emit(buf, pos, length, at, readU32(buf, pos + 8, le), readU32(buf, pos + 12, le), readU32(buf, pos + 16, le), 28);
  }

  private obsolete(buf: Uint8Array, pos: number, length: number, at: number): Step {
    if (length < 32) return corrupt(`packet block is too short (${length} bytes)`, at);
    const le = this.le;
    return this.emit(buf, pos, length, at, readU16(buf, pos + 8, le), readU32(buf, pos + 12, le), readU32(buf, pos + 16, le), 28);
  }

  /** EPB and OPB share the tail: captured length, original length, then the frame at `dataAt`. */
  private emit(buf: Uint8Array, pos: number, length: number, at: number, ifaceId: number, hi: number, lo: number, dataAt: number): Step {
    const caplen = readU32(buf, pos + 20, this.le);
    const origlen = readU32(buf, pos + 24, this.le);
    if (caplen > this.ctx.maxPacketBytes) {
      return corrupt(`packet block claims ${sizeText(caplen)} captured, more than the ${sizeText(this.ctx.maxPacketBytes)} limit`, at);
    }
    if (dataAt + caplen > length - 4) return corrupt(`packet block's captured length ${caplen} overruns the block`, at);
    const iface = this.ifaces[ifaceId];
    if (!iface) {
      this.ctx.count("pcapng:unknown-interface");
      return { kind: "skip", used: length };
    }
    const ts = iface.toNs(hi, lo);
    this.lastTs = ts;
    const data = buf.subarray(pos + dataAt, pos + dataAt + caplen);
    return { kind: "packet", used: length, packet: this.ctx.packet(iface.global, iface.linkType, ts, data, origlen, at) };
  }

  private simple(buf: Uint8Array, pos: number, length: number, at: number): Step {
    if (length < 16) return corrupt(`simple packet block is too short (${length} bytes)`, at);
    const iface = this.ifaces[0];
    if (!iface) {
      this.ctx.count("pcapng:unknown-interface");
      return { kind: "skip", used: length };
    }
    const origlen = readU32(buf, pos + 8, this.le);
    // An SPB has no captured-length field: the frame is the original length cut by the snapshot
    // length, and never more than the block holds.
    let caplen = Math.min(origlen, length - 16);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    if (caplen > this.ctx.maxPacketBytes) {
      return corrupt(`simple packet block holds ${sizeText(caplen)}, more than the ${sizeText(this.ctx.maxPacketBytes)} limit`, at);
    }
    const data = buf.subarray(pos + 12, pos + 12 + caplen);
    return { kind: "packet", used: length, packet: this.ctx.packet(iface.global, iface.linkType, this.lastTs, data, origlen, at) };
  }
}

function mismatch(length: number, got: number, at: number): Step {
  return corrupt(`block length ${length} does not match its trailing copy ${got}`, at);
}

const NS_PER_S = 1_000_000_000n;
const TWO32 = 4294967296;

/**
 * Timestamps are 64-bit counts of 10^-exp or 2^-exp seconds. Converting to nanoseconds is exact
 * for 10^-0…10^-9 and truncates finer units; if_tsoffset adds whole seconds.
 */
export function timestampConverter(pow2: boolean, exp: number, offsetSec: bigint): (hi: number, lo: number) => bigint {
  const offset = offsetSec * NS_PER_S;
  const units = (hi: number, lo: number): bigint =>
    // Below 2^53 the number is exact and one BigInt() is cheaper than a shift and an or.
    hi < 0x200000 ? BigInt(hi * TWO32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  if (pow2) {
    const shift = BigInt(exp);
    return (hi, lo) => ((units(hi, lo) * NS_PER_S) >> shift) + offset;
  }
  if (exp <= 9) {
    const mul = 10n ** BigInt(9 - exp);
    return (hi, lo) => units(hi, lo) * mul + offset;
  }
  const div = 10n ** BigInt(exp - 9);
  return (hi, lo) => units(hi, lo) / div + offset;
}

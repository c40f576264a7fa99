/**
 * The replay's reader for plain classic pcap files, the common large case: the file is read in
 * 4 MiB blocks, each block's record headers are parsed into typed arrays (FrameBatch: no object,
 * view or BigInt per packet) and the block goes into engine memory in a few large copies
 * (PacketEngine.feedFrames). The next block is read while the engine works on this one: the read
 * runs on libuv's thread pool, so on a machine with a second core reading and deciding overlap.
 *
 * Faults are reported exactly as the general reader reports them (same message, same offset);
 * test/runtime/replay/pcap-frames.test.ts holds the two readers to that. Anything else — gzip,
 * pcapng, a pipe, a bad file header — returns undefined and takes the general reader.
 */
import { open, type FileHandle } from "node:fs/promises";
import { hex32, sizeText } from "../capture/decode-step.js";
import { locateL3 } from "../capture/link-layer.js";
import { notIpKind } from "../capture/not-ip.js";
import { pcapVariant } from "../capture/pcap.js";
import { DEFAULT_MAX_PACKET_BYTES, LINKTYPE, type CaptureError } from "../capture/types.js";
import type { FrameBatch, PacketEngine, VerdictCounts } from "../packet/engine.js";
import type { CaptureRun } from "./capture-run.js";

const BLOCK = 4 * 1024 * 1024;
const HEADER = 16;
const TWO32 = 4294967296;

/** Arrays for the most frames a block of `block` bytes can hold (every record an empty frame). */
function newBatch(block: number): FrameBatch {
  const n = Math.floor(block / HEADER) + 1;
  return {
    buf: new Uint8Array(0),
    count: 0,
    vlan: new Uint32Array(n),
    at: new Uint32Array(n),
    len: new Uint32Array(n),
    l3: new Int32Array(n),
    wire: new Uint32Array(n),
    tsLo: new Uint32Array(n),
    tsHi: new Uint32Array(n),
  };
}

type Result = Omit<CaptureRun, "file">;

/**
 * Replay `path` if it is a plain classic pcap file; undefined otherwise (nothing was fed).
 * `each` runs after every block (events out, progress, back-pressure).
 */
export async function readPcapFrames(path: string, engine: PacketEngine, counts: VerdictCounts, each: (inputBytes: number, packets: number) => Promise<void>): Promise<Result | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch {
    return undefined;
  }
  try {
    const info = await fh.stat();
    if (!info.isFile() || info.size < 24) return undefined;
    const head = new Uint8Array(24);
    await fh.read(head, 0, 24, 0);
    const variant = pcapVariant(((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0);
    if (!variant || variant.recordHeader !== HEADER) return undefined;
    const le = variant.le;
    const u16 = (b: Uint8Array, at: number) => (le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!);
    if (u16(head, 4) !== 2) return undefined;
    const linkType = (le ? head[20]! | (head[21]! << 8) : (head[22]! << 8) | head[23]!) & 0xffff;
    return await replayFile(fh, info.size, { le, nanos: variant.nanos, linkType }, engine, counts, each);
  } finally {
    await fh.close();
  }
}

interface Layout {
  le: boolean;
  nanos: boolean;
  linkType: number;
}

async function replayFile(fh: FileHandle, size: number, layout: Layout, engine: PacketEngine, counts: VerdictCounts, each: (inputBytes: number, packets: number) => Promise<void>): Promise<Result> {
  const out: Result = { format: "pcap", gzip: false, packets: 0, bytes: 0, notIp: {}, skipped: {} };
  // A small file gets buffers of its own size: replaying many small captures allocates little.
  const block = Math.min(BLOCK, size);
  const batch = newBatch(block);
  let cur = new Uint8Array(block);
  let next = new Uint8Array(block);
  // `cur[0, filled)` holds the file from offset `base` on.
  let base = 24;
  let filled = (await fh.read(cur, 0, block, base)).bytesRead;
  for (;;) {
    const parsed = parse(cur, filled, base, layout, batch, out);
    const used = parsed.used;
    const tail = filled - used;
    const fileEnd = base + filled >= size;
    // Start reading the next block (behind the unparsed tail) before the engine runs.
    next.set(cur.subarray(used, filled), 0);
    const pending = fileEnd || parsed.error ? undefined : fh.read(next, tail, block - tail, base + filled);
    batch.buf = cur;
    engine.feedFrames(batch, counts);
    await each(base + filled, out.packets);
    if (parsed.error) {
      await pending;
      out.error = parsed.error;
      return out;
    }
    const got = pending ? (await pending).bytesRead : 0;
    if (got === 0) {
      if (tail > 0) out.error = truncated(next, tail, base + used, layout);
      return out;
    }
    base += used;
    filled = tail + got;
    [cur, next] = [next, cur];
  }
}

/** Parse whole records from `buf[0, filled)` into `batch`; stops at a partial record or a fault. */
function parse(buf: Uint8Array, filled: number, base: number, layout: Layout, batch: FrameBatch, out: Result): { used: number; error?: CaptureError } {
  const { le, linkType } = layout;
  const fracNs = layout.nanos ? 1 : 1000;
  const view = new DataView(buf.buffer, buf.byteOffset, filled);
  const { at: atA, len: lenA, wire: wireA, tsLo, tsHi, l3: l3A, vlan: vlanA } = batch;
  const eth = linkType === LINKTYPE.ETHERNET;
  let pos = 0;
  let n = 0;
  let bytes = 0;
  let error: CaptureError | undefined;
  while (filled - pos >= HEADER) {
    const caplen = view.getUint32(pos + 8, le);
    if (caplen > DEFAULT_MAX_PACKET_BYTES) {
      error = { kind: "corrupt", message: `packet record claims ${sizeText(caplen)} captured (${hex32(caplen)}), more than the ${sizeText(DEFAULT_MAX_PACKET_BYTES)} limit`, offset: base + pos };
      break;
    }
    if (filled - pos < HEADER + caplen) break;
    const at = pos + HEADER;
    // ns = sec * 1e9 + frac, exactly, as two u32 halves without a BigInt: sec split in 16-bit halves.
    const sec = view.getUint32(pos, le);
    const a = (sec & 0xffff) * 1e9 + view.getUint32(pos + 4, le) * fracNs;
    const b = (sec >>> 16) * 1e9;
    // Floor division by powers of two is exact in doubles, and much cheaper than `%` (fmod).
    const aHi = Math.floor(a / TWO32);
    const bHi = Math.floor(b / 65536);
    let lo = a - aHi * TWO32 + (b - bHi * 65536) * 65536;
    let hi = aHi + bHi;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi += 1;
    }
    atA[n] = at;
    lenA[n] = caplen;
    wireA[n] = view.getUint32(pos + 12, le);
    tsLo[n] = lo;
    tsHi[n] = hi;
    // Plain Ethernet with IPv4/IPv6 (almost every frame) inline; the rest as locateL3 says.
    let l3 = -2;
    if (eth && caplen > 14) {
      const type = view.getUint16(at + 12);
      const v = (buf[at + 14] as number) >> 4;
      if ((type === 0x0800 && v === 4) || (type === 0x86dd && v === 6)) l3 = 14;
    }
    if (l3 === 14) {
      l3A[n] = 14;
      vlanA[n] = 0;
    } else {
      l3A[n] = l3Of(linkType, buf, at, caplen, out, vlanA, n);
    }
    bytes += caplen;
    n++;
    pos = at + caplen;
  }
  batch.count = n;
  out.packets += n;
  out.bytes += bytes;
  return error ? { used: pos, error } : { used: pos };
}

/**
 * Where the IP header starts in the frame at `buf[at, at + len)` (VLAN tags, PPPoE and MPLS walked
 * through, as locateL3 does), its VLAN key into `vlan[n]`; -1 (counted by kind) when none.
 */
function l3Of(linkType: number, buf: Uint8Array, at: number, len: number, out: Result, vlan: Uint32Array, n: number): number {
  const frame = buf.subarray(at, at + len);
  const where = locateL3(linkType, frame);
  const l3 = where.offset;
  vlan[n] = where.vlan ?? 0;
  if (l3 < 0) {
    const kind = notIpKind(linkType, frame);
    out.notIp[kind] = (out.notIp[kind] ?? 0) + 1;
  }
  return l3;
}

/** The file ended inside the record at `offset` (`tail` bytes of it present, at `buf[0..]`). */
function truncated(buf: Uint8Array, tail: number, offset: number, layout: Layout): CaptureError {
  if (tail < HEADER) return { kind: "truncated", message: `truncated packet record header: ${tail} of ${HEADER} bytes present`, offset };
  const caplen = layout.le ? (buf[8]! | (buf[9]! << 8) | (buf[10]! << 16) | (buf[11]! << 24)) >>> 0 : ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  return { kind: "truncated", message: `truncated packet record: ${tail} of ${HEADER + caplen} bytes present`, offset };
}

/**
 * A large real capture for whole-process replay benchmarks: every committed capture fixture
 * (test/fixtures/captures/*.pcap, real loopback sessions of real servers and clients) written again
 * and again, each round with distinct addresses and later times, until the packet count is reached.
 *
 *   npx tsx bench/replay-capture.ts [--packets 1000000] [-o FILE]
 *
 * A round rewrites every IPv4 address a.b.c.d to 10.R1.R2.d and every IPv6 address's bytes 8..13 to
 * R (R: the round number), so no two rounds share a flow, and moves the round's times past the end
 * of the one before. IPv4 header checksums are recomputed; transport checksums are left as captured
 * (loopback captures carry offloaded checksums anyway; neither nvp nor nDPI checks them).
 * Used by bench/replay-process.ts.
 */
import { createWriteStream } from "node:fs";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { LINKTYPE, parseCaptureBuffer, pcapHeader, type CapturePacket } from "../runtime/capture/index.js";

const CAPTURES = join(import.meta.dirname, "../test/fixtures/captures");

/** Every fixture's packets, file after file (sorted by name), times relative to each file's start. */
export function fixturePackets(): { packets: CapturePacket[]; span: bigint } {
  const packets: CapturePacket[] = [];
  let t = 0n;
  for (const f of readdirSync(CAPTURES).filter((n) => n.endsWith(".pcap")).sort()) {
    const c = parseCaptureBuffer(readFileSync(join(CAPTURES, f))).packets;
    const t0 = c[0]?.ts ?? 0n;
    for (const p of c) packets.push({ ...p, ts: p.ts - t0 + t });
    t += (c.at(-1)?.ts ?? t0) - t0 + 1_000_000n;
  }
  return { packets, span: t };
}

/** Rewrite the frame's IP addresses for round `r` in place (see the file comment). */
function readdress(frame: Uint8Array, l3: number, r: number): void {
  if (l3 < 0 || l3 >= frame.length) return;
  const v = frame[l3]! >> 4;
  if (v === 4 && frame.length >= l3 + 20) {
    for (const at of [l3 + 12, l3 + 16]) {
      frame[at] = 10;
      frame[at + 1] = (r >> 8) & 255;
      frame[at + 2] = r & 255;
    }
    const ihl = (frame[l3]! & 15) * 4;
    frame[l3 + 10] = 0;
    frame[l3 + 11] = 0;
    let sum = 0;
    for (let k = 0; k < ihl && l3 + k + 1 < frame.length; k += 2) sum += (frame[l3 + k]! << 8) | frame[l3 + k + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    const c = ~sum & 0xffff;
    frame[l3 + 10] = c >> 8;
    frame[l3 + 11] = c & 255;
  } else if (v === 6 && frame.length >= l3 + 40) {
    for (const at of [l3 + 8, l3 + 24]) {
      frame[at] = 0xfd;
      for (let k = 1; k < 6; k++) frame[at + k] = k === 4 ? (r >> 8) & 255 : k === 5 ? r & 255 : 0;
    }
  }
}

/** Write a capture of at least `want` packets to `file`; returns the packet count. */
export async function writeReplayCapture(file: string, want: number): Promise<number> {
  const { packets, span } = fixturePackets();
  const out = createWriteStream(file);
  out.write(pcapHeader(LINKTYPE.ETHERNET, { nanos: true }));
  const base = 1_760_000_000_000_000_000n;
  let written = 0;
  for (let r = 0; written < want; r++) {
    const chunk = new Uint8Array(packets.reduce((n, p) => n + 16 + p.data.length, 0));
    const view = new DataView(chunk.buffer);
    let at = 0;
    for (const p of packets) {
      const ts = base + BigInt(r) * (span + 1_000_000_000n) + p.ts;
      view.setUint32(at, Number(ts / 1_000_000_000n), true);
      view.setUint32(at + 4, Number(ts % 1_000_000_000n), true);
      view.setUint32(at + 8, p.data.length, true);
      view.setUint32(at + 12, p.originalLength, true);
      chunk.set(p.data, at + 16);
      readdress(chunk.subarray(at + 16, at + 16 + p.data.length), p.l3Offset, r);
      at += 16 + p.data.length;
    }
    written += packets.length;
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return written;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  if (process.argv.includes("--help")) {
    console.log("usage: npx tsx bench/replay-capture.ts [--packets N] [-o FILE]   (default 1000000, /tmp/nvp-replay-big.pcap)");
    process.exit(0);
  }
  const file = arg("-o") ?? "/tmp/nvp-replay-big.pcap";
  const n = await writeReplayCapture(file, Number(arg("--packets") ?? 1_000_000));
  console.log(`wrote ${file}: ${n.toLocaleString("en")} packets`);
}

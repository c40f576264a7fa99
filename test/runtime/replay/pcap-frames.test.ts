/**
 * The replay's pcap frame reader against the general capture reader: the same frames (bytes, IP
 * header offset, wire length, time to the nanosecond), the same summary, and the same fault with
 * the same message and offset, on every fixture and on cut and corrupted copies; and whole replays
 * through both readers agree on every figure.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkSources, compileModule } from "../../../compiler/pipeline.js";
import { readCapture } from "../../../runtime/capture/index.js";
import { loadModule } from "../../../runtime/index.js";
import { emptyCounts, PacketEngine, type FrameBatch } from "../../../runtime/packets.js";
import { Replay } from "../../../runtime/replay/driver.js";
import { readPcapFrames } from "../../../runtime/replay/pcap-frames.js";
import { writePcap, LINKTYPE } from "../../../runtime/capture/index.js";

const caps = join(import.meta.dirname, "../../fixtures/captures");
const threats = join(import.meta.dirname, "../../fixtures/threats");
const wild = join(import.meta.dirname, "../../fixtures/wild");
const dir = mkdtempSync(join(tmpdir(), "nvp-frames-"));

/** A frame as one comparable line: time, IP header offset, wire length, VLAN key, bytes' digest. */
const frame = (ts: bigint, data: Uint8Array, l3: number, wire: number, vlan: number) => `${ts} ${l3} ${wire} ${vlan} ${data.length} ${createHash("sha1").update(data).digest("hex")}`;

/** What feedFrames would be given, frame by frame. */
async function viaFrames(path: string) {
  const frames: string[] = [];
  const engine = {
    feedFrames(b: FrameBatch) {
      for (let k = 0; k < b.count; k++) {
        const at = b.at[k]!;
        frames.push(frame((BigInt(b.tsHi[k]!) << 32n) | BigInt(b.tsLo[k]!), b.buf.subarray(at, at + b.len[k]!), b.l3[k]!, b.wire[k]!, b.vlan[k]!));
      }
    },
  } as unknown as PacketEngine;
  const r = await readPcapFrames(path, engine, emptyCounts(), async () => {});
  return r && { frames, packets: r.packets, bytes: r.bytes, notIp: r.notIp, error: r.error };
}

async function viaReader(path: string) {
  const frames: string[] = [];
  const reader = readCapture(path);
  for await (const p of reader) frames.push(frame(p.ts, p.data, p.l3Offset, p.originalLength, p.l3Offset >= 0 ? (p.vlan ?? 0) : 0));
  const s = reader.summary;
  return { frames, packets: s.packets, bytes: s.bytes, notIp: s.notIpKinds, error: s.error };
}

function variants(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const f of readdirSync(caps).filter((n) => n.endsWith(".pcap")).sort()) out.push([f, readFileSync(join(caps, f))]);
  // Other link types, VLANs, PPPoE, MPLS and tunnels, from the wild corpus.
  for (const f of readdirSync(wild).filter((n) => n.endsWith(".pcap")).sort()) out.push([`wild-${f}`, readFileSync(join(wild, f))]);
  const pg = readFileSync(join(caps, "postgresql.pcap"));
  for (const cut of [1, 7, 15, 16, 17, 60, 200]) out.push([`cut-${cut}`, pg.subarray(0, pg.length - cut)]);
  out.push(["header-only", pg.subarray(0, 24)]);
  const corrupt = Uint8Array.from(pg);
  // The third record's caplen: far past the limit.
  const third = 24 + 16 + new DataView(pg.buffer, pg.byteOffset).getUint32(24 + 8, true);
  const thirdLen = new DataView(pg.buffer, pg.byteOffset).getUint32(third + 8, true);
  new DataView(corrupt.buffer).setUint32(third + 16 + thirdLen + 8, 0x7fffffff, true);
  out.push(["corrupt-caplen", corrupt]);
  // Big-endian, nanosecond and microsecond files with times past 2^32 seconds' worth of ns.
  const frames = [0, 1, 2].map((i) => ({ data: Uint8Array.from({ length: 60 + i }, (_, k) => (k * 7 + i) & 255), ts: 4_294_967_000_123_456_789n + BigInt(i) * 1_000_000_007n }));
  out.push(["be-ns", writePcap(frames, LINKTYPE.ETHERNET, { bigEndian: true, nanos: true })]);
  out.push(["le-us", writePcap(frames, LINKTYPE.RAW)]);
  // Larger than two 4 MiB blocks: records cross block boundaries; then cut inside the last record.
  const all = readdirSync(caps).filter((n) => n.endsWith(".pcap")).sort().map((f) => readFileSync(join(caps, f)).subarray(24));
  const big = Buffer.concat([pg.subarray(0, 24), ...Array.from({ length: 48 }, () => all).flat()]);
  out.push(["big", big], ["big-cut", big.subarray(0, big.length - 5)]);
  return out;
}

describe("replay pcap frame reader", () => {
  test("gives exactly what the general reader gives, faults included", async () => {
    for (const [name, bytes] of variants()) {
      const path = join(dir, `${name}.pcap`);
      writeFileSync(path, bytes);
      const fast = await viaFrames(path);
      expect(fast, name).toBeDefined();
      expect(fast, name).toEqual(await viaReader(path));
    }
  });

  test("leaves gzip, pcapng and short files to the general reader", async () => {
    for (const f of readdirSync(threats).filter((n) => n.endsWith(".pcapng") || n.endsWith(".gz"))) expect(await viaFrames(join(threats, f))).toBeUndefined();
    writeFileSync(join(dir, "short.pcap"), new Uint8Array(10));
    expect(await viaFrames(join(dir, "short.pcap"))).toBeUndefined();
  });

  test("a replay through either reader has the same figures", async () => {
    const r = checkSources({ "p.nvp": "policy p\nservice db = nv.db.data { mode protect }\nrule 10 allow any -> any app postgresql, dns\nrule 20 deny any -> any app redis\n" }, ["p.nvp"]);
    const module = loadModule(compileModule(r.model!).bytes);
    const files = [caps, wild].flatMap((d) => readdirSync(d).filter((n) => n.endsWith(".pcap") || n.endsWith(".pcapng")).sort().map((f) => join(d, f)));
    const figures = async (general: boolean) => {
      const inventory = { workloads: [{ name: "db-0", namespace: "data", service: "db", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["127.0.0.1", "::1"] }], nodes: [], internalSubnets: [], serviceExternalIps: [] };
      const replay = new Replay(new PacketEngine(module, { inventory, settings: { batchPackets: 64 } }));
      for (const f of files) await replay.capture(f, f, { general });
      await replay.finish();
      return { counts: replay.counts, tally: replay.tally.summary(), stats: replay.engine.stats() };
    };
    const general = await figures(true);
    expect(general.counts.deny).toBeGreaterThan(0);
    expect(await figures(false)).toEqual(general);
  });
});

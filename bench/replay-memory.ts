/**
 * Replay in constant memory: peak RSS of the whole `nvp replay` process on captures of 10⁵, 10⁶
 * and 10⁷ generated flows (one SYN each, every flow its own client address, so the flow table
 * fills and flows are evicted and reported as they go), with and without --flows/--events files
 * (written by the writer thread, --output-thread on, whatever the capture's size).
 * The target is a flat line below 300 MB. The flows file of 10⁷ flows is about 4 GB; it is written
 * to a temporary directory and removed.
 *
 *   npm run build && npx tsx bench/replay-memory.ts [--max 10000000]
 *
 * Figures: docs/performance.md "Replay memory".
 */
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import { join } from "node:path";
import { LINKTYPE, pcapHeader } from "../runtime/capture/index.js";
import { machine, NVP, timed } from "./replay-run.js";

const i = process.argv.indexOf("--max");
const max = i > 0 ? Number(process.argv[i + 1]) : 10_000_000;
if (process.argv.includes("--help")) {
  console.log("usage: npx tsx bench/replay-memory.ts [--max FLOWS]   (npm run build first; default 10000000)");
  process.exit(0);
}
const work = mkdtempSync(join(os.tmpdir(), "nvp-replay-memory-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

/** A SYN from 10.x.y.z (flow i's own address) to 172.16.0.80:80, as an Ethernet pcap record. */
const RECORD = 16 + 14 + 20 + 20;
function template(): Uint8Array {
  const r = new Uint8Array(RECORD);
  const v = new DataView(r.buffer);
  v.setUint32(8, RECORD - 16, true);
  v.setUint32(12, RECORD - 16, true);
  r.set([0x08, 0x00], 16 + 12);
  const ip = 16 + 14;
  r.set([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 0, 172, 16, 0, 80], ip);
  const tcp = ip + 20;
  v.setUint16(tcp, 40000);
  v.setUint16(tcp + 2, 80);
  v.setUint32(tcp + 4, 1);
  r[tcp + 12] = 0x50;
  r[tcp + 13] = 0x02;
  v.setUint16(tcp + 14, 65535);
  return r;
}

async function synCapture(file: string, flows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(pcapHeader(LINKTYPE.ETHERNET, { snaplen: 65535 }));
  const t = template();
  const per = 65536;
  for (let at = 0; at < flows; at += per) {
    const n = Math.min(per, flows - at);
    const buf = new Uint8Array(n * RECORD);
    const v = new DataView(buf.buffer);
    for (let k = 0; k < n; k++) {
      const f = at + k;
      const o = k * RECORD;
      buf.set(t, o);
      const us = f * 10;
      v.setUint32(o, 1_760_000_000 + Math.floor(us / 1e6), true);
      v.setUint32(o + 4, us % 1e6, true);
      buf[o + 16 + 14 + 13] = (f >> 16) & 255;
      buf[o + 16 + 14 + 14] = (f >> 8) & 255;
      buf[o + 16 + 14 + 15] = f & 255;
    }
    if (!out.write(buf)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

const policy = join(work, "allow-all.nvp");
writeFileSync(policy, "policy allowall\nrule 10 allow any -> any\n");
console.log(`nvp replay memory — ${machine()}`);
console.log("");
console.log("| flows | capture | peak RSS, summary only | peak RSS, --flows and --events | wall (with files) | flow records written |");
console.log("|---:|---:|---:|---:|---:|---:|");
for (let flows = 100_000; flows <= max; flows *= 10) {
  const file = join(work, `syn-${flows}.pcap`);
  await synCapture(file, flows);
  const plain = timed(process.execPath, [NVP, "replay", "--policy", policy, file, "--format", "json"]);
  const flowsFile = join(work, "flows.ndjson");
  const withFiles = timed(process.execPath, [NVP, "replay", "--policy", policy, file, "--flows", flowsFile, "--events", join(work, "events.ndjson"), "--output-thread", "on", "--format", "json"]);
  if (plain.status !== 0 || withFiles.status !== 0) throw new Error(`replay exited ${plain.status}/${withFiles.status}`);
  const s = JSON.parse(withFiles.stdout);
  rmSync(file);
  rmSync(flowsFile, { force: true });
  console.log(`| ${flows.toLocaleString("en")} | ${((flows * RECORD) / 1e6).toFixed(0)} MB | ${plain.rssMb.toFixed(0)} MB | ${withFiles.rssMb.toFixed(0)} MB | ${withFiles.wall.toFixed(1)} s | ${s.flows.toLocaleString("en")} |`);
}

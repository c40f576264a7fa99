/**
 * `nvp replay` as a user runs it, against `ndpiReader -i` on the same file: whole processes
 * (start-up, policy compile, reading, decoding, flow table, DPI, threats, summary), in turns,
 * rotating the order every round, on a ≥1M-packet capture made from the committed real fixtures
 * (bench/replay-capture.ts). Rows: nvp alone (compiling the policy, and with a compiled
 * --module), nvp writing --flows and --events (with the writer thread, the default for a capture
 * this size, and without it, --output-thread off), nDPI; the median wall time, CPU time and peak
 * RSS of each, and the per-round ratios nDPI/nvp.
 *
 *   npm run build && npx tsx bench/replay-process.ts [--rounds 5] [--packets 1000000] [--file F]
 *
 * Figures: docs/performance.md "Replay, whole process".
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { writeReplayCapture } from "./replay-capture.js";
import { benchArg as arg, machine, median, ndpiReader, NVP, timed, type ProcessRun } from "./replay-run.js";

if (process.argv.includes("--help")) {
  console.log("usage: npx tsx bench/replay-process.ts [--rounds N] [--packets N] [--file CAPTURE]   (npm run build first)");
  process.exit(0);
}
const rounds = Number(arg("--rounds", "5"));
const want = Number(arg("--packets", "1000000"));
const file = arg("--file", join(os.tmpdir(), `nvp-replay-${want}.pcap`));
const work = mkdtempSync(join(os.tmpdir(), "nvp-replay-process-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

if (!existsSync(file)) console.log(`wrote ${file}: ${(await writeReplayCapture(file, want)).toLocaleString("en")} packets`);
const policy = join(work, "allow-all.nvp");
writeFileSync(policy, "policy allowall\nrule 10 allow any -> any\n");
const module = join(work, "allow-all.wasm");
if (timed(process.execPath, [NVP, "compile", policy, "-o", module]).status !== 0) throw new Error("nvp compile failed");
const ndpi = ndpiReader();

interface Contender {
  name: string;
  cmd: string;
  args: string[];
}
const contenders: Contender[] = [
  { name: "nvp replay --policy allow-all.nvp", cmd: process.execPath, args: [NVP, "replay", "--policy", policy, file, "--format", "json"] },
  { name: "nvp replay --module allow-all.wasm", cmd: process.execPath, args: [NVP, "replay", "--module", module, file, "--format", "json"] },
  { name: "nvp replay … --flows F --events F", cmd: process.execPath, args: [NVP, "replay", "--policy", policy, file, "--flows", join(work, "flows.ndjson"), "--events", join(work, "events.ndjson"), "--format", "json"] },
  {
    name: "nvp replay … --flows F --events F --output-thread off",
    cmd: process.execPath,
    args: [NVP, "replay", "--policy", policy, file, "--flows", join(work, "flows.ndjson"), "--events", join(work, "events.ndjson"), "--output-thread", "off", "--format", "json"],
  },
];
if (ndpi) contenders.push({ name: "ndpiReader -i", cmd: ndpi, args: ["-i", file] });

console.log(`nvp replay, whole process — ${machine()}`);
const runs = new Map<string, ProcessRun[]>(contenders.map((c) => [c.name, []]));
let packets = 0;
for (let r = 0; r < rounds; r++) {
  // Rotate who goes first, so that no one always runs on a cold or a warm cache.
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length] as Contender);
  for (const c of order) {
    const run = timed(c.cmd, c.args);
    if (c.cmd === process.execPath) {
      if (run.status !== 0) throw new Error(`${c.name} exited ${run.status}`);
      packets = JSON.parse(run.stdout).packets;
    }
    runs.get(c.name)?.push(run);
  }
  console.log(`round ${r + 1}: ${contenders.map((c, i) => `#${i + 1} ${runs.get(c.name)?.at(-1)?.wall.toFixed(2)} s`).join(", ")}`);
}

console.log("");
console.log(`${file}: ${packets.toLocaleString("en")} packets, ${rounds} rounds in turns; at the end: ${machine()}`);
console.log("");
console.log("| process | wall (median) | CPU user+sys (median) | peak RSS (median) | nDPI wall / this wall, per round | median | nDPI CPU / this CPU (median) |");
console.log("|---|---:|---:|---:|---|---:|---:|");
const nd = ndpi ? (runs.get("ndpiReader -i") as ProcessRun[]) : undefined;
for (const c of contenders) {
  const rs = runs.get(c.name) as ProcessRun[];
  const ratios = nd && c.cmd !== ndpi ? rs.map((x, i) => (nd[i] as ProcessRun).wall / x.wall) : [];
  const ratioText = ratios.length ? ratios.map((x) => x.toFixed(2)).join(", ") : "—";
  const med = ratios.length ? `${median(ratios).toFixed(2)}×` : "—";
  const cpu = nd && c.cmd !== ndpi ? `${median(rs.map((x, i) => (nd[i] as ProcessRun).cpu / x.cpu)).toFixed(2)}×` : "—";
  console.log(`| \`${c.name}\` | ${median(rs.map((x) => x.wall)).toFixed(2)} s | ${median(rs.map((x) => x.cpu)).toFixed(2)} s | ${median(rs.map((x) => x.rssMb)).toFixed(0)} MB | ${ratioText} | ${med} | ${cpu} |`);
}
if (!ndpi) console.log("ndpiReader: not installed and not installable (apt-get install -y libndpi-bin)");

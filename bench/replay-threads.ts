/**
 * Where `nvp replay`'s CPU time goes by thread: the main thread (start-up, reading, the engine,
 * the summary — the critical path: on a machine with a core to spare the wall time follows it)
 * and every other thread together (the NDJSON writer thread, V8's compiler and GC helpers,
 * libuv's file I/O). Read from /proc/PID/task/TID/stat while the process runs, so the figures are
 * CPU seconds, which a busy machine changes much less than it changes wall times.
 *
 *   npm run build && npx tsx bench/replay-threads.ts [--rounds 5] [--file CAPTURE]
 *
 * Figures: docs/performance.md "Replay, whole process".
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { writeReplayCapture } from "./replay-capture.js";
import { benchArg as arg, machine, median, NVP } from "./replay-run.js";

if (process.argv.includes("--help")) {
  console.log("usage: npx tsx bench/replay-threads.ts [--rounds N] [--file CAPTURE]   (npm run build first; Linux)");
  process.exit(0);
}
const rounds = Number(arg("--rounds", "5"));
const file = arg("--file", join(os.tmpdir(), "nvp-replay-1000000.pcap"));
const work = mkdtempSync(join(os.tmpdir(), "nvp-replay-threads-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
if (!existsSync(file)) await writeReplayCapture(file, 1_000_000);
const policy = join(work, "allow-all.nvp");
writeFileSync(policy, "policy allowall\nrule 10 allow any -> any\n");
const TICK = 100; // USER_HZ on Linux

/** Run one process to its end; CPU seconds of its main thread and of all its other threads. */
function threads(args: string[]): Promise<{ main: number; others: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NVP, ...args], { stdio: "ignore" });
    const last = new Map<string, number>();
    const poll = () => {
      try {
        for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
          const s = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, "utf8");
          const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
          last.set(tid, (Number(f[11]) + Number(f[12])) / TICK);
        }
      } catch {
        // The process or a thread ended between listing and reading.
      }
    };
    const timer = setInterval(poll, 5);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`nvp replay exited ${code}`));
      const main = last.get(String(child.pid)) ?? NaN;
      resolve({ main, others: [...last.values()].reduce((a, b) => a + b, 0) - main });
    });
  });
}

const files = ["--flows", join(work, "flows.ndjson"), "--events", join(work, "events.ndjson")];
const variants: [string, string[]][] = [
  ["no output files", []],
  ["--flows --events, writer thread", [...files, "--output-thread", "on"]],
  ["--flows --events, in the main thread", [...files, "--output-thread", "off"]],
];
console.log(`nvp replay, CPU by thread — ${machine()}`);
const got = new Map<string, { main: number; others: number }[]>(variants.map(([n]) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < variants.length; k++) {
    const [name, extra] = variants[(k + r) % variants.length] as [string, string[]];
    got.get(name)?.push(await threads(["replay", "--policy", policy, file, "--format", "json", ...extra]));
  }
}
console.log(`\n${file}, ${rounds} rounds in turns; at the end: ${machine()}\n`);
console.log("| replay | main thread CPU (median) | other threads CPU (median) | main thread, per round |");
console.log("|---|---:|---:|---|");
for (const [name] of variants) {
  const xs = got.get(name) ?? [];
  console.log(`| ${name} | ${median(xs.map((x) => x.main)).toFixed(2)} s | ${median(xs.map((x) => x.others)).toFixed(2)} s | ${xs.map((x) => x.main.toFixed(2)).join(", ")} |`);
}

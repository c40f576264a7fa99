/**
 * Whole-process runs for the replay benchmarks: a command under /usr/bin/time, giving wall time,
 * CPU time (user + system) and peak RSS; medians and the machine line. Used by
 * bench/replay-process.ts and bench/replay-memory.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

export interface ProcessRun {
  /** Seconds. */
  wall: number;
  cpu: number;
  /** Peak resident set, MB. */
  rssMb: number;
  status: number;
  stdout: string;
}

const scratch = mkdtempSync(join(os.tmpdir(), "nvp-bench-run-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/** Run `cmd args` to completion under /usr/bin/time. */
export function timed(cmd: string, args: string[]): ProcessRun {
  const out = join(scratch, "time.txt");
  const r = spawnSync("/usr/bin/time", ["-o", out, "-f", "%e %U %S %M", cmd, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  const line = readFileSync(out, "utf8").trim().split("\n").at(-1) ?? "";
  const [e, u, s, m] = line.split(" ").map(Number);
  return { wall: e ?? NaN, cpu: (u ?? NaN) + (s ?? NaN), rssMb: (m ?? NaN) / 1024, status: r.status ?? -1, stdout: r.stdout };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "cpu"} ×${cpus.length}, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
}

/** ndpiReader, installed from Debian (libndpi-bin) when missing; undefined when it cannot be. */
export function ndpiReader(): string | undefined {
  const have = () => spawnSync("ndpiReader", ["-h"], { stdio: "ignore" }).error === undefined;
  if (have()) return "ndpiReader";
  spawnSync("apt-get", ["install", "-y", "libndpi-bin"], { stdio: "ignore" });
  return have() ? "ndpiReader" : undefined;
}

/** The repository's CLI, built (dist/), run by plain node as a user runs it. */
export const NVP = join(import.meta.dirname, "../bin/nvp.js");

/** The value after `--name` on the command line, or `fallback`. */
export function benchArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

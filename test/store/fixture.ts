/**
 * Test data for the store, report and explorer tests: the generated cluster capture
 * (bench/cluster-sim.ts) replayed through examples/report's policy by `nvp replay --store`, plus
 * the same run's NDJSON. Built once per test file into a temp folder.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterCapture } from "../../bench/cluster-sim.js";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";

export const root = join(import.meta.dirname, "../..");
export const POLICY = join(root, "examples/report/cluster.nvp");
export const INVENTORY = join(root, "examples/report/inventory.yaml");

export async function nvp(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

export interface Fixture {
  dir: string;
  capture: string;
  store: string;
  events: string;
  flows: string;
  module: string;
}

/** A temp folder with cluster.pcap (`flows` flows), its replay in store.duckdb and as NDJSON, and cluster.wasm. */
export async function clusterFixture(flows = 400): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "nvp-store-"));
  const f: Fixture = { dir, capture: join(dir, "cluster.pcap"), store: join(dir, "store.duckdb"), events: join(dir, "events.ndjson"), flows: join(dir, "flows.ndjson"), module: join(dir, "cluster.wasm") };
  writeFileSync(f.capture, clusterCapture(flows));
  const c = await nvp(["compile", POLICY, "-o", f.module], dir);
  if (c.code !== 0) throw new Error(c.err);
  const r = await nvp(["replay", "--module", f.module, "--inventory", INVENTORY, f.capture, "--store", f.store, "--events", f.events, "--flows", f.flows], dir);
  if (r.code !== 0 && r.code !== 3) throw new Error(r.err);
  return f;
}

/**
 * The store as a sink for a replay's records: the events a PacketEngine produced are written as
 * NDJSON to a private temp folder, one file per capture, and ingested in one transaction (the same
 * path as `nvp ingest`, so both store exactly the same rows).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PacketEvent } from "../packet/events.js";
import { ingestRun, type IngestResult, type RunContext, type RunInfo } from "./ingest.js";
import type { FlowStore } from "./store.js";

export interface ReplayedCapture {
  capture: string;
  packets: number;
  bytes: number;
  error?: string;
  /** The engine's `flows.created` after this capture: flow ids up to it began in it. */
  flowMark: number;
  /** How many events had been collected after this capture (for events of no flow, id 0). */
  eventMark: number;
}

/** Which capture each event belongs to: by flow id (ids count up across the engine's life), else by position. */
export function captureIndexes(events: readonly PacketEvent[], captures: readonly ReplayedCapture[]): number[] {
  const last = captures.length - 1;
  return events.map((e, i) => {
    const k = e.flow > 0 ? captures.findIndex((c) => e.flow <= c.flowMark) : captures.findIndex((c) => i < c.eventMark);
    return k < 0 ? last : k;
  });
}

export async function storeReplay(store: FlowStore, run: RunInfo, captures: readonly ReplayedCapture[], events: readonly PacketEvent[], ctx: RunContext): Promise<IngestResult> {
  const dir = mkdtempSync(join(tmpdir(), "nvp-store-"));
  try {
    const which = captureIndexes(events, captures);
    const lines: string[][] = captures.map(() => []);
    events.forEach((e, i) => lines[which[i]!]!.push(JSON.stringify(e)));
    const inputs = captures.map((c, k) => {
      const file = join(dir, `capture-${k}.ndjson`);
      writeFileSync(file, lines[k]!.join("\n") + "\n");
      return { capture: c.capture, files: [file], packets: c.packets, bytes: c.bytes, ...(c.error ? { error: c.error } : {}) };
    });
    return await ingestRun(store, run, inputs, ctx);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

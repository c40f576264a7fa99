/**
 * Writing one run into the flow store: NDJSON event and flow files (as `nvp replay --events/--flows`
 * writes them) are read by DuckDB itself (read_json, columnar, no JSON.parse per line in JS), checked,
 * and split into flows, events and threats, with the run's policy metadata, inventory and DNS
 * resolutions beside them. One transaction per run: a bad file leaves the store as it was.
 */
import type { ModuleMeta } from "../../common/abi-meta.js";
import type { Inventory } from "../../common/schema.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fillGeo } from "./geo.js";
import { ingestSource } from "./ingest-source.js";
import { convertNeuVector, isNeuVectorFile } from "./neuvector-read.js";
import type { NvPods } from "./neuvector-map.js";
import { FLOW_SEARCH_SELECT, FLOW_SELECT, NDJSON_COLUMNS } from "./schema.js";
import { firstLine, STORE_CODES, StoreError, type FlowStore, type Param } from "./store.js";

export interface RunInfo {
  kind: "replay" | "ingest";
  policy?: string;
  moduleHash?: string;
  nvpVersion?: string;
  note?: string;
}

/** One capture of a run: its NDJSON files (any mix of event types) and, for replays, its counts. */
export interface CaptureInput {
  capture: string;
  files: string[];
  /** How the files are read: nvp's event NDJSON, NeuVector's exported security events, or (absent) told apart by their first line. */
  format?: "nvp" | "neuvector";
  packets?: number;
  bytes?: number;
  error?: string;
}

/**
 * A replay's captures, when its records are in shared files: flow ids count up over the engine's
 * life, so capture k holds the flows with ids up to its `lastFlow` (the engine's `flows.created`
 * after it). Records of no flow (id 0) go to the first capture.
 */
export interface ReplayCapture {
  capture: string;
  lastFlow: number;
  packets: number;
  bytes: number;
  error?: string;
}

/** What the run knew besides its records: the policy, the inventory, DNS resolutions (name → IPs). */
export interface RunContext {
  meta?: ModuleMeta;
  inventory?: Inventory;
  dns?: ReadonlyMap<string, readonly string[]>;
}

export interface IngestResult {
  runId: number;
  flows: number;
  events: number;
  threats: number;
  /** NeuVector files: the records read but not stored (incidents, other notifications, lines of other logs). */
  skipped?: { incidents: number; other: number; lines: number };
}

type Counts = { flows: number; events: number; threats: number };

const EVENT_TYPES = ["violation", "deny", "learn", "reset", "flow-end", "threat"];

/** What is wrong with a staged record, or NULL. */
const PROBLEM = `CASE WHEN type IS NULL THEN 'has no \`type\`'
  WHEN type NOT IN (${EVENT_TYPES.map((t) => `'${t}'`).join(", ")}) THEN 'has an unknown \`type\`'
  WHEN src.ip IS NULL OR dst.ip IS NULL THEN 'has no \`src.ip\` or \`dst.ip\`'
  WHEN len(packets) <> 2 OR len(bytes) <> 2 THEN 'needs \`packets\` and \`bytes\` as [out, in] pairs'
  WHEN TRY_CAST(first AS TIMESTAMP_NS) IS NULL OR TRY_CAST(last AS TIMESTAMP_NS) IS NULL THEN 'needs RFC 3339 \`first\` and \`last\` times'
  WHEN time IS NOT NULL AND TRY_CAST(time AS TIMESTAMP_NS) IS NULL THEN 'has a \`time\` that is not RFC 3339'
  END`;

export async function ingestRun(store: FlowStore, run: RunInfo, captures: readonly CaptureInput[], ctx: RunContext = {}): Promise<IngestResult> {
  return store.transaction(async () => {
    const runId = await newRun(store, run, ctx);
    const total: IngestResult = { runId, flows: 0, events: 0, threats: 0 };
    const nvPods: NvPods = new Map();
    for (const c of captures) {
      const counts = { flows: 0, events: 0, threats: 0 };
      const capture = { sql: "$capture", params: { capture: c.capture } };
      for (const file of c.files) {
        const src = await ingestSource(file);
        try {
          if (c.format === "neuvector" || (c.format === undefined && isNeuVectorFile(src.path))) add(counts, await loadNeuVector(store, runId, capture, src.path, total, nvPods));
          else add(counts, await loadFile(store, runId, capture, src.path));
        } catch (e) {
          // Errors name the user's path, not the temporary copy of a streamed input.
          if (src.path !== file && e instanceof Error) e.message = e.message.split(src.path).join(file);
          throw e;
        } finally {
          src.done();
        }
      }
      await store.run("INSERT INTO captures VALUES ($1, $2, $3, $4, $5, $6, $7)", [runId, c.capture, c.packets ?? null, c.bytes ?? null, counts.flows, counts.events + counts.threats, c.error ?? null]);
      add(total, counts);
    }
    await writeContext(store, runId, ctx);
    await writeNvPods(store, runId, nvPods, ctx);
    await fillGeo(store, runId);
    await store.run("DROP TABLE IF EXISTS temp.s");
    return total;
  });
}

/** One replay's NDJSON files, split into its captures by flow id (one transaction, as ingestRun). */
export async function ingestReplay(store: FlowStore, run: RunInfo, files: readonly string[], captures: readonly ReplayCapture[], ctx: RunContext = {}): Promise<IngestResult> {
  return store.transaction(async () => {
    const runId = await newRun(store, run, ctx);
    const total: IngestResult = { runId, flows: 0, events: 0, threats: 0 };
    const params: Record<string, Param> = {};
    const arms = captures.map((c, k) => {
      params[`c${k}`] = c.capture;
      params[`m${k}`] = c.lastFlow;
      return `WHEN flow <= $m${k} THEN $c${k}`;
    });
    const expr = { sql: captures.length ? `CASE ${arms.join(" ")} ELSE $c${captures.length - 1} END` : "'none'", params };
    for (const file of files) add(total, await loadFile(store, runId, expr, file));
    for (const c of captures) {
      const n = await store.query(
        `SELECT (SELECT count(*) FROM flows WHERE run_id = $1 AND capture = $2) AS flows,
           (SELECT count(*) FROM events WHERE run_id = $1 AND capture = $2) + (SELECT count(*) FROM threats WHERE run_id = $1 AND capture = $2) AS events`,
        [runId, c.capture],
      );
      await store.run("INSERT INTO captures VALUES ($1, $2, $3, $4, $5, $6, $7)", [runId, c.capture, c.packets, c.bytes, n[0]!["flows"] as number, n[0]!["events"] as number, c.error ?? null]);
    }
    await writeContext(store, runId, ctx);
    await fillGeo(store, runId);
    await store.run("DROP TABLE IF EXISTS temp.s");
    return total;
  });
}

function add(to: Counts, n: Counts): void {
  to.flows += n.flows;
  to.events += n.events;
  to.threats += n.threats;
}

async function newRun(store: FlowStore, run: RunInfo, ctx: RunContext): Promise<number> {
  const next = await store.query("SELECT coalesce(max(run_id), 0) + 1 AS id FROM runs");
  const runId = Number(next[0]!["id"]);
  await store.run("INSERT INTO runs VALUES ($1, now()::TIMESTAMP, $2, $3, $4, $5, $6)", [runId, run.kind, run.policy ?? ctx.meta?.policy ?? null, run.moduleHash ?? ctx.meta?.hash ?? null, run.nvpVersion ?? null, run.note ?? null]);
  return runId;
}

/** Stage `file`, check it, and insert its rows; `capture` is the SQL (with its parameters) naming each row's capture. */
type CaptureSql = { sql: string; params: Record<string, Param> };

async function loadFile(store: FlowStore, runId: number, capture: CaptureSql, file: string): Promise<Counts> {
  try {
    await stage(store, file);
  } catch (e) {
    throw new StoreError(STORE_CODES.input, `\`${file}\`: ${firstLine(e)}`, "give NDJSON event or flow files as `nvp replay --events/--flows` writes them (docs/formats.md)");
  }
  // One cheap scan for any bad record; record numbers (file order is kept) only when there is one.
  if ((await store.query(`SELECT 1 FROM s WHERE ${PROBLEM} IS NOT NULL LIMIT 1`)).length) {
    const bad = (await store.query(`SELECT n, type, problem FROM (SELECT row_number() OVER () AS n, type, ${PROBLEM} AS problem FROM s) WHERE problem IS NOT NULL ORDER BY n LIMIT 1`))[0]!;
    throw new StoreError(STORE_CODES.shape, `\`${file}\`: record ${String(bad["n"])} ${String(bad["problem"])}${bad["type"] ? ` (type \`${String(bad["type"])}\`)` : ""}`, "every record needs type, src.ip, dst.ip, packets, bytes, first and last (docs/formats.md, Event NDJSON)");
  }
  return insertStaged(store, runId, capture);
}

const stage = (store: FlowStore, file: string) =>
  store.run(`CREATE OR REPLACE TEMP TABLE s AS SELECT * FROM read_json($file, format = 'newline_delimited', columns = ${NDJSON_COLUMNS})`, { file });

/** The staged records `s` into flows, events and threats. */
async function insertStaged(store: FlowStore, runId: number, capture: CaptureSql): Promise<Counts> {
  const params = { run: runId, ...capture.params };
  const count = async (where: string) => Number((await store.query(`SELECT count(*) AS n FROM s WHERE ${where}`))[0]!["n"]);
  await store.run(`INSERT INTO flows SELECT ${FLOW_SELECT(capture.sql)}, "end", ${FLOW_SEARCH_SELECT(capture.sql)} FROM s WHERE type = 'flow-end'`, params);
  await store.run(`INSERT INTO events SELECT type, CAST(time AS TIMESTAMP_NS), ${FLOW_SELECT(capture.sql)}, awaiting, xff.ip, xff.rule, xff.action FROM s WHERE type NOT IN ('flow-end', 'threat')`, params);
  await store.run(`INSERT INTO threats SELECT CAST(time AS TIMESTAMP_NS), threat, id, slug, severity, evidence, ${FLOW_SELECT(capture.sql)} FROM s WHERE type = 'threat'`, params);
  return { flows: await count("type = 'flow-end'"), events: await count("type NOT IN ('flow-end', 'threat')"), threats: await count("type = 'threat'") };
}

/**
 * A file of NeuVector's security events (neuvector-read.ts): mapped to event lines in a temp file,
 * which is staged and inserted as nvp's own. Skipped records are added to `total.skipped`.
 */
async function loadNeuVector(store: FlowStore, runId: number, capture: CaptureSql, file: string, total: IngestResult, pods: NvPods): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), "nvp-nv-"));
  try {
    const lines = join(dir, "events.ndjson");
    const res = await convertNeuVector(file, lines, pods);
    const sk = (total.skipped ??= { incidents: 0, other: 0, lines: 0 });
    sk.incidents += res.skipped.incidents;
    sk.other += res.skipped.other;
    sk.lines += res.skipped.lines;
    if (res.violations + res.threats === 0) return { flows: 0, events: 0, threats: 0 };
    await stage(store, lines);
    return await insertStaged(store, runId, capture);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The workloads NeuVector's records named (pod, namespace, service, images, addresses), unless the inventory has them. */
async function writeNvPods(store: FlowStore, runId: number, pods: NvPods, ctx: RunContext): Promise<void> {
  const known = new Set((ctx.inventory?.workloads ?? []).map((w) => `${w.namespace}/${w.name}`));
  for (const [key, { pod, images, ips }] of pods) {
    if (known.has(key)) continue;
    await store.run("INSERT INTO workloads VALUES ($1, $2, $3, $4, $5, $6::VARCHAR[], $7::VARCHAR[])", [runId, pod.namespace, pod.name, pod.service, pod.node, listLiteral([...images]), listLiteral([...ips])]);
  }
}

/** Policy services and groups, workloads, DNS resolutions: what the report needs beside the flows. */
async function writeContext(store: FlowStore, runId: number, ctx: RunContext): Promise<void> {
  for (const g of ctx.meta?.groups ?? []) {
    if (g.kind === "service" && g.service) await store.run("INSERT INTO services VALUES ($1, $2, $3, $4, $5)", [runId, g.service.service, g.service.namespace, g.name, g.mode ?? ctx.meta!.settings.defaultMode]);
    await store.run("INSERT INTO policy_groups VALUES ($1, $2, $3, $4::VARCHAR[])", [runId, g.name, g.kind, listLiteral((g.dns ?? []).map((d) => (d.wildcard ? `*.${d.name}` : d.name)))]);
  }
  for (const w of ctx.inventory?.workloads ?? []) {
    await store.run("INSERT INTO workloads VALUES ($1, $2, $3, $4, $5, $6::VARCHAR[], $7::VARCHAR[])", [runId, w.namespace, w.name, w.service ?? w.name, w.node ?? null, listLiteral(w.images ?? []), listLiteral(w.ips.map(String))]);
  }
  for (const [name, ips] of ctx.dns ?? []) {
    for (const ip of ips) await store.run("INSERT INTO dns VALUES ($1, $2, $3, 'replay')", [runId, name, ip]);
  }
}

/** A VARCHAR[] as JSON text: DuckDB casts `'["a","b"]'` to a list, so values stay bound, never spliced. */
function listLiteral(items: readonly string[]): string {
  return JSON.stringify(items);
}

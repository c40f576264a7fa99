/**
 * Flow store benchmark (issue 15): ingest of 10^6 flow records and every report and explorer
 * query at that size. The records are the engine's own: a generated 10,000-flow capture of
 * examples/report's cluster (bench/cluster-sim.ts) replayed through the packet path, then repeated
 * 100 times with times shifted an hour per copy and external addresses varied (third octet).
 *
 *   npx tsx bench/store.ts [flows=1000000] [dir=build/bench-store]
 *   npx tsx bench/store.ts --queries [dir=build/bench-store]   # the queries again on the store a run left
 *
 * Prints one table (markdown) of seconds; docs/performance.md keeps a run's figures.
 */
import { createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { loadInventory } from "../runtime/inventory/index.js";
import { loadModule } from "../runtime/index.js";
import { PacketEngine, type PacketEvent } from "../runtime/packets.js";
import {
  countries, flowsPage, FlowStore, ingestRun, overview, parseFilter, REPORT_QUERIES, runReportQuery, statistics, type ReportQuery,
} from "../runtime/store/index.js";
import { buildReport } from "../report/build-report.js";
import { clusterPackets } from "./cluster-sim.js";

// --queries: time the queries again on the store an earlier run left (minutes of ingest saved).
const queriesOnly = process.argv[2] === "--queries";
const args = queriesOnly ? ["", ...process.argv.slice(3)] : process.argv.slice(2);
const total = Number(args[0] || 1_000_000);
const dir = args[1] ?? "build/bench-store";
const BASE = 10_000;
const root = join(import.meta.dirname, "..");

function replayBase(): { events: PacketEvent[]; module: ReturnType<typeof loadModule> } {
  const path = join(root, "examples/report/cluster.nvp");
  const checked = checkSources({ [path]: readFileSync(path, "utf8") }, [path]);
  if (!checked.model) throw new Error("examples/report/cluster.nvp does not compile");
  const module = loadModule(compileModule(checked.model).bytes);
  const engine = new PacketEngine(module, { inventory: inventory(), settings: { events: 65536 } });
  const events: PacketEvent[] = [];
  const packets = clusterPackets(BASE);
  for (let i = 0; i < packets.length; i += 1024) {
    engine.feed(packets.slice(i, i + 1024));
    events.push(...engine.drainEvents());
  }
  engine.flush();
  events.push(...engine.drainEvents());
  return { events, module };
}

function inventory() {
  const path = join(root, "examples/report/inventory.yaml");
  return loadInventory([{ path, text: readFileSync(path, "utf8") }]).inventory;
}

const shiftTime = (t: string, hours: number) => new Date(Date.parse(t) + hours * 3600_000).toISOString().slice(0, 19) + t.slice(19);

async function writeRecords(file: string, events: PacketEvent[]): Promise<number> {
  const flows = events.filter((e) => e.type === "flow-end");
  const others = events.filter((e) => e.type !== "flow-end");
  const copies = Math.ceil(total / flows.length);
  const out = createWriteStream(file);
  let n = 0;
  for (let k = 0; k < copies && n < total; k++) {
    const vary = (ep: PacketEvent["src"]) => (ep.kind === "external" ? { ...ep, ip: ep.ip.replace(/\.(\d+)\.(\d+)$/, (_, a: string, b: string) => `.${(Number(a) + k) % 250}.${b}`) } : ep);
    const lines: string[] = [];
    for (const e of k === 0 ? [...flows, ...others] : flows) {
      if (e.type === "flow-end") {
        if (n >= total) break;
        n++;
      }
      lines.push(JSON.stringify({ ...e, flow: e.flow + k * 1_000_000, src: vary(e.src), dst: vary(e.dst), time: shiftTime(e.time, k), first: shiftTime(e.first, k), last: shiftTime(e.last, k) }));
    }
    if (!out.write(lines.join("\n") + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return n;
}

/** Wall seconds, and the process's CPU seconds (DuckDB's threads included) in `cpu`. */
let cpu = 0;
async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await fn();
  const c = process.cpuUsage(c0);
  cpu = (c.user + c.system) / 1e6;
  return [(performance.now() - t0) / 1000, v];
}

/** The median of three runs (the first warms DuckDB's caches too). */
async function median(fn: () => Promise<unknown>): Promise<[number, number]> {
  const t: [number, number][] = [];
  for (let i = 0; i < 3; i++) t.push([(await timed(fn))[0], cpu]);
  return t.sort((a, b) => a[0] - b[0])[1]!;
}

async function buildStore(): Promise<{ store: FlowStore; rows: [string, [number, number]][] }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [tReplay, base] = await timed(async () => replayBase());
  const cReplay = cpu;
  const ndjson = join(dir, "flows.ndjson");
  const [tWrite, written] = await timed(() => writeRecords(ndjson, base.events));
  const cWrite = cpu;
  const store = await FlowStore.open(join(dir, "store.duckdb"));
  const inv = inventory();
  const [tIngest, res] = await timed(() => ingestRun(store, { kind: "ingest" }, [{ capture: "cluster-1e6", files: [ndjson] }], { meta: base.module.meta, inventory: inv }));
  return {
    store,
    rows: [
      [`replay of the ${BASE.toLocaleString("en-US")}-flow capture (engine, in memory)`, [tReplay, cReplay]],
      [`write ${written.toLocaleString("en-US")} flow records as NDJSON`, [tWrite, cWrite]],
      [`**ingest** ${res.flows.toLocaleString("en-US")} flows + ${(res.events + res.threats).toLocaleString("en-US")} events (one transaction, geo lookup included)`, [tIngest, cpu]],
    ],
  };
}

const { store, rows } = queriesOnly ? { store: await FlowStore.open(join(dir, "store.duckdb"), { readOnly: true }), rows: [] as [string, [number, number]][] } : await buildStore();
const flows = Number((await store.query("SELECT count(*) AS n FROM flows"))[0]!["n"]);
for (const q of Object.keys(REPORT_QUERIES) as ReportQuery[]) rows.push([`report query \`${q}\``, await median(() => runReportQuery(store, q))]);
rows.push(["whole `nvp report` HTML (all queries + inlining)", await median(() => buildReport(store))]);
const ie = parseFilter({ country: "IE" });
const explorer: [string, () => Promise<unknown>][] = [
  ["flows page 1, no filter, by first packet", () => flowsPage(store, {}, {})],
  ["flows page 100, sorted by bytes desc", () => flowsPage(store, {}, { sort: "bytes", dir: "desc", page: 99 })],
  ["flows, CIDR + proto + verdict filter", () => flowsPage(store, parseFilter({ ip: "10.1.0.0/24", proto: "tcp", action: "allow" }), {})],
  ["flows, free text `payments`", () => flowsPage(store, parseFilter({ q: "payments" }), {})],
  ["flows, country IE", () => flowsPage(store, ie, {})],
  ["overview (timeline, protocols, apps, verdicts, countries)", () => overview(store, {})],
  ["statistics (sources, destinations, protocols, durations)", () => statistics(store, {})],
  ["geo map (bytes per country)", () => countries(store, {})],
];
for (const [name, fn] of explorer) rows.push([`explorer: ${name}`, await median(fn)]);
store.close();
console.log(`| step (${flows.toLocaleString("en-US")} flows) | wall s | CPU s |\n|---|---:|---:|`);
for (const [name, [w, c]] of rows) console.log(`| ${name} | ${w.toFixed(3)} | ${c.toFixed(3)} |`);

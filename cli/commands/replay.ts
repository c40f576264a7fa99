import { statSync } from "node:fs";
import { readInputFile } from "../../common/input-file.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Inventory } from "../../common/schema.js";
import { createProgress } from "../../runtime/capture/index.js";
import { loadModule, NvpRuntimeError, type PolicyModule } from "../../runtime/index.js";
import type { EventSink } from "../../runtime/output/event-sink.js";
import { EVENT_TYPES, FLOW_TYPES, NdjsonSink } from "../../runtime/output/ndjson-sink.js";
import { NdjsonWorkerSink, OutputOpenError } from "../../runtime/output/ndjson-worker-sink.js";
import { StreamedFile } from "../../runtime/output/streamed-file.js";
import { PacketEngine } from "../../runtime/packet/engine.js";
import { CaptureMarks } from "../../runtime/replay/capture-marks.js";
import { Replay, type CaptureRun } from "../../runtime/replay/driver.js";
import type { StoreRecorder } from "../../runtime/store/record-events.js";
import { EXIT } from "../io.js";
import { buildSummary, renderSummary, type ReplayMode } from "../replay-summary.js";
import { readDns, readInventory } from "../session-inputs.js";
import { collect, formatOption, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";
import { VERSION } from "../version.js";

/** Exit code when a capture had something denied: CI can assert "this capture stays clean". */
export const EXIT_DENIED = 3;
/** Exit code with --fail-on-threat when any threat was reported (it wins over EXIT_DENIED). */
export const EXIT_THREAT = 4;
/** Rows of the --top table when no count is given. */
const TOP_DEFAULT = 20;
/**
 * With --output-thread auto, captures of at least this many bytes in all get the writer thread:
 * below it, starting the thread costs more than the encoding it takes off the packet path.
 */
const THREAD_FROM_BYTES = 16 << 20;

interface ReplayOptions {
  module?: string;
  policy: string[];
  set: string[];
  inventory: string[];
  dns: string[];
  dnsFile?: string;
  events?: string;
  flows?: string;
  store?: string;
  failOnThreat?: boolean;
  top?: string | true;
  portGuess?: boolean;
  outputThread: string;
  format: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("replay")
    .summary("run captures through a compiled policy (or identify applications): flows, events and a summary")
    .description(
      // Paragraphs without line breaks of their own: commander wraps them to the terminal once.
      "Feed pcap/pcapng captures (gzip too) through the module's packet path — decode, flow table, protocol " +
        "identification, decisions, threat detection — with an inventory, and summarise packets (by verdict, not " +
        "decoded by kind), flows (by rule, by application), events and threats. Without --module or --policy it " +
        "identifies applications only: every flow allowed, no verdict lines. --events and --flows stream NDJSON " +
        '(docs/formats.md "Replay output"; threats: docs/threats.md); a file appears only when the replay finished.\n\n' +
        "Exit: 0 clean, 3 a packet was denied, 4 a threat was reported (with --fail-on-threat), 1 the policy has " +
        "errors, 2 usage or I/O error, or a corrupt, truncated or empty capture (wins over 3 and 4).\n\n" +
        "Examples:\n  nvp replay --module policy.wasm --inventory inv.yaml in.pcap --flows f.ndjson\n" +
        "  nvp replay capture.pcap --top",
    )
    .argument("<captures...>", "capture files (pcap, pcapng, optionally gzip-compressed)")
    .option("--module <file>", "compiled module (policy.wasm)")
    .option("--policy <file>", "or: compile these policy files in memory (repeatable)", collect, [])
    .addOption(setOption())
    .option("--inventory <file>", "inventory (nvp YAML/JSON or kubectl JSON; repeatable)", collect, [])
    .option("--dns <name=ip,...>", "a DNS resolution the host provides (repeatable)", collect, [])
    .option("--dns-file <file>", "DNS resolutions as a JSON/YAML table")
    .option("--events <file>", "write violation, deny, learn, reset and threat events as NDJSON")
    .option("--flows <file>", "write one record per finished flow as NDJSON")
    .option("--store <file>", "also add the run to a flow store (DuckDB; created if missing): nvp report, nvp serve")
    .option("--top [n]", `a table of applications by flows, packets and bytes (n rows, default ${TOP_DEFAULT})`)
    .option("--port-guess", "name flows that content left unknown by their port in --flows records (confidence port-guess; never used by rules)")
    .option("--fail-on-threat", "exit 4 when any threat was reported (CI: this capture carries no attack)")
    .option("--output-thread <when>", `encode --events/--flows on a worker thread: on, off, or auto (captures of ${THREAD_FROM_BYTES >> 20} MiB or more)`, "auto")
    .addOption(formatOption())
    .action(async (captures: string[], opts: ReplayOptions) => {
      const top = topRows(opts.top);
      const mode: ReplayMode = opts.module || opts.policy.length ? "policy" : "identify";
      // Several captures: each NDJSON line names the capture its flow began in.
      const marks = captures.length > 1 ? new CaptureMarks() : undefined;
      const thread = outputThread(opts.outputThread, captures.map((f) => fileSize(resolve(ctx.io.cwd, f))));
      // The output files open (and the writer thread starts) while the policy compiles.
      const opening = settled(openSinks(ctx, opts, thread, marks));
      let sinks: EventSink[] | undefined;
      let module: PolicyModule | undefined;
      let inventory: Inventory | undefined;
      let engine: PacketEngine;
      let recorder: StoreRecorder | undefined;
      try {
        module = await policyModule(ctx, opts);
        inventory = readInventory(ctx, opts.inventory);
        const dns = readDns(ctx, opts.dns, opts.dnsFile);
        if (!module || !inventory || !dns) {
          await dropSinks(opening);
          return;
        }
        if (mode === "policy" && opts.inventory.length === 0) {
          ctx.io.err("warning: no --inventory: every address is external, so only address, DNS-name and built-in groups can match; give the cluster's workloads with --inventory FILE\n");
        }
        const opened = await opening;
        if ("error" in opened) throw opened.error;
        sinks = opened.value;
        engine = new PacketEngine(module, { inventory, settings: { portGuess: opts.portGuess === true } });
        for (const [name, ips] of Object.entries(dns)) engine.addDnsResolution(name, ips);
        // The store (DuckDB) is loaded only when asked for: a replay without --store never loads it.
        recorder = opts.store ? await (await import("../../runtime/store/index.js")).StoreRecorder.open() : undefined;
      } catch (e) {
        if (sinks) for (const s of sinks) await s.abort();
        else await dropSinks(opening);
        throw e;
      }
      const replay = new Replay(engine, [...sinks, ...(recorder?.sinks ?? [])]);
      const runs: CaptureRun[] = [];
      const t0 = performance.now();
      try {
        for (const file of captures) {
          const path = resolve(ctx.io.cwd, file);
          const size = fileSize(path);
          const progress = createProgress({ isTTY: ctx.io.isTty, total: size });
          marks?.begin(file);
          runs.push(await replay.capture(path, file, { progress: (bytes, packets) => progress.update(bytes, packets) }));
          marks?.end(engine.stats().flows.created);
          recorder?.mark(engine, runs[runs.length - 1]!);
          progress.finish();
        }
        await replay.finish();
      } catch (e) {
        await replay.abort();
        recorder?.cleanup();
        throw new UsageError(`cannot write the output: ${(e as NodeJS.ErrnoException).code ?? String(e)}; the files keep their old contents`);
      }
      if (recorder) await (await import("./replay-store.js")).addToStore(ctx, opts.store!, recorder, module, inventory);
      const seconds = (performance.now() - t0) / 1000;
      const summary = buildSummary(mode, runs, replay.counts, replay.tally.summary(), engine.stats(), seconds, top);
      if (opts.format === "json") ctx.io.out(JSON.stringify(summary, null, 2) + "\n");
      else ctx.io.out(renderSummary(summary));
      let fault = false;
      for (const r of runs) {
        if (r.gzipTrailing) ctx.io.err(`warning: ${r.file}: ${r.gzipTrailing} bytes after the last complete gzip member were ignored\n`);
        if (!r.error) continue;
        fault = true;
        ctx.io.err(`error: ${r.file}: ${r.error.message} at byte ${r.error.offset}; ${r.packets} packets before it were replayed\n`);
      }
      // A capture fault wins: its figures are partial, so "denied" or "threat" would mislead CI.
      if (fault) ctx.exit(EXIT.usage);
      else if (opts.failOnThreat && summary.threatsReported > 0) ctx.exit(EXIT_THREAT);
      else if (summary.denied > 0) ctx.exit(EXIT_DENIED);
    });
}

function topRows(v: string | true | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === true) return TOP_DEFAULT;
  if (!/^[1-9]\d{0,5}$/.test(v)) throw new UsageError(`--top takes a row count from 1 to 999999, not \`${v}\``);
  return Number(v);
}

/** A promise's outcome as a value: awaited later, its rejection is never unhandled meanwhile. */
function settled<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Close output files opened ahead of a replay that does not happen (their targets keep their contents). */
async function dropSinks(opening: Promise<{ value: EventSink[] } | { error: unknown }>): Promise<void> {
  const o = await opening;
  if ("value" in o) for (const s of o.value) await s.abort();
}

/** Whether the output files get the writer thread (`sizes`: the captures', undefined when not a regular file). */
function outputThread(when: string, sizes: (number | undefined)[]): boolean {
  if (when === "on") return true;
  if (when === "off") return false;
  if (when !== "auto") throw new UsageError(`--output-thread takes on, off or auto, not \`${when}\``);
  // A pipe or a device may be any size: assume large.
  return sizes.reduce<number>((n, s) => n + (s ?? Infinity), 0) >= THREAD_FROM_BYTES;
}

/** The --events and --flows writers (streamed, put in place when the replay finished). */
async function openSinks(ctx: CommandContext, opts: ReplayOptions, thread: boolean, marks?: CaptureMarks): Promise<EventSink[]> {
  if (thread) {
    const files = [
      { file: opts.events, types: EVENT_TYPES },
      { file: opts.flows, types: FLOW_TYPES },
    ].filter((f): f is { file: string; types: readonly number[] } => f.file !== undefined);
    if (files.length === 0) return [];
    try {
      return [await NdjsonWorkerSink.open(files.map((f) => ({ path: resolve(ctx.io.cwd, f.file), types: f.types })), marks)];
    } catch (e) {
      if (!(e instanceof OutputOpenError)) throw e;
      throw new UsageError(`cannot write \`${files[e.file]?.file}\`: ${e.code ?? e.message}`);
    }
  }
  const sinks: EventSink[] = [];
  const files: [string | undefined, (f: StreamedFile, m?: CaptureMarks) => NdjsonSink][] = [
    [opts.events, NdjsonSink.events],
    [opts.flows, NdjsonSink.flows],
  ];
  for (const [file, make] of files) {
    if (!file) continue;
    try {
      sinks.push(make(await StreamedFile.open(resolve(ctx.io.cwd, file)), marks));
    } catch (e) {
      for (const s of sinks) await s.abort();
      throw new UsageError(`cannot write \`${file}\`: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return sinks;
}

/** The policy that identification-only replays run: every flow allowed, nothing else decided. */
const IDENTIFY_POLICY = "policy identify\nrule 1 allow any -> any\n";

/** The module to replay through; the compiler is loaded only for --policy (a --module replay never loads it). */
async function policyModule(ctx: CommandContext, opts: ReplayOptions): Promise<PolicyModule | undefined> {
  if (opts.module && opts.policy.length) throw new UsageError("give either --module FILE or --policy FILE…, not both");
  if (!opts.module && opts.policy.length === 0) {
    const { compileModule, checkSources } = await import("../../compiler/index.js");
    const r = checkSources({ "identify.nvp": IDENTIFY_POLICY }, ["identify.nvp"]);
    if (!r.model) throw new Error("the identification policy does not check");
    return loadModule(compileModule(r.model, { compilerVersion: VERSION }).bytes);
  }
  if (opts.module) {
    // The bounded reader (NV5001–5003): a device, FIFO or huge file is refused, never read whole.
    const bytes = readInputFile(resolve(ctx.io.cwd, opts.module), { shown: opts.module, what: "module" });
    try {
      return loadModule(bytes);
    } catch (e) {
      if (!(e instanceof NvpRuntimeError)) throw e;
      ctx.io.err(`error[${e.code}]: ${e.message}\n  --> ${opts.module}\n   = help: ${e.help}\n`);
      ctx.exit(EXIT.findings);
      return undefined;
    }
  }
  const { compileModule, loadAndCheck } = await import("../../compiler/index.js");
  const checked = loadAndCheck(opts.policy, { params: parseSets(opts.set), cwd: ctx.io.cwd });
  reportDiagnostics(ctx, checked.diagnostics.filter((d) => d.severity === "error"), checked.sources, "human");
  if (!checked.model) {
    ctx.exit(checked.ioError ? EXIT.usage : EXIT.findings);
    return undefined;
  }
  return loadModule(compileModule(checked.model, { compilerVersion: VERSION }).bytes);
}

/** A regular file's size, for the progress bar's percentage and ETA; undefined otherwise (a pipe). */
function fileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}


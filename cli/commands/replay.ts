import { readFileSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { compileModule, loadAndCheck } from "../../compiler/index.js";
import { createProgress, readCapture } from "../../runtime/capture/index.js";
import { loadModule, NvpRuntimeError, type PolicyModule } from "../../runtime/index.js";
import { emptyCounts, PacketEngine, type PacketEvent, type PacketInput, type VerdictCounts } from "../../runtime/packets.js";
import { isoNs } from "../../runtime/packet/events.js";
import { EXIT } from "../io.js";
import { readDns, readInventory } from "../session.js";
import { collect, formatOption, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";
import { VERSION } from "../version.js";

/** Exit code when a capture had something denied: CI can assert "this capture stays clean". */
export const EXIT_DENIED = 3;
/** Exit code with --fail-on-threat when any threat was reported (it wins over EXIT_DENIED). */
export const EXIT_THREAT = 4;
const BATCH = 1024;

interface ReplayOptions {
  module?: string;
  policy: string[];
  set: string[];
  inventory: string[];
  dns: string[];
  dnsFile?: string;
  events?: string;
  flows?: string;
  failOnThreat?: boolean;
  format: string;
}

interface CaptureReport {
  file: string;
  packets: number;
  bytes: number;
  /** Frames with no IP packet, by reason (docs/formats.md "Link types"). */
  notIp?: Record<string, number>;
  /** Its first and last packet times (to name the capture of a flow ended after the last file). */
  first?: string;
  last?: string;
  error?: { kind: string; message: string; offset: number };
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("replay")
    .summary("run captures through a compiled policy: verdicts, flows, events and a summary")
    .description(
      "Feed pcap/pcapng captures (gzip too) through the module's packet path — decode, flow table, protocol\n" +
        "identification, decisions, threat detection — with an inventory, and summarise packets, flows,\n" +
        "verdicts by rule, violations, applications and threats. --events and --flows write NDJSON\n" +
        "(docs/formats.md \"Replay output records\"; threats: docs/threats.md).\n" +
        "Exit: 0 clean, 3 something was denied, 4 a threat was reported (with --fail-on-threat), 1 the policy\n" +
        "has errors, 2 usage, I/O or a corrupt capture.\n\n" +
        "Example:\n  nvp replay --module policy.wasm --inventory inv.yaml capture.pcap --events events.ndjson",
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
    .option("--fail-on-threat", "exit 4 when any threat was reported (CI: this capture carries no attack)")
    .addOption(formatOption())
    .action(async (captures: string[], opts: ReplayOptions) => {
      const module = policyModule(ctx, opts);
      const inventory = readInventory(ctx, opts.inventory);
      const dns = readDns(ctx, opts.dns, opts.dnsFile);
      if (!module || !inventory || !dns) return;
      const engine = new PacketEngine(module, { inventory });
      for (const [name, ips] of Object.entries(dns)) engine.addDnsResolution(name, ips);
      const counts = emptyCounts();
      const events: PacketEvent[] = [];
      const reports: CaptureReport[] = [];
      const t0 = performance.now();
      // Several captures: each record names the one being read when it was produced.
      const tag = captures.length > 1;
      for (const file of captures) reports.push(await replayOne(ctx, engine, resolve(ctx.io.cwd, file), file, counts, events, tag));
      engine.flush();
      // A flow still open at the end is named by the capture that holds its last packet.
      for (const e of engine.drainEvents()) events.push(tag ? { capture: captureAt(reports, e.last), ...e } : e);
      const seconds = (performance.now() - t0) / 1000;
      const summary = summarise(reports, counts, events, engine, seconds);
      writeNdjson(ctx, opts.events, events.filter((e) => e.type !== "flow-end"));
      writeNdjson(ctx, opts.flows, events.filter((e) => e.type === "flow-end"));
      if (opts.format === "json") ctx.io.out(JSON.stringify(summary, null, 2) + "\n");
      else ctx.io.out(renderSummary(summary));
      for (const r of reports) {
        if (!r.error) continue;
        ctx.io.err(`${r.error.kind === "truncated" ? "warning" : "error"}: ${r.file}: ${r.error.message} at byte ${r.error.offset}; the packets before it were replayed\n`);
        if (r.error.kind !== "truncated") ctx.exit(EXIT.usage);
      }
      if (summary.denied > 0) ctx.exit(EXIT_DENIED);
      if (opts.failOnThreat && summary.threatsReported > 0) ctx.exit(EXIT_THREAT);
    });
}

function policyModule(ctx: CommandContext, opts: ReplayOptions): PolicyModule | undefined {
  if (!opts.module === (opts.policy.length === 0)) throw new UsageError("give either --module FILE or --policy FILE…");
  if (opts.module) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(ctx.io.cwd, opts.module));
    } catch (e) {
      throw new UsageError(`cannot read \`${opts.module}\`: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      return loadModule(bytes);
    } catch (e) {
      if (!(e instanceof NvpRuntimeError)) throw e;
      ctx.io.err(`error[${e.code}]: ${e.message}\n  --> ${opts.module}\n   = help: ${e.help}\n`);
      ctx.exit(EXIT.findings);
      return undefined;
    }
  }
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

/** The capture whose packet times span `time` (RFC 3339 with nanoseconds, comparable as text), else the last. */
function captureAt(reports: CaptureReport[], time: string): string {
  const r = reports.find((c) => c.first !== undefined && c.last !== undefined && c.first <= time && time <= c.last);
  return (r ?? reports.at(-1)!).file;
}

/** Events with the capture file they came from, when several captures are replayed. */
function named(events: PacketEvent[], capture: string | undefined): PacketEvent[] {
  return capture === undefined ? events : events.map((e) => ({ capture, ...e }));
}

async function replayOne(ctx: CommandContext, engine: PacketEngine, path: string, shown: string, counts: VerdictCounts, events: PacketEvent[], tag: boolean): Promise<CaptureReport> {
  const reader = readCapture(path);
  const progress = createProgress({ isTTY: ctx.io.isTty, total: fileSize(path) });
  let batch: PacketInput[] = [];
  let first: bigint | undefined;
  let last: bigint | undefined;
  const run = () => {
    engine.feed(batch, counts);
    events.push(...named(engine.drainEvents(), tag ? shown : undefined));
    batch = [];
  };
  for await (const p of reader) {
    const input: PacketInput = { data: p.data, l3Offset: p.l3Offset, ts: p.ts, originalLength: p.originalLength };
    if (p.vlan !== undefined) input.vlan = p.vlan;
    batch.push(input);
    if (first === undefined || p.ts < first) first = p.ts;
    if (last === undefined || p.ts > last) last = p.ts;
    if (batch.length === BATCH) {
      run();
      progress.update(reader.summary.inputBytes, reader.summary.packets);
    }
  }
  run();
  progress.finish();
  const s = reader.summary;
  const report: CaptureReport = { file: shown, packets: s.packets, bytes: s.bytes };
  if (s.notIp > 0) report.notIp = { ...s.notIpBy };
  if (first !== undefined && last !== undefined) Object.assign(report, { first: isoNs(first), last: isoNs(last) });
  if (s.error) report.error = { kind: s.error.kind, message: s.error.message, offset: s.error.offset };
  return report;
}

interface ReplaySummary {
  captures: CaptureReport[];
  packets: number;
  bytes: number;
  seconds: number;
  verdicts: VerdictCounts;
  flows: number;
  flowsByRule: Record<string, number>;
  applications: Record<string, number>;
  unidentified: number;
  violations: number;
  denied: number;
  /** Threat events by NeuVector name: how many, and what they did (deny, reset, report). */
  threats: Record<string, { count: number; actions: Record<string, number> }>;
  threatsReported: number;
  events: Record<string, number>;
  stats: ReturnType<PacketEngine["stats"]>;
}

function summarise(captures: CaptureReport[], verdicts: VerdictCounts, events: PacketEvent[], engine: PacketEngine, seconds: number): ReplaySummary {
  const ends = events.filter((e) => e.type === "flow-end");
  const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);
  const flowsByRule: Record<string, number> = {};
  const applications: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const threats: ReplaySummary["threats"] = {};
  for (const e of events) {
    bump(byType, e.type);
    if (e.type !== "threat" || !e.threat) continue;
    const t = (threats[e.threat] ??= { count: 0, actions: {} });
    t.count++;
    bump(t.actions, e.action);
  }
  for (const e of ends) {
    bump(flowsByRule, e.rule === 0 ? "implicit" : `rule ${e.rule}`);
    bump(applications, e.app ?? "unknown");
  }
  return {
    captures,
    packets: captures.reduce((n, c) => n + c.packets, 0),
    bytes: captures.reduce((n, c) => n + c.bytes, 0),
    seconds,
    verdicts,
    flows: ends.length,
    flowsByRule,
    applications,
    unidentified: ends.filter((e) => (e.proto === "tcp" || e.proto === "udp") && (!e.app || e.app === "unknown")).length,
    violations: (byType["violation"] ?? 0) + (byType["deny"] ?? 0),
    denied: verdicts.deny + (byType["deny"] ?? 0) + (byType["reset"] ?? 0),
    threats,
    threatsReported: byType["threat"] ?? 0,
    events: byType,
    stats: engine.stats(),
  };
}

function renderSummary(s: ReplaySummary): string {
  const list = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none";
  const rate = s.seconds > 0 ? `${Math.round(s.packets / s.seconds).toLocaleString("en-US")} packets/s` : "";
  const verdicts = Object.entries(s.verdicts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(", ");
  return [
    `replayed      ${s.captures.map((c) => c.file).join(", ")}: ${s.packets} packets, ${s.bytes} bytes in ${s.seconds.toFixed(2)} s (${rate})`,
    `verdicts      ${verdicts || "none"}  (packets)`,
    `flows         ${s.flows}; by deciding rule: ${list(s.flowsByRule)}`,
    `applications  ${list(s.applications)}; unidentified tcp/udp flows: ${s.unidentified}`,
    `violations    ${s.violations}; denied ${s.denied}; events: ${list(s.events)}`,
    `threats       ${threatList(s.threats)}`,
    `not decoded   ${notDecoded(s)}`,
    "",
  ].join("\n");
}

/** Frames not decoded, by reason: link layer (no IP packet) and engine (malformed, tunnels that could not be opened). */
function notDecoded(s: ReplaySummary): string {
  const m: Record<string, number> = {};
  for (const c of s.captures) for (const [k, n] of Object.entries(c.notIp ?? {})) m[k] = (m[k] ?? 0) + n;
  const { total: _total, ...malformed } = s.stats.malformed;
  for (const [k, n] of Object.entries(malformed)) if (n) m[k] = (m[k] ?? 0) + n;
  const list = Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, n]) => `${k} ${n}`);
  const tunneled = s.stats.tunneled ? `; ${s.stats.tunneled} packets decoded inside tunnels` : "";
  return (list.join(", ") || "none") + tunneled;
}

/** `TCP.Small.MSS 2 (deny 2), SSH.Version.1 1 (report 1)`, most frequent first. */
function threatList(threats: ReplaySummary["threats"]): string {
  const parts = Object.entries(threats)
    .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))
    .map(([name, t]) => `${name} ${t.count} (${Object.entries(t.actions).sort().map(([a, n]) => `${a} ${n}`).join(", ")})`);
  return parts.join(", ") || "none";
}

function writeNdjson(ctx: CommandContext, file: string | undefined, events: PacketEvent[]): void {
  if (!file) return;
  try {
    writeFileSync(resolve(ctx.io.cwd, file), events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : ""));
  } catch (e) {
    throw new UsageError(`cannot write \`${file}\`: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

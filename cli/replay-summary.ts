/**
 * `nvp replay`'s summary: one figure, one meaning. Packets (by verdict; `denied` is packets whose
 * verdict was deny; frames not decoded by kind), flows (flow-end records: by deciding rule, by
 * application), events (by type; `violations` is violation events only) and threats each have
 * their own line, and the JSON summary has the same fields (docs/formats.md "Replay output").
 */
import type { CaptureRun } from "../runtime/replay/driver.js";
import type { AppTraffic, EventFigures } from "../runtime/packet/event-tally.js";
import type { PacketStats, VerdictCounts } from "../runtime/packet/engine.js";

export type ReplayMode = "policy" | "identify";

export interface ReplaySummary {
  /** `identify`: no policy given, protocol identification only (every flow allowed). */
  mode: ReplayMode;
  captures: CaptureRun[];
  /** Packets read from the captures, and their captured bytes. */
  packets: number;
  bytes: number;
  seconds: number;
  /** Packets by verdict (skip: not decoded; hold: IP fragments waiting for the rest). */
  verdicts: VerdictCounts;
  /** Packets whose verdict was deny. */
  denied: number;
  /** Frames and packets the engine could not decide, by kind: non-IP frames, malformed packets. */
  notDecoded: Record<string, number>;
  flows: number;
  flowsByRule: Record<string, number>;
  /** Flows by application. */
  applications: Record<string, number>;
  unidentified: number;
  /** Events by type. */
  events: Record<string, number>;
  /** Violation events. */
  violations: number;
  threats: EventFigures["threats"];
  threatsReported: number;
  /** With --top: applications by flows, with their packets and bytes (flow-end records). */
  top?: ({ application: string } & AppTraffic)[];
  stats: PacketStats;
}

export function buildSummary(mode: ReplayMode, captures: CaptureRun[], verdicts: VerdictCounts, figures: EventFigures, stats: PacketStats, seconds: number, top?: number): ReplaySummary {
  const notDecoded: Record<string, number> = {};
  const add = (k: string, n: number) => void (n > 0 && (notDecoded[k] = (notDecoded[k] ?? 0) + n));
  for (const c of captures) for (const [k, n] of Object.entries(c.notIp)) add(`not ip: ${k}`, n);
  for (const c of captures) for (const [k, n] of Object.entries(c.skipped)) add(`skipped record: ${k}`, n);
  for (const [k, n] of Object.entries(stats.malformed)) if (k !== "total") add(`malformed: ${k}`, n ?? 0);
  const applications: Record<string, number> = {};
  for (const [k, a] of Object.entries(figures.applications)) applications[k] = a.flows;
  const s: ReplaySummary = {
    mode,
    captures,
    packets: captures.reduce((n, c) => n + c.packets, 0),
    bytes: captures.reduce((n, c) => n + c.bytes, 0),
    seconds,
    verdicts,
    denied: verdicts.deny,
    notDecoded,
    flows: figures.flows,
    flowsByRule: figures.flowsByRule,
    applications,
    unidentified: figures.unidentified,
    events: figures.events,
    violations: figures.events["violation"] ?? 0,
    threats: figures.threats,
    threatsReported: figures.events["threat"] ?? 0,
    stats,
  };
  if (top !== undefined) {
    s.top = Object.entries(figures.applications)
      .map(([application, a]) => ({ application, ...a }))
      .sort((a, b) => b.flows - a.flows || b.bytes - a.bytes || a.application.localeCompare(b.application))
      .slice(0, top);
  }
  return s;
}

const list = (m: Record<string, number>, zeros = false) =>
  Object.entries(m)
    .filter(([, n]) => zeros || n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ") || "none";

export function renderSummary(s: ReplaySummary): string {
  // Thousands by hand: toLocaleString would load ICU's data for one number (~0.1 s).
  const rate = s.seconds > 0 ? `, ${String(Math.round(s.packets / s.seconds)).replace(/\B(?=(\d{3})+$)/g, ",")} packets/s` : "";
  const lines = [
    `captures      ${captureList(s.captures)}`,
    `packets       ${s.packets} (${s.bytes} bytes) in ${s.seconds.toFixed(2)} s${rate}`,
  ];
  if (s.mode === "policy") lines.push(`  verdicts    ${list(s.verdicts)}; denied ${s.denied}`);
  lines.push(`  not decoded ${list(s.notDecoded)}`);
  lines.push(`flows         ${s.flows}`);
  if (s.mode === "policy") lines.push(`  by rule     ${list(s.flowsByRule)}`);
  lines.push(`  by app      ${list(s.applications)}; unidentified tcp/udp ${s.unidentified}`);
  const types = s.mode === "policy" ? s.events : { threat: s.events["threat"] ?? 0 };
  lines.push(`events        ${list(types, true)}${s.mode === "policy" ? `; violations ${s.violations}` : ""}`);
  lines.push(`threats       ${threatList(s.threats)}`);
  if (s.top) lines.push("", topTable(s.top));
  return lines.join("\n") + "\n";
}

/** Each file with its packets; past three files, the count and the files that stopped at a fault. */
function captureList(cs: readonly CaptureRun[]): string {
  const one = (c: CaptureRun) => `${c.file} (${c.packets} packets${c.error ? ", stopped at a fault" : ""})`;
  if (cs.length <= 3) return cs.map(one).join(", ");
  const faults = cs.filter((c) => c.error);
  return `${cs.length} files${faults.length ? `; stopped at a fault: ${faults.map(one).join(", ")}` : ""}`;
}

/** `TCP.Small.MSS 2 (deny 2), SSH.Version.1 1 (report 1)`, most frequent first. */
function threatList(threats: ReplaySummary["threats"]): string {
  const parts = Object.entries(threats)
    .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))
    .map(([name, t]) => `${name} ${t.count} (${Object.entries(t.actions).sort().map(([a, n]) => `${a} ${n}`).join(", ")})`);
  return parts.join(", ") || "none";
}

/** Applications by flows, with packets and bytes, as aligned columns. */
function topTable(rows: NonNullable<ReplaySummary["top"]>): string {
  const head = ["application", "flows", "packets", "bytes"];
  const cells = rows.map((r) => [r.application, String(r.flows), String(r.packets), String(r.bytes)]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(width[i] as number) : x.padStart(width[i] as number))).join("  ").trimEnd();
  return [line(head), ...cells.map(line)].join("\n");
}

/**
 * The wild corpus (test/fixtures/wild/): third-party captures replayed through the whole packet
 * path (link layer, tunnels, flow table, DPI) with an allow-all policy, each flow-end record joined
 * to the flow's label in labels.yaml (tshark's dissection, never nvp's output) and scored.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import type { PacketEvent } from "../../runtime/packet/engine.js";
import { engineFor } from "../packet/engine.js";

export const WILD = join(import.meta.dirname, "../fixtures/wild");
const ALLOW_ALL = "policy wild\nrule 10 allow any -> any\n";
/** A small engine per capture (the corpus's files have at most a few hundred flows): quick to set up. */
const SMALL = { flows: 4096, prefixSlots: 512, fragSlots: 8, events: 8192, dnsNames: 256, batchBytes: 1 << 20, meterSlots: 1024, externalIps: 16 };

export interface WildLabel {
  file: string;
  proto: "tcp" | "udp";
  client: string;
  server: string;
  vlan: number;
  packets: number;
  /** An application name of common/apps.ts, `other:<protocol>` (nvp names none), `other:tunnel` or `none` (no payload). */
  app: string;
}

export type Outcome = "right" | "wrong" | "unknown";

export interface Scored extends WildLabel {
  outcome: Outcome;
  /** What the engine named, per flow record with that key (a 5-tuple reused after a timeout gives several). */
  got: string[];
}

export function wildLabels(): WildLabel[] {
  const doc = parse(readFileSync(join(WILD, "labels.yaml"), "utf8")) as Record<string, Omit<WildLabel, "file">[]>;
  return Object.entries(doc).flatMap(([file, flows]) => (flows ?? []).map((f) => ({ ...f, file })));
}

/** `addr:port` as the labels write it (IPv6 unbracketed: the port is after the last colon). */
function endpoint(ip: string, port: number | undefined): string {
  return `${ip}:${port ?? 0}`;
}

function key(proto: string, a: string, b: string, vlan: number): string {
  return `${proto} ${a < b ? a : b} ${a < b ? b : a} ${vlan}`;
}

/** The flow-end records of one capture, by key. */
export function replayFile(file: string): Map<string, PacketEvent[]> {
  const e = engineFor(ALLOW_ALL, { settings: SMALL });
  e.process(parseCaptureBuffer(readFileSync(join(WILD, file))).packets);
  e.flush();
  const out = new Map<string, PacketEvent[]>();
  for (const ev of e.drainEvents()) {
    if (ev.type !== "flow-end" || (ev.proto !== "tcp" && ev.proto !== "udp")) continue;
    const k = key(ev.proto, endpoint(ev.src.ip, ev.src.port), endpoint(ev.dst.ip, ev.dst.port), ev.vlan ?? 0);
    out.set(k, [...(out.get(k) ?? []), ev]);
  }
  return out;
}

/** Right: a record names the label and none names another application. Wrong: one names another. */
export function score(labels: WildLabel[]): Scored[] {
  const byFile = new Map<string, Map<string, PacketEvent[]>>();
  return labels.map((l) => {
    let recs = byFile.get(l.file);
    if (!recs) byFile.set(l.file, (recs = replayFile(l.file)));
    const got = (recs.get(key(l.proto, l.client, l.server, l.vlan)) ?? []).map((r) => r.app ?? "-");
    const named = got.filter((a) => a !== "-" && a !== "unknown");
    const app = l.app.startsWith("other:") || l.app === "none" ? undefined : l.app;
    const outcome: Outcome = named.some((a) => a !== app) ? "wrong" : app !== undefined && named.includes(app) ? "right" : "unknown";
    return { ...l, outcome, got };
  });
}

export interface Row {
  app: string;
  flows: number;
  right: number;
  wrong: number;
  unknown: number;
}

/** Per-application rows; flows of protocols nvp does not name are one row, `other` (right = unidentified). */
export function rows(scored: Scored[]): Row[] {
  const m = new Map<string, Row>();
  for (const s of scored) {
    if (s.app === "none" || s.app === "other:tunnel") continue;
    const app = s.app.startsWith("other:") ? "other" : s.app;
    const r = m.get(app) ?? { app, flows: 0, right: 0, wrong: 0, unknown: 0 };
    r.flows++;
    if (app === "other") {
      if (s.outcome === "wrong") r.wrong++;
      else r.right++;
    } else r[s.outcome]++;
    m.set(app, r);
  }
  return [...m.values()].sort((a, b) => (a.app === "other" ? 1 : b.app === "other" ? -1 : a.app.localeCompare(b.app)));
}

export function table(rs: Row[]): string {
  const lines = ["| application | flows | right | wrong | unknown | % right |", "|---|---|---|---|---|---|"];
  const t = { flows: 0, right: 0, wrong: 0, unknown: 0 };
  for (const r of rs) {
    const name = r.app === "other" ? "other protocols (must stay unidentified)" : r.app;
    lines.push(`| ${name} | ${r.flows} | ${r.right} | ${r.wrong} | ${r.unknown} | ${((100 * r.right) / r.flows).toFixed(0)} |`);
    t.flows += r.flows;
    t.right += r.right;
    t.wrong += r.wrong;
    t.unknown += r.unknown;
  }
  lines.push(`| **all** | ${t.flows} | ${t.right} | ${t.wrong} | ${t.unknown} | ${((100 * t.right) / t.flows).toFixed(1)} |`);
  return lines.join("\n");
}

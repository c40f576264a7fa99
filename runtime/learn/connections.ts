/**
 * From packet events to the connections learning reads. The packet path writes a learn report (a
 * violation in Monitor mode) when the flow's application is settled or the flow ends, so the report
 * carries the app; a flow-end record of the same flow fills the app in when a report came from an
 * enforcer that wrote it earlier. Event files (`nvp replay --events/--flows`, an enforcer's NDJSON)
 * are read line by line; a bad line is an NV55xx diagnostic with its line and column.
 */
import type { Diagnostic } from "../../common/diagnostics.js";
import type { LearnConnection, LearnEndpoint } from "./learner.js";

export const LEARN_CODES = {
  syntax: "NV5501",
  shape: "NV5502",
} as const;

export const LEARN_CODE_CATALOG: ReadonlyMap<string, string> = new Map([
  [LEARN_CODES.syntax, "event file line is not valid JSON"],
  [LEARN_CODES.shape, "event lacks a field learning needs, or has the wrong type"],
]);

/** The event fields learning reads (a PacketEvent has them all). */
export interface LearnEvent {
  type: string;
  flow: number;
  first?: string;
  proto: LearnConnection["proto"];
  src: LearnEndpoint;
  dst: LearnEndpoint & { port?: number };
  app?: string;
  action: string;
}

/** Which verdicts become rules: learn always; violate and deny with `monitor` (proposed rules). */
export function learnsFrom(action: string, monitor: boolean): boolean {
  return action === "learn" || (monitor && (action === "violate" || action === "deny"));
}

/** One connection per flow that was learned (or, with `monitor`, reported as a violation). */
export function connectionsOf(events: Iterable<LearnEvent>, monitor: boolean): LearnConnection[] {
  const byFlow = new Map<string, LearnConnection>();
  const ends = new Map<string, LearnEvent>();
  for (const e of events) {
    if (!learnsFrom(e.action, monitor)) continue;
    const key = `${e.flow}|${e.first ?? ""}|${e.src.ip}|${e.dst.ip}`;
    if (e.type === "flow-end") {
      ends.set(key, e);
      continue;
    }
    if (e.type !== "learn" && e.type !== "violation" && e.type !== "deny") continue;
    if (byFlow.has(key)) continue;
    const c: LearnConnection = { proto: e.proto, src: e.src, dst: e.dst };
    if (e.app !== undefined) c.app = e.app;
    byFlow.set(key, c);
  }
  for (const [key, end] of ends) {
    const c = byFlow.get(key);
    if (!c) {
      // Reports may have been filtered out (`--flows` only): the flow-end record decides.
      const n: LearnConnection = { proto: end.proto, src: end.src, dst: end.dst };
      if (end.app !== undefined) n.app = end.app;
      byFlow.set(key, n);
    } else if ((c.app === undefined || c.app === "unknown") && end.app !== undefined) {
      c.app = end.app;
    }
  }
  return [...byFlow.values()];
}

const KINDS = new Set(["workload", "node", "internal", "external"]);

function endpoint(v: unknown): (LearnEndpoint & { port?: number }) | string {
  if (typeof v !== "object" || v === null) return "is not an object";
  const o = v as Record<string, unknown>;
  if (typeof o["ip"] !== "string") return "has no `ip` string";
  if (typeof o["kind"] !== "string" || !KINDS.has(o["kind"])) return "has no `kind` (workload, node, internal, external)";
  const e: LearnEndpoint & { port?: number } = { ip: o["ip"], kind: o["kind"] as LearnEndpoint["kind"] };
  if (typeof o["name"] === "string") e.name = o["name"];
  if (typeof o["port"] === "number") e.port = o["port"];
  return e;
}

/** Parse NDJSON events; lines that are not events learning reads are diagnostics, the rest kept. */
export function parseEventLines(text: string, file: string): { events: LearnEvent[]; diagnostics: Diagnostic[] } {
  const events: LearnEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split("\n");
  let offset = 0;
  lines.forEach((raw, i) => {
    const start = offset;
    offset += raw.length + 1;
    const line = raw.trim();
    if (line === "") return;
    const span = { file, start: { line: i + 1, col: 1, offset: start }, end: { line: i + 1, col: raw.length + 1, offset: start + raw.length } };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      diagnostics.push({ code: LEARN_CODES.syntax, severity: "error", message: `line ${i + 1} is not JSON: ${(e as Error).message}`, span, label: "not JSON", help: "give NDJSON events as `nvp replay --events` writes them" });
      return;
    }
    const bad = (what: string) =>
      diagnostics.push({ code: LEARN_CODES.shape, severity: "error", message: `event on line ${i + 1} ${what}`, span, label: "not a learnable event", help: "events need `type`, `flow`, `proto`, `src`, `dst` and `action` (docs/formats.md \"Events and flow records\")" });
    if (typeof v !== "object" || v === null || Array.isArray(v)) return void bad("is not an object");
    const o = v as Record<string, unknown>;
    if (typeof o["type"] !== "string") return void bad("has no `type`");
    // Threat and reset events say nothing about which rule a flow needs.
    if (o["type"] === "threat" || o["type"] === "reset") return;
    if (typeof o["action"] !== "string") return void bad("has no `action`");
    const proto = o["proto"];
    if (proto !== "tcp" && proto !== "udp" && proto !== "icmp" && typeof proto !== "number") return void bad("has no `proto`");
    const src = endpoint(o["src"]);
    if (typeof src === "string") return void bad(`\`src\` ${src}`);
    const dst = endpoint(o["dst"]);
    if (typeof dst === "string") return void bad(`\`dst\` ${dst}`);
    const e: LearnEvent = { type: o["type"], flow: typeof o["flow"] === "number" ? o["flow"] : -(i + 1), proto, src, dst, action: o["action"] };
    if (typeof o["first"] === "string") e.first = o["first"];
    if (typeof o["app"] === "string") e.app = o["app"];
    events.push(e);
  });
  return { events, diagnostics };
}

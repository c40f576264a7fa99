/**
 * The explorer's flow filters (seed 003) as parameterised SQL: every value the user gives is bound
 * as a parameter, column and direction names come from fixed tables, never from input. A filter
 * that cannot be read is refused with a message naming the field, before any SQL runs.
 */
import { parseIp } from "../../common/ip.js";
import type { Param } from "./store.js";

export interface FlowFilter {
  from?: string;
  to?: string;
  ip?: string;
  port?: number;
  proto?: string;
  app?: string;
  action?: string;
  rule?: number;
  country?: string;
  q?: string;
  capture?: string;
  run?: number;
}

export const FILTER_KEYS = ["from", "to", "ip", "port", "proto", "app", "action", "rule", "country", "q", "capture", "run"] as const;

/** Sortable columns: the name the UI and URL use → the SQL expression. */
export const SORT_COLUMNS: Record<string, string> = {
  first: "first_ts",
  last: "last_ts",
  src: "src_ipnum",
  sport: "src_port",
  dst: "dst_ipnum",
  dport: "dst_port",
  proto: "proto",
  app: "app",
  action: "action",
  rule: "rule",
  bytes: "(bytes_out + bytes_in)",
  packets: "(packets_out + packets_in)",
  duration: "(last_ts - first_ts)",
  capture: "capture",
};

export class FilterError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?Z?$/;
const ACTIONS = ["allow", "violate", "deny", "learn", "pending"];
const MAX_TEXT = 200;

function text(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new FilterError(field, `\`${field}\` must be text`);
  if (v.length > MAX_TEXT) throw new FilterError(field, `\`${field}\` is longer than ${MAX_TEXT} characters`);
  return v.trim();
}

function int(field: string, v: unknown, max: number): number | undefined {
  const t = text(field, v);
  if (t === undefined) return undefined;
  if (!/^\d+$/.test(t) || Number(t) > max) throw new FilterError(field, `\`${field}\` must be a whole number 0…${max}, got \`${t}\``);
  return Number(t);
}

function time(field: string, v: unknown): string | undefined {
  const t = text(field, v);
  if (t === undefined) return undefined;
  // Kept as written (nanoseconds included) once its shape is known: DuckDB casts it exactly.
  if (!RFC3339.test(t) || Number.isNaN(Date.parse(t.replace(" ", "T")))) throw new FilterError(field, `\`${field}\` must be a date and time (RFC 3339, UTC), got \`${t}\``);
  return t;
}

/** Read a filter from query-string values (strings), checking each. */
export function parseFilter(input: Record<string, unknown>): FlowFilter {
  const f: FlowFilter = {};
  const set = <K extends keyof FlowFilter>(k: K, v: FlowFilter[K] | undefined) => void (v !== undefined && (f[k] = v));
  set("from", time("from", input["from"]));
  set("to", time("to", input["to"]));
  const ip = text("ip", input["ip"]);
  if (ip !== undefined) {
    if (!cidrRange(ip) && parseIp(ip) === null) throw new FilterError("ip", `\`ip\` must be an IP address or an IPv4 CIDR, got \`${ip}\``);
    f.ip = ip;
  }
  set("port", int("port", input["port"], 65535));
  const proto = text("proto", input["proto"])?.toLowerCase();
  if (proto !== undefined && !/^(tcp|udp|icmp|\d{1,3})$/.test(proto)) throw new FilterError("proto", `\`proto\` must be tcp, udp, icmp or a protocol number, got \`${proto}\``);
  set("proto", proto);
  set("app", text("app", input["app"]));
  const action = text("action", input["action"])?.toLowerCase();
  if (action !== undefined && !ACTIONS.includes(action)) throw new FilterError("action", `\`action\` must be one of ${ACTIONS.join(", ")}, got \`${action}\``);
  set("action", action);
  set("rule", int("rule", input["rule"], 2 ** 31 - 1));
  const country = text("country", input["country"])?.toUpperCase();
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) throw new FilterError("country", `\`country\` must be an ISO 3166 alpha-2 code, got \`${country}\``);
  set("country", country);
  const q = text("q", input["q"]);
  // U+001F separates the fields of flows.search; control characters are never part of a name.
  if (q !== undefined && /[\x00-\x1f\x7f]/.test(q)) throw new FilterError("q", "`q` must not contain control characters");
  set("q", q);
  set("capture", text("capture", input["capture"]));
  set("run", int("run", input["run"], 2 ** 31 - 1));
  return f;
}

/** An IPv4 CIDR as a closed numeric range, or undefined. */
export function cidrRange(s: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (o.some((x) => x > 255) || bits > 32) return undefined;
  const base = ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
  const size = 2 ** (32 - bits);
  const lo = Math.floor(base / size) * size;
  return [lo, lo + size - 1];
}

/** `WHERE …` (or empty) and its parameters, numbered from `$1`. */
export function whereClause(f: FlowFilter): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const p = (v: Param) => (params.push(v), `$${params.length}`);
  const parts: string[] = [];
  if (f.from) parts.push(`last_ts >= CAST(${p(f.from)} AS TIMESTAMP_NS)`);
  if (f.to) parts.push(`first_ts <= CAST(${p(f.to)} AS TIMESTAMP_NS)`);
  if (f.ip) {
    const r = cidrRange(f.ip);
    if (r) {
      const lo = p(r[0]);
      const hi = p(r[1]);
      parts.push(`(src_ipnum BETWEEN ${lo} AND ${hi} OR dst_ipnum BETWEEN ${lo} AND ${hi})`);
    } else {
      const ip = p(f.ip);
      parts.push(`(src_ip = ${ip} OR dst_ip = ${ip})`);
    }
  }
  if (f.port !== undefined) {
    const port = p(f.port);
    parts.push(`(dst_port = ${port} OR src_port = ${port})`);
  }
  if (f.proto) parts.push(`proto = ${p(f.proto)}`);
  if (f.app) parts.push(`lower(app) = lower(${p(f.app)})`);
  if (f.action) parts.push(`action = ${p(f.action)}`);
  if (f.rule !== undefined) parts.push(`rule = ${p(f.rule)}`);
  if (f.country) {
    const c = p(f.country);
    parts.push(`(src_ip IN (SELECT ip FROM geo WHERE country = ${c}) OR dst_ip IN (SELECT ip FROM geo WHERE country = ${c}))`);
  }
  // Names, application, addresses, capture and groups contain the text (flows.search, schema.ts):
  // a substring test, so no character of the text is a wildcard.
  if (f.q) parts.push(`contains(search, ${p(f.q.toLowerCase())})`);
  if (f.capture) parts.push(`capture = ${p(f.capture)}`);
  if (f.run !== undefined) parts.push(`run_id = ${p(f.run)}`);
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** The query-string form of a filter (what the UI keeps in its URL). */
export function filterToQuery(f: FlowFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, String(v)]));
}

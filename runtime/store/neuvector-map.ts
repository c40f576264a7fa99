/**
 * NeuVector's own security events as nvp event records (docs/formats.md "NeuVector security
 * events"). The shapes are NeuVector's Go structs, read from its source:
 *
 * - controller/api/log_apis.go `Violation` and `Threat` (with the embedded `LogCommon`): one
 *   network violation or threat, as the REST API returns it and as syslog sends it;
 * - controller/api/apis.go `RESTPolicyViolationsData` (`GET /v1/log/violation`), `RESTThreatsData`
 *   (`GET /v1/log/threat`), `RESTThreatData` (`GET /v1/log/threat/:id`) and `RESTSecurityData`
 *   (`GET /v1/log/security`: threats, incidents and violations together);
 * - controller/common/output.go `Syslogger.Send` with `syslog_in_json`: one JSON object per line,
 *   `{"notification": "violation" | "threat" | "incident" | "event" | "audit" | "activity", …}`.
 *
 * Values as NeuVector writes them: controller/cache/connect.go `conn2Violation` (policy_action
 * `violate` or `deny`), controller/cache/log.go `threatLog2API` (action `alert`, `allow`, `deny`,
 * `reset`; severity `Critical` … `Info`), times RFC 3339 (api.RESTTimeString). Incidents are
 * process and file events the store has no table for: they are counted, not stored.
 */
import { THREATS } from "../../common/threats.js";

/** One endpoint as the store's flow columns take it (the event NDJSON `src`/`dst`). */
export interface Endpoint {
  ip: string;
  port: number | null;
  kind: "workload" | "node" | "internal" | "external";
  name: string | null;
  groups: null;
}

/** A workload NeuVector named in a record: the report reads services from these. */
export interface NvWorkload {
  namespace: string;
  name: string;
  service: string;
  node: string | null;
  image: string | null;
  ip: string;
}

/** The workloads of many records, once each by `namespace/name`, their images and addresses merged. */
export type NvPods = Map<string, { pod: NvWorkload; images: Set<string>; ips: Set<string> }>;

export function addPods(into: NvPods, wls: readonly NvWorkload[]): void {
  for (const w of wls) {
    const key = `${w.namespace}/${w.name}`;
    const e = into.get(key) ?? { pod: w, images: new Set<string>(), ips: new Set<string>() };
    if (w.image) e.images.add(w.image);
    e.ips.add(w.ip);
    into.set(key, e);
  }
}

/** What one NeuVector record became: an event line for the store, and the workloads it named. */
export type Mapped = { line: Record<string, unknown>; workloads: NvWorkload[] } | { skip: "incident" | "other" };

/** A record that cannot be read, with what is wrong (the caller adds file and record number). */
export class NvShapeError extends Error {}

type Rec = Record<string, unknown>;

const THREAT_SLUG = new Map(THREATS.map((t) => [t.id, t.slug]));
const PROTOS: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmp" };
/** NeuVector's threat actions in nvp's words: `alert` is a detection in a mode that does not block. */
const THREAT_ACTIONS: Record<string, string> = { alert: "report", allow: "allow", deny: "deny", reset: "reset" };
const VIOLATION_TYPES: Record<string, string> = { violate: "violation", deny: "deny" };

function str(r: Rec, key: string): string | null {
  const v = r[key];
  if (v === undefined || v === null || v === "") return null;
  if (typeof v !== "string") throw new NvShapeError(`has \`${key}\` that is not text`);
  return v;
}

function need(r: Rec, key: string): string {
  const v = str(r, key);
  if (v === null) throw new NvShapeError(`has no \`${key}\``);
  return v;
}

function num(r: Rec, key: string): number | null {
  const v = r[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new NvShapeError(`has \`${key}\` that is not a whole number`);
  return v;
}

/** `reported_at` (RFC 3339) as UTC with nanoseconds, else `reported_timestamp` (Unix seconds). */
function time(r: Rec): string {
  const at = str(r, "reported_at");
  const ms = at !== null ? Date.parse(at) : (num(r, "reported_timestamp") ?? NaN) * 1000;
  if (Number.isNaN(ms)) throw new NvShapeError(at !== null ? `has a \`reported_at\` that is not RFC 3339: \`${at}\`` : "has neither `reported_at` nor `reported_timestamp`");
  return new Date(ms).toISOString().replace("Z", "000000Z");
}

/** RFC 1918 and unique-local addresses: an endpoint NeuVector names nothing for is internal there. */
function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd][0-9a-f]{2}:)/i.test(ip);
}

/**
 * One side of a record. NeuVector's endpoint ids (controller/api/apis.go): `external`,
 * `Host:<…>` (a node), `Workload:<ip>` (an address it does not manage), `nv.ip.<svc>` (a service
 * IP group), else a workload (container) id whose pod name, namespace, image and service it logs.
 */
function endpoint(r: Rec, keys: { id: string; name: string; domain: string; image: string; service: string; ip: string; port?: string }, node: string | null, wls: NvWorkload[]): Endpoint {
  const ip = need(r, keys.ip);
  const port = keys.port ? num(r, keys.port) : null;
  const id = str(r, keys.id) ?? "";
  const name = str(r, keys.name);
  const domain = str(r, keys.domain);
  if (id === "external") return { ip, port, kind: "external", name: null, groups: null };
  if (id.startsWith("Host:")) return { ip, port, kind: "node", name: name ?? id.slice(5), groups: null };
  if (id.startsWith("Workload:") || id.startsWith("nv.")) return { ip, port, kind: "internal", name: name ?? id, groups: null };
  if (name !== null && domain !== null) {
    const service = str(r, keys.service) ?? name;
    wls.push({ namespace: domain, name, service, node, image: str(r, keys.image), ip });
    return { ip, port, kind: "workload", name: `${domain}/${name}`, groups: null };
  }
  return { ip, port, kind: isPrivate(ip) ? "internal" : "external", name, groups: null };
}

function proto(r: Rec): string | null {
  const p = num(r, "ip_proto");
  return p === null || p === 0 ? null : (PROTOS[p] ?? String(p));
}

/** The fields every mapped line has that NeuVector has no value for: no flow, no counters. */
const NO_FLOW = { flow: null, packets: null, bytes: null, mode: null };

/** A `Violation` (log_apis.go) as a `violation` or `deny` event. */
export function mapViolation(r: Rec): Mapped {
  const action = need(r, "policy_action");
  const type = VIOLATION_TYPES[action];
  if (!type) throw new NvShapeError(`has a \`policy_action\` NeuVector does not log as a violation: \`${action}\``);
  const t = time(r);
  const node = str(r, "host_name");
  const wls: NvWorkload[] = [];
  const src = endpoint(r, { id: "client_id", name: "client_name", domain: "client_domain", image: "client_image", service: "client_service", ip: "client_ip" }, node, wls);
  const dst = endpoint(r, { id: "server_id", name: "server_name", domain: "server_domain", image: "server_image", service: "server_service", ip: "server_ip", port: "server_port" }, node, wls);
  const apps = r["applications"];
  if (apps !== undefined && apps !== null && !(Array.isArray(apps) && apps.every((a) => typeof a === "string"))) throw new NvShapeError("has `applications` that is not a list of text");
  const app = (apps as string[] | null | undefined)?.find((a) => a !== "") ?? null;
  const line = { ...NO_FLOW, type, time: t, proto: proto(r), src, dst, app, rule: num(r, "policy_id"), action, first: t, last: t };
  return { line, workloads: wls };
}

/** A `Threat` (log_apis.go) as a `threat` event: NeuVector's name and id, severity, what it did. */
export function mapThreat(r: Rec): Mapped {
  const name = need(r, "name");
  const action = need(r, "action");
  if (!THREAT_ACTIONS[action]) throw new NvShapeError(`has a threat \`action\` NeuVector does not write: \`${action}\``);
  const severity = need(r, "severity").toLowerCase();
  const t = time(r);
  const node = str(r, "host_name");
  const wls: NvWorkload[] = [];
  const src = endpoint(r, { id: "client_workload_id", name: "client_workload_name", domain: "client_workload_domain", image: "client_workload_image", service: "client_workload_service", ip: "client_ip", port: "client_port" }, node, wls);
  const dst = endpoint(r, { id: "server_workload_id", name: "server_workload_name", domain: "server_workload_domain", image: "server_workload_image", service: "server_workload_service", ip: "server_ip", port: "server_port" }, node, wls);
  const id = num(r, "threat_id");
  const msg = str(r, "message");
  // The evidence column keeps what the detector saw, at most 64 printable bytes, as nvp's own.
  const evidence = msg !== null && msg !== name ? msg.replace(/[^\x20-\x7e]/g, "?").slice(0, 64) : null;
  const line = {
    ...NO_FLOW, type: "threat", time: t, threat: name, id: id !== null && id < 2 ** 31 ? id : null, slug: (id !== null && THREAT_SLUG.get(id)) || null,
    severity, evidence, proto: proto(r), src, dst, app: str(r, "application"), rule: null, action: THREAT_ACTIONS[action], first: t, last: t,
  };
  return { line, workloads: wls };
}

/** One syslog notification (`{"notification": …, …}`): violations and threats mapped, the rest counted. */
export function mapNotification(r: Rec): Mapped {
  const kind = r["notification"];
  if (kind === "violation") return mapViolation(r);
  if (kind === "threat") return mapThreat(r);
  return { skip: kind === "incident" ? "incident" : "other" };
}

/**
 * One JSON webhook body (controller/common/output.go `Webhook.Notify`, type JSON: `{"cluster": …,
 * "comment": …,` then the record), which does not name its kind: a `Violation` is the record with
 * `policy_action`, a `Threat` the one with `threat_id`, an `Incident` has `proc_name`, `file_path`
 * or `workload_id` (log_apis.go); anything else (events, audits) is counted.
 */
export function mapWebhook(r: Rec): Mapped {
  if ("policy_action" in r) return mapViolation(r);
  if ("threat_id" in r) return mapThreat(r);
  return { skip: "proc_name" in r || "file_path" in r || "workload_id" in r ? "incident" : "other" };
}

/** The record lists of a REST response body, keyed by what each item is. */
export function restLists(doc: Rec): { violations: unknown[]; threats: unknown[]; incidents: unknown[] } | null {
  const list = (k: string): unknown[] | null => {
    const v = doc[k];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) throw new NvShapeError(`has \`${k}\` that is not a list`);
    return v;
  };
  const single = doc["threat"];
  const threats = list("threats") ?? (single && typeof single === "object" ? [single] : null);
  const violations = list("violations");
  const incidents = list("incidents");
  if (!threats && !violations && !incidents) return null;
  return { violations: violations ?? [], threats: threats ?? [], incidents: incidents ?? [] };
}

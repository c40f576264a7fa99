/**
 * Validation and normalisation of a Flow before the reference evaluator looks at it. Bad input is
 * a caller error, never a verdict: it throws FlowError, which the CLI reports as an NV5xxx
 * diagnostic. Everything past this file works on parsed values only.
 */
import { APP_UNKNOWN, findApp } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Flow } from "../../common/schema.js";

/** `address` = an address given outside a flow (resolveEndpoint). */
export type FlowField = "src" | "dst" | "proto" | "port" | "app" | "host" | "xff" | "address";

/** A flow that cannot be evaluated (unparsable address, unknown protocol, missing port…). */
export class FlowError extends Error {
  override readonly name = "FlowError";
  constructor(
    message: string,
    /** The Flow field at fault. */
    readonly field: FlowField,
    /** The offending value, as given. */
    readonly value: unknown,
  ) {
    super(message);
  }
}

/** The transport as rules see it; any other IP protocol keeps its number. */
export type FlowProto = "tcp" | "udp" | "icmp" | number;

/** Application state: not yet identified, inspected but not recognised, or a known id. */
export type FlowApp = { state: "unidentified" } | { state: "unknown" } | { state: "known"; id: number; name: string };

export interface ParsedFlow {
  flow: Flow;
  src: bigint;
  dst: bigint;
  proto: FlowProto;
  /** Destination port; only meaningful for tcp and udp. */
  port: number | undefined;
  app: FlowApp;
  /** Lower case without a trailing dot; undefined = not yet known, "" = the connection has none. */
  host: string | undefined;
  /** Parsed leftmost X-Forwarded-For address; `xffText` keeps a value that did not parse. */
  xff: bigint | undefined;
  xffText: string | undefined;
}

/** IP protocol numbers that mean the same as a protocol name (ICMPv6 counts as icmp). */
const PROTO_NUMBERS: ReadonlyMap<number, FlowProto> = new Map<number, FlowProto>([
  [1, "icmp"],
  [6, "tcp"],
  [17, "udp"],
  [58, "icmp"],
]);

export function parseAddress(text: unknown, field: "src" | "dst" | "xff" | "address"): bigint {
  const ip = typeof text === "string" ? parseIp(text.trim()) : null;
  if (ip === null) {
    const what = field === "address" ? "address" : `flow ${field}`;
    throw new FlowError(`${what} \`${String(text)}\` is not an IPv4 or IPv6 address`, field, text);
  }
  return ip;
}

function parseProto(p: unknown): FlowProto {
  if (p === "tcp" || p === "udp" || p === "icmp") return p;
  if (typeof p === "number" && Number.isInteger(p) && p >= 0 && p <= 255) return PROTO_NUMBERS.get(p) ?? p;
  throw new FlowError(
    `flow proto \`${String(p)}\` is not \`tcp\`, \`udp\`, \`icmp\` or an IP protocol number 0..255`,
    "proto",
    p,
  );
}

function parsePort(proto: FlowProto, port: unknown): number | undefined {
  if (proto !== "tcp" && proto !== "udp") return undefined;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    const what = port === undefined ? "has no destination port" : `port \`${String(port)}\` is out of range 0..65535`;
    throw new FlowError(`${proto} flow ${what}`, "port", port);
  }
  return port;
}

/** An application name that is not NeuVector's is treated as inspected-but-unrecognised. */
function parseApp(app: unknown): FlowApp {
  if (app === undefined) return { state: "unidentified" };
  if (typeof app !== "string") throw new FlowError(`flow app \`${String(app)}\` is not a name`, "app", app);
  const info = findApp(app);
  if (info === undefined || info.id === APP_UNKNOWN) return { state: "unknown" };
  return { state: "known", id: info.id, name: info.name };
}

/** Names compare in lower case without a trailing dot (S6); a vh: host likewise. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** The HTTP Host may carry `:port`; the virtual host is the name alone (an IPv6 literal keeps its colons). */
export function normaliseHost(host: string): string {
  const m = /^([^:]*):\d+$/.exec(host.trim());
  return normaliseName(m ? (m[1] ?? "") : host.trim());
}

/** NeuVector uses the leftmost X-Forwarded-For entry, up to the first comma. */
export function leftmostXff(value: string): string {
  return (value.split(",")[0] ?? "").trim();
}

export function parseFlow(flow: Flow): ParsedFlow {
  if (flow === null || typeof flow !== "object") throw new FlowError("a flow must be an object", "src", flow);
  const src = parseAddress(flow.src, "src");
  const dst = parseAddress(flow.dst, "dst");
  const proto = parseProto(flow.proto);
  const port = parsePort(proto, flow.port);
  const app = parseApp(flow.app);
  if (flow.host !== undefined && typeof flow.host !== "string") {
    throw new FlowError(`flow host \`${String(flow.host)}\` is not a string`, "host", flow.host);
  }
  const host = flow.host === undefined ? undefined : normaliseHost(flow.host);
  // An unparsable XFF value is ignored (S5): the header is client-controlled, not our input error.
  let xff: bigint | undefined;
  let xffText: string | undefined;
  if (flow.xff !== undefined) {
    xffText = String(flow.xff);
    xff = typeof flow.xff === "string" ? (parseIp(leftmostXff(flow.xff)) ?? undefined) : undefined;
  }
  return { flow, src, dst, proto, port, app, host, xff, xffText };
}

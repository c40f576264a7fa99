/**
 * Flows to engine records and results back (common/abi.ts F_* and R_*). Validation follows the
 * reference evaluator's flow input rules (bad address, protocol or port is an input error, an
 * unparsable X-Forwarded-For is ignored); IPv4 text takes a fast path without BigInt.
 */
import * as A from "../../common/abi.js";
import { APP_UNKNOWN, findApp } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Action, Flow, LookupResult, Mode } from "../../common/schema.js";
import { ACTIONS, MODES } from "../../common/schema.js";
import { normaliseName } from "../host/dns-region.js";
import { MODULE_CODES, NvpRuntimeError } from "../errors.js";

const utf8 = new TextEncoder();

/** A decision: the final verdict, and the X-Forwarded-For lookup's own when it ran. */
export type Decision = LookupResult & { xff?: LookupResult };

function flowError(message: string): never {
  throw new NvpRuntimeError(MODULE_CODES.flow, message, "flows need IPv4/IPv6 `src` and `dst`, a `proto` and, for tcp/udp, a `port` 0..65535");
}

/** Dotted-quad IPv4 with the same acceptance as common/ip.ts parseIpv4, or -1. */
function fastV4(s: string): number {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let lead = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c;
      else if (lead === 48) return -1;
      if (++digits > 3) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

/** Write an address (lo u64, hi u64) at `at`; false when it does not parse. */
function writeIp(view: DataView, at: number, text: unknown): boolean {
  if (typeof text !== "string") return false;
  const t = text.trim();
  const v4 = fastV4(t);
  if (v4 >= 0) {
    view.setUint32(at, v4, true);
    view.setUint32(at + 4, 0xffff, true);
    view.setBigUint64(at + 8, 0n, true);
    return true;
  }
  const ip = parseIp(t);
  if (ip === null) return false;
  view.setBigUint64(at, ip & 0xffffffffffffffffn, true);
  view.setBigUint64(at + 8, ip >> 64n, true);
  return true;
}

function protoNumber(p: unknown): number {
  if (p === "tcp") return A.PROTO_TCP;
  if (p === "udp") return A.PROTO_UDP;
  if (p === "icmp") return A.PROTO_ICMP;
  if (typeof p === "number" && Number.isInteger(p) && p >= 0 && p <= 255) return p;
  return flowError(`flow proto \`${String(p)}\` is not \`tcp\`, \`udp\`, \`icmp\` or an IP protocol number 0..255`);
}

function appId(app: unknown): number {
  if (app === undefined) return A.APP_UNIDENTIFIED;
  if (typeof app !== "string") flowError(`flow app \`${String(app)}\` is not a name`);
  const info = findApp(app as string);
  return info === undefined || info.id === APP_UNKNOWN ? A.APP_UNKNOWN_ID : info.id;
}

/** The HTTP Host may carry `:port`; the virtual host is the name alone (docs/formats.md flows). */
export function normaliseHost(host: string): string {
  const m = /^([^:]*):\d+$/.exec(host.trim());
  return normaliseName(m ? (m[1] ?? "") : host.trim());
}

/** The leftmost X-Forwarded-For entry, up to the first comma (NeuVector's xff_client_ip). */
export function leftmostXff(value: string): string {
  return (value.split(",")[0] ?? "").trim();
}

/**
 * A host longer than every vh: name by more than two characters can only match as a wildcard, and
 * that depends only on its first character (a leading dot never matches) and its tail: keep those,
 * so any host fits the arena and matches exactly as the whole one would.
 */
export function shortenHost(host: string, longestName: number): string {
  return host.length > longestName + 2 ? host[0] + host.slice(host.length - (longestName + 1)) : host;
}

/**
 * Encode one flow as the record at `at` of `view`; its host bytes go to `arena` at `hostAt`.
 * Returns the number of host bytes used. Throws NvpRuntimeError (NV5420) for an invalid flow.
 */
export function encodeFlow(flow: Flow, view: DataView, at: number, arena: Uint8Array, hostAt: number, hostLimit: number): number {
  if (flow === null || typeof flow !== "object") flowError("a flow must be an object");
  if (!writeIp(view, at + A.F_SRC, flow.src)) flowError(`flow src \`${String(flow.src)}\` is not an IPv4 or IPv6 address`);
  if (!writeIp(view, at + A.F_DST, flow.dst)) flowError(`flow dst \`${String(flow.dst)}\` is not an IPv4 or IPv6 address`);
  const proto = protoNumber(flow.proto);
  const transport = proto === A.PROTO_TCP || proto === A.PROTO_UDP;
  let port = 0;
  if (transport) {
    const p = flow.port;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535) {
      const name = proto === A.PROTO_TCP ? "tcp" : "udp";
      flowError(p === undefined ? `${name} flow has no destination port` : `${name} flow port \`${String(p)}\` is out of range 0..65535`);
    }
    port = p as number;
  }
  let flags = 0;
  if (typeof flow.xff === "string" && writeIp(view, at + A.F_XFF, leftmostXff(flow.xff))) flags |= A.FLAG_XFF;
  let hostLen = 0;
  if (flow.host !== undefined) {
    if (typeof flow.host !== "string") flowError(`flow host \`${String(flow.host)}\` is not a string`);
    flags |= A.FLAG_HOST_KNOWN;
    const bytes = utf8.encode(shortenHost(normaliseHost(flow.host), hostLimit));
    if (hostAt + bytes.length > arena.length) return -1;
    arena.set(bytes, hostAt);
    hostLen = bytes.length;
  }
  view.setUint8(at + A.F_PROTO, proto);
  view.setUint8(at + A.F_FLAGS, flags);
  view.setUint16(at + A.F_PORT, port, true);
  view.setUint32(at + A.F_APP, appId(flow.app), true);
  view.setUint32(at + A.F_HOST_OFF, hostAt, true);
  view.setUint32(at + A.F_HOST_LEN, hostLen, true);
  return hostLen;
}

const ACTION_BY_CODE: readonly Action[] = ACTIONS;
const MODE_BY_CODE: readonly (Mode | undefined)[] = [undefined, ...MODES];

function lookupAt(view: DataView, at: number, action: number, mode: number, awaiting: number, rule: number): LookupResult {
  const r: LookupResult = { action: ACTION_BY_CODE[view.getUint8(at + action)] ?? "deny", rule: view.getUint32(at + rule, true) };
  const m = MODE_BY_CODE[view.getUint8(at + mode)];
  if (m !== undefined) r.mode = m;
  const a = view.getUint8(at + awaiting);
  if (a === A.AWAIT_APP) r.awaiting = "app";
  else if (a === A.AWAIT_HOST) r.awaiting = "host";
  return r;
}

/** Decode the result record at `at`; returns the engine status instead when it is not E_OK. */
export function decodeResult(view: DataView, at: number): Decision | number {
  const status = view.getUint8(at + A.R_STATUS);
  if (status !== A.E_OK) return status;
  const d: Decision = lookupAt(view, at, A.R_ACTION, A.R_MODE, A.R_AWAIT, A.R_RULE);
  if (view.getUint8(at + A.R_XFF)) d.xff = lookupAt(view, at, A.R_XACTION, A.R_XMODE, A.R_XAWAIT, A.R_XRULE);
  return d;
}

/**
 * The one flow schema of `nvp eval`, `test` and `explain` (docs/formats.md "Flows"): a mapping with
 * `src`/`dst` (or `from`/`to`), a port as `port: 8080` + `proto: tcp` or the shorthand
 * `port: tcp/8080`, and optional `sport`, `app`, `host`, `xff`. Unknown keys are errors here: a
 * misspelt `port` would silently change what the flow tests.
 */
import { appNames, findApp } from "../../common/apps.js";
import type { Diagnostic } from "../../common/diagnostics.js";
import { formatIp, parseIp } from "../../common/ip.js";
import type { Flow, Proto } from "../../common/schema.js";
import { FLOWS } from "./codes.js";
import { at, closest, kindOf, Reader, rootLoc, Sink, valueAt, type Loc } from "./reader.js";
import { detachedDoc, jsonSlice, LineIndex, readDocuments } from "./source-doc.js";

export const FLOW_KEYS = ["src", "dst", "from", "to", "proto", "port", "sport", "app", "host", "xff"] as const;

/** Protocol names a flow may use; ICMPv6 is `icmp` to the policy, as in the reference evaluator. */
const PROTO_NAMES: ReadonlyMap<string, Proto | number> = new Map<string, Proto | number>([
  ["tcp", "tcp"],
  ["udp", "udp"],
  ["icmp", "icmp"],
  ["icmpv6", "icmp"],
  ["ipv6-icmp", "icmp"],
  ["igmp", 2],
  ["gre", 47],
  ["esp", 50],
  ["ah", 51],
  ["sctp", 132],
]);
const PROTO_NUMBERS: ReadonlyMap<number, Proto> = new Map<number, Proto>([
  [1, "icmp"],
  [6, "tcp"],
  [17, "udp"],
  [58, "icmp"],
]);

const PORT_HELP = "write `port: tcp/8080`, `port: udp/53`, `port: icmp`, or `port: 8080` with `proto: tcp`";

export function flowReader(sink: Sink): Reader {
  return new Reader(sink, { type: FLOWS.type, missing: FLOWS.missing, unknownKey: FLOWS.unknownKey });
}

/**
 * Validate one flow. `where` is the flow's place in a parsed file, or a plain name (such as
 * "command line") for a value built by a program; diagnostics then carry that name and no span.
 */
export function parseFlow(obj: unknown, where: string | Loc): { flow?: Flow; diagnostics: Diagnostic[] } {
  const sink = new Sink();
  const loc = typeof where === "string" ? rootLoc(detachedDoc(where, obj)) : where;
  const flow = readFlow(loc, sink);
  return flow ? { flow, diagnostics: sink.diagnostics } : { diagnostics: sink.diagnostics };
}

/** The flow at `loc`, or undefined after reporting every problem with it. */
export function readFlow(loc: Loc, sink: Sink): Flow | undefined {
  const r = flowReader(sink);
  const o = valueAt(loc);
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    sink.error(FLOWS.shape, `a flow must be a mapping, found ${kindOf(o)}`, loc, {
      label: "not a flow",
      help: "write a flow as `{src: 10.0.1.5, dst: 10.0.2.7, port: tcp/8080}`",
    });
    return undefined;
  }
  const f = o as Record<string, unknown>;
  // A counter, not a scan of the list: scanning made NDJSON checking quadratic in bad flows.
  const before = sink.errorCount;
  r.unknownKeys(f, loc, FLOW_KEYS, "a flow", "error");
  const src = readEnd(f, loc, "src", "from", r);
  const dst = readEnd(f, loc, "dst", "to", r);
  const pp = readProtoPort(f, loc, r);
  const sport = f.sport == null ? undefined : readPortNumber(at(loc, "sport"), "`sport`", r);
  if (sport !== undefined && pp && pp.proto !== "tcp" && pp.proto !== "udp") {
    sink.error(FLOWS.conflict, `protocol \`${String(pp.proto)}\` has no source port`, at(loc, "sport"), {
      label: "only tcp and udp have ports",
      help: "remove `sport`, or make the flow tcp or udp",
      part: "key",
    });
  }
  const app = f.app == null ? undefined : readApp(at(loc, "app"), r);
  const host = f.host == null ? undefined : readHost(at(loc, "host"), r);
  const xff = f.xff == null ? undefined : readXff(at(loc, "xff"), r);
  const after = sink.errorCount;
  if (after > before || src === undefined || dst === undefined || !pp) return undefined;
  const flow: Flow = { src, dst, proto: pp.proto };
  if (pp.port !== undefined) flow.port = pp.port;
  if (sport !== undefined) flow.sport = sport;
  if (app !== undefined) flow.app = app;
  if (host !== undefined) flow.host = host;
  if (xff !== undefined) flow.xff = xff;
  return flow;
}

function readEnd(f: Record<string, unknown>, loc: Loc, key: "src" | "dst", alias: "from" | "to", r: Reader): string | undefined {
  if (f[key] != null && f[alias] != null) {
    r.sink.error(FLOWS.conflict, `flow has both \`${key}\` and \`${alias}\``, at(loc, alias), {
      label: `same as \`${key}\``,
      help: `\`${alias}\` is another name for \`${key}\`; keep one`,
      part: "key",
    });
    return undefined;
  }
  const k = f[key] != null ? key : f[alias] != null ? alias : undefined;
  if (k === undefined) {
    r.required(f, loc, key, "flow", `add \`${key}:\` with the ${key === "src" ? "source" : "destination"} address`);
    return undefined;
  }
  return readFlowIp(at(loc, k), `\`${k}\``, r);
}

export function readFlowIp(loc: Loc, what: string, r: Reader): string | undefined {
  const text = r.string(loc, what, "write an IPv4 or IPv6 address, e.g. `10.0.1.5`");
  if (text === undefined) return undefined;
  const ip = parseIp(text.trim());
  if (ip !== null) return formatIp(ip);
  const help = text.includes("/") || text.includes("-") ? "a flow is between two addresses: pick one address of the subnet" : "write an IPv4 or IPv6 address, e.g. `10.0.1.5` or `fd00::1:5`";
  r.sink.error(FLOWS.badIp, `\`${text}\` is not an IP address`, loc, { label: "not an IP address", help });
  return undefined;
}

function readPortNumber(loc: Loc, what: string, r: Reader): number | undefined {
  const v = valueAt(loc);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 65535) return v;
  if (typeof v === "number") {
    r.sink.error(FLOWS.badPort, `${what} \`${v}\` is not a port number 0..65535`, loc, { label: "out of range", help: "ports are whole numbers from 0 to 65535" });
  } else r.typeError(loc, what, "a port number", "write a number such as `43512`");
  return undefined;
}

function readProto(loc: Loc, r: Reader): Proto | number | undefined {
  const v = valueAt(loc);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255) return PROTO_NUMBERS.get(v) ?? v;
  if (typeof v === "string") {
    const p = PROTO_NAMES.get(v.trim().toLowerCase());
    if (p !== undefined) return p;
    const guess = closest(v.trim(), [...PROTO_NAMES.keys()]);
    r.sink.error(FLOWS.badPort, `unknown protocol \`${v}\``, loc, {
      label: "not a protocol",
      help: guess ? `did you mean \`${guess}\`?` : "write `tcp`, `udp`, `icmp` or an IP protocol number 0..255",
    });
    return undefined;
  }
  const label = typeof v === "number" ? "out of range" : "not a protocol";
  r.sink.error(FLOWS.badPort, `protocol \`${String(v)}\` is not a name or a number 0..255`, loc, { label, help: "write `tcp`, `udp`, `icmp` or an IP protocol number 0..255" });
  return undefined;
}

/** `port` as a number or as `tcp/N`, `udp/N`, `icmp`, `N`; reconciled with `proto`. */
function readProtoPort(f: Record<string, unknown>, loc: Loc, r: Reader): { proto: Proto | number; port?: number } | undefined {
  const proto = f.proto == null ? undefined : readProto(at(loc, "proto"), r);
  if (f.proto != null && proto === undefined) return undefined;
  let portProto: Proto | undefined;
  let port: number | undefined;
  const ploc = at(loc, "port");
  if (typeof f.port === "string") {
    const m = /^\s*(?:(tcp|udp)\/)?(\d{1,5})\s*$/i.exec(f.port);
    if (/^\s*icmp\s*$/i.test(f.port)) portProto = "icmp";
    else if (m && Number(m[2]) <= 65535) {
      portProto = m[1] ? (m[1].toLowerCase() as Proto) : undefined;
      port = Number(m[2]);
    } else {
      const range = /^\s*(?:(tcp|udp)\/)?\d+-\d+\s*$|\/any\s*$|^\s*any\s*$/i.test(f.port);
      r.sink.error(FLOWS.badPort, `\`${f.port}\` is not a flow port`, ploc, {
        label: range ? "a flow has one port" : "not a port",
        help: range ? "a flow is one connection: give one port, e.g. `tcp/8080`" : PORT_HELP,
      });
      return undefined;
    }
  } else if (f.port != null) {
    port = readPortNumber(ploc, "`port`", r);
    if (port === undefined) return undefined;
  }
  if (proto !== undefined && portProto !== undefined && proto !== portProto) {
    r.sink.error(FLOWS.conflict, `\`port: ${String(f.port)}\` contradicts \`proto: ${String(f.proto)}\``, ploc, {
      label: `this says ${portProto}`,
      help: "give the protocol once: either in `port` (`tcp/8080`) or in `proto`",
    });
    return undefined;
  }
  const p = proto ?? portProto ?? (port !== undefined ? "tcp" : undefined);
  if (p === undefined) {
    r.sink.error(FLOWS.missing, "flow is missing `port`", loc, { label: "`port` is required", help: PORT_HELP });
    return undefined;
  }
  if ((p === "tcp" || p === "udp") && port === undefined) {
    r.sink.error(FLOWS.missing, `${p} flow is missing \`port\``, f.port == null ? loc : ploc, { label: "no destination port", help: `add \`port: ${p}/…\`` });
    return undefined;
  }
  if (p !== "tcp" && p !== "udp" && port !== undefined) {
    r.sink.error(FLOWS.conflict, `protocol \`${String(p)}\` has no port`, ploc, { label: "only tcp and udp have ports", help: "remove the port number, e.g. `port: icmp`" });
    return undefined;
  }
  return port === undefined ? { proto: p } : { proto: p, port };
}

function readApp(loc: Loc, r: Reader): string | undefined {
  const name = r.string(loc, "`app`", "write an application name such as `http`, or `unknown`");
  if (name === undefined) return undefined;
  if (name.trim().toLowerCase() === "unknown") return "unknown";
  const info = findApp(name.trim());
  if (info) return info.name;
  const guess = closest(name.trim(), appNames());
  r.sink.error(FLOWS.unknownApp, `unknown application \`${name}\``, loc, {
    label: "not a NeuVector application",
    help: guess ? `did you mean \`${guess}\`? (\`unknown\` = inspected but not recognised)` : "use a NeuVector application name (`nvp apps` lists them), or `unknown`",
  });
  return undefined;
}

/** The virtual host: lower case, no trailing dot, no `:port` (as HTTP Host is compared). */
function readHost(loc: Loc, r: Reader): string | undefined {
  const h = r.string(loc, "`host`", "write the HTTP Host or TLS SNI name, e.g. `shop.example.com`");
  if (h === undefined) return undefined;
  let v = h.trim().toLowerCase();
  const m = /^([^:\]]*|\[[^\]]*\]):\d+$/.exec(v);
  if (m?.[1] !== undefined) v = m[1];
  return v.endsWith(".") ? v.slice(0, -1) : v;
}

/** The leftmost X-Forwarded-For entry. A bad one is kept (the lookup ignores it, S5) and warned. */
function readXff(loc: Loc, r: Reader): string | undefined {
  const text = r.string(loc, "`xff`", "write the client address, e.g. `198.51.100.7`");
  if (text === undefined) return undefined;
  const first = (text.split(",")[0] ?? "").trim();
  const ip = parseIp(first);
  if (ip !== null) return formatIp(ip);
  r.sink.warn(FLOWS.badXff, `X-Forwarded-For \`${text}\` is not an IP address`, loc, {
    label: "ignored by the second lookup",
    help: "the flow is decided on its source alone, as the enforcer does with a bad header",
  });
  return first;
}

export interface NumberedFlow {
  flow: Flow;
  /** 1-based line of the flow in the NDJSON text. */
  line: number;
}

/**
 * One JSON object per line. Blank lines and `#` comment lines are skipped; a bad line is reported
 * with its line number and left out, and the other lines still run.
 */
export function parseFlowsNdjson(text: string, path: string): { flows: NumberedFlow[]; diagnostics: Diagnostic[] } {
  const sink = new Sink();
  const lines = new LineIndex(text);
  const flows: NumberedFlow[] = [];
  let start = 0;
  for (let n = 1; start <= text.length; n++) {
    const nl = text.indexOf("\n", start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end);
    const trimmed = line.trim();
    if (trimmed !== "" && !trimmed.startsWith("#")) {
      let value: unknown;
      let ok = true;
      try {
        value = JSON.parse(line);
      } catch (e) {
        ok = false;
        const m = /position (\d+)/.exec(e instanceof Error ? e.message : "");
        const col = m ? Math.min(Number(m[1]), line.length) : 0;
        const lead = line.length - line.trimStart().length;
        const doc = jsonSlice(path, lines, undefined, start, end);
        sink.push({
          code: FLOWS.syntax,
          severity: "error",
          message: `line ${n} is not valid JSON`,
          span: m ? doc.spanAt(start + col, start + col + 1) : doc.spanAt(start + lead, start + line.trimEnd().length),
          label: m ? "here" : "not a JSON object",
          help: "write one JSON object per line, e.g. `{\"src\": \"10.0.1.5\", \"dst\": \"10.0.2.7\", \"port\": \"tcp/8080\"}`",
        });
      }
      if (ok) {
        const flow = readFlow(rootLoc(jsonSlice(path, lines, value, start, end)), sink);
        if (flow) flows.push({ flow, line: n });
      }
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return { flows, diagnostics: sink.diagnostics };
}

/** A YAML/JSON file holding one flow or a list of flows (`nvp explain --flow-file`). */
export function parseFlowDocument(path: string, text: string): { flows: Flow[]; diagnostics: Diagnostic[] } {
  const sink = new Sink();
  const { docs, diagnostics } = readDocuments(path, text, FLOWS.syntax);
  sink.addAll(diagnostics);
  const flows: Flow[] = [];
  for (const doc of docs) {
    const root = rootLoc(doc);
    const items = Array.isArray(doc.value) ? doc.value.map((_, i) => at(root, i)) : [root];
    for (const l of items) {
      const f = readFlow(l, sink);
      if (f) flows.push(f);
    }
  }
  return { flows, diagnostics: sink.diagnostics };
}

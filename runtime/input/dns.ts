/**
 * Host-provided DNS resolutions (docs/formats.md "DNS table"): `{ "db.example.com": ["10.0.0.5"] }`.
 * Names are compared as the engine compares them (S6): lower case, without a trailing dot.
 */
import type { Diagnostic } from "../../common/diagnostics.js";
import { formatIp, parseIp } from "../../common/ip.js";
import type { DnsTable } from "../../common/schema.js";
import { FLOWS } from "../../common/codes/input.js";
import { at, Reader, relatedAt, rootLoc, setOwn, Sink, valueAt, type Loc } from "./reader.js";
import { readDocuments } from "./source-doc.js";

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

const TABLE_HELP = 'write `{"db.example.com": ["10.0.0.5"]}`: each name maps to its addresses';

/** `db.Example.COM.` → `db.example.com`. */
export function normaliseDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

export function parseDnsTable(path: string, text: string): { table: DnsTable; diagnostics: Diagnostic[] } {
  const sink = new Sink();
  const { docs, diagnostics } = readDocuments(path, text, FLOWS.syntax);
  sink.addAll(diagnostics);
  const table: DnsTable = {};
  for (const doc of docs) readDnsTable(rootLoc(doc), sink, table);
  return { table, diagnostics: sink.diagnostics };
}

/** Read the table at `loc` into `into` (several tables merge); every bad entry is reported. */
export function readDnsTable(loc: Loc, sink: Sink, into: DnsTable = {}): DnsTable {
  const r = new Reader(sink, { type: FLOWS.type, missing: FLOWS.missing, unknownKey: FLOWS.unknownKey });
  if (valueAt(loc) == null) return into;
  const m = r.map(loc, "a DNS table", TABLE_HELP);
  if (!m) return into;
  const firstSeen = new Map<string, Loc>();
  for (const raw of Object.keys(m)) {
    const l = at(loc, raw);
    const name = normaliseDnsName(raw);
    const ips = readAddresses(l, raw, r);
    if (!NAME.test(name)) {
      const wildcard = name.includes("*");
      sink.error(FLOWS.dnsName, `\`${raw}\` is not a DNS name`, l, {
        label: wildcard ? "a wildcard is not a resolution" : "not a DNS name",
        help: wildcard ? "list each name that resolved, e.g. `a.example.com`; a `*.example.com` group matches them" : "write a host name such as `db.example.com`",
        part: "key",
      });
      continue;
    }
    const prev = firstSeen.get(name);
    if (prev) {
      sink.warn(FLOWS.dnsDuplicate, `DNS name \`${name}\` is listed twice`, l, {
        label: "addresses merged with the first entry",
        help: "names are compared in lower case without a trailing dot; keep one entry",
        part: "key",
        related: relatedAt(prev, "first listed here"),
      });
    } else firstSeen.set(name, l);
    if (!ips) continue;
    const merged = [...(into[name] ?? [])];
    for (const ip of ips) if (!merged.includes(ip)) merged.push(ip);
    setOwn(into, name, merged);
  }
  return into;
}

/** One address or a list of them, in canonical text. */
function readAddresses(loc: Loc, name: string, r: Reader): string[] | undefined {
  const v = valueAt(loc);
  const items: Loc[] = typeof v === "string" ? [loc] : Array.isArray(v) ? v.map((_, i) => at(loc, i)) : [];
  if (typeof v !== "string" && !Array.isArray(v)) {
    r.typeError(loc, `the addresses of \`${name}\``, "a list of addresses", TABLE_HELP);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const l of items) {
    const text = r.string(l, `an address of \`${name}\``, "write an IPv4 or IPv6 address");
    const ip = text === undefined ? null : parseIp(text.trim());
    if (text !== undefined && ip === null) {
      r.sink.error(FLOWS.dnsIp, `\`${text}\` is not an IP address`, l, { label: "not an IP address", help: "a DNS table maps names to IPv4 or IPv6 addresses (A/AAAA answers)" });
    }
    if (ip === null) ok = false;
    else if (!out.includes(formatIp(ip))) out.push(formatIp(ip));
  }
  return ok ? out : undefined;
}

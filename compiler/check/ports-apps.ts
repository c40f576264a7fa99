/**
 * Rule ports and applications. Ports are bounded and normalized the way NeuVector's REST layer does
 * (normalizePorts): bare `N` is tcp, `any` swallows everything, `icmp` carries no numbers; the
 * result is canonical (icmp, then tcp, then udp; overlapping and adjacent ranges merged) so equal
 * port sets compare equal. Applications are NeuVector's names, case-insensitive, as sorted ids.
 */
import { APPS, appNames, findApp } from "../../common/apps.js";
import type { Ident, PortItem } from "../ast/types.js";
import type { PortModel } from "../model.js";
import { type Diags, q, suggest } from "./diag.js";

const MAX_PORT = 65535;

function portText(p: PortItem): string {
  const nums = p.lo === undefined ? "" : p.hi !== undefined && p.hi !== p.lo ? `${p.lo}-${p.hi}` : `${p.lo}`;
  if (p.proto === null) return nums;
  if (p.any) return p.proto === "any" ? "any" : `${p.proto}/any`;
  return nums ? `${p.proto}/${nums}` : p.proto;
}

function checkPort(p: PortItem, d: Diags): PortModel | undefined {
  const bad = (message: string, label: string, help: string) => {
    d.error("NV2205", { span: p.span, message, label, help });
    return undefined;
  };
  if (p.proto === "icmp") {
    if (p.lo !== undefined || p.any) return bad(`port ${q(portText(p))}: icmp has no ports`, "icmp with a port", "write `icmp` alone");
    return { proto: "icmp", lo: 0, hi: MAX_PORT };
  }
  if (p.proto === "any" || (p.any && p.proto === null)) {
    if (p.lo !== undefined) return bad(`port ${q(portText(p))} mixes \`any\` and a number`, "ambiguous port", "write `any`, `tcp/N` or `udp/N`");
    return { proto: "any", lo: 0, hi: MAX_PORT };
  }
  const proto = p.proto ?? "tcp";
  if (p.any) return { proto, lo: 0, hi: MAX_PORT };
  if (p.lo === undefined) return bad(`port ${q(portText(p))} has no number`, "missing port", `write \`${proto}/N\`, \`${proto}/N-M\` or \`${proto}/any\``);
  const lo = p.lo;
  const hi = p.hi ?? p.lo;
  for (const n of [lo, hi]) {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PORT) {
      return bad(`port ${q(String(n))} is out of range`, "not a port number", "ports are 0..65535");
    }
  }
  if (lo > hi) return bad(`port range ${q(`${lo}-${hi}`)} is reversed`, "low port after high port", `write \`${proto}/${hi}-${lo}\``);
  return { proto, lo, hi };
}

const PROTO_ORDER: Record<PortModel["proto"], number> = { any: 0, icmp: 1, tcp: 2, udp: 3 };

/** Canonical port list; `[]` = any (nothing written). Undefined when an item is invalid. */
export function checkPorts(items: readonly PortItem[], d: Diags): PortModel[] | undefined {
  const out: PortModel[] = [];
  let ok = true;
  for (const p of items) {
    const m = checkPort(p, d);
    if (m) out.push(m);
    else ok = false;
  }
  if (!ok) return undefined;
  return normalizePorts(out);
}

export function normalizePorts(ports: readonly PortModel[]): PortModel[] {
  if (ports.some((p) => p.proto === "any")) return [{ proto: "any", lo: 0, hi: MAX_PORT }];
  // One port, the common case: an exact one-element array, as the model keeps it.
  if (ports.length === 1) return [{ ...(ports[0] as PortModel) }];
  const sorted = [...ports].sort((a, b) => PROTO_ORDER[a.proto] - PROTO_ORDER[b.proto] || a.lo - b.lo || a.hi - b.hi);
  const out: PortModel[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.proto === p.proto && (p.proto === "icmp" || p.lo <= last.hi + 1)) {
      last.hi = Math.max(last.hi, p.hi);
      continue;
    }
    out.push({ ...p });
  }
  return out;
}

/** Sorted unique application ids; `[]` = any. Undefined when a name is unknown. */
export function checkApps(apps: readonly Ident[], d: Diags): number[] | undefined {
  if (apps.length === 0) return [];
  const ids = new Set<number>();
  let any = false;
  let ok = true;
  for (const a of apps) {
    if (a.text.toLowerCase() === "any") {
      any = true;
      continue;
    }
    const info = findApp(a.text);
    if (info) {
      ids.add(info.id);
      continue;
    }
    ok = false;
    d.error("NV2206", {
      span: a.span,
      message: `unknown application ${q(a.text)}`,
      label: "not an application NeuVector identifies",
      help: suggest(a.text, appNames(), `known applications: ${APPS.map((x) => x.name).join(", ")}`),
    });
  }
  if (!ok) return undefined;
  return any ? [] : [...ids].sort((x, y) => x - y);
}

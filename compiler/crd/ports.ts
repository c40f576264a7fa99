/**
 * Rule ports and applications between NeuVector's CRD strings and nvp. Ports follow NeuVector's
 * normalizePorts (controller/rest/policy.go): a list split on commas or blanks of `tcp/N`,
 * `tcp/N-M`, `udp/…`, `tcp/any`, `udp/any`, `icmp`, `any` or a bare `N`/`N-M` (tcp); `tcp`/`udp`
 * may be upper case, `icmp` may not; empty means any. Applications use NeuVector's CRD names
 * (types.ts CRD_APP_NAMES), case-insensitive, `any` meaning all.
 */
import { appById } from "../../common/apps.js";
import type { PortModel } from "../model.js";
import { CRD_APP_NAMES, crdAppId } from "./types.js";

export type Parsed<T> = { ok: T } | { error: string };

const ITEM = /^(?:(tcp|udp)\/)?(?:(\d+)(?:-(\d+))?|(any))$/i;

/** CRD `ports` → nvp port items as text (`tcp/80`, `udp/53-60`, `tcp/any`, `icmp`, `any`); [] = any; `any` absorbs all but `icmp`. */
export function portsToNvp(text: string): Parsed<string[]> {
  const out: string[] = [];
  let any = false;
  for (const item of text.split(/[\s,]+/).filter((s) => s !== "")) {
    if (item.toLowerCase() === "any") {
      any = true;
      continue;
    }
    if (item === "icmp") {
      if (!out.includes("icmp")) out.push("icmp");
      continue;
    }
    const m = ITEM.exec(item);
    if (!m || (m[4] !== undefined && m[1] === undefined)) return { error: `\`${item}\` is not a port (tcp/N, tcp/N-M, udp/…, tcp/any, udp/any, icmp, any or N)` };
    const proto = (m[1] ?? "tcp").toLowerCase();
    if (m[4] !== undefined) {
      if (!out.includes(`${proto}/any`)) out.push(`${proto}/any`);
      continue;
    }
    const lo = Number(m[2]);
    const hi = m[3] === undefined ? lo : Number(m[3]);
    if (lo > 65535 || hi > 65535 || lo > hi) return { error: `\`${item}\`: ports are 0..65535 with the low end first` };
    const text = lo === hi ? `${proto}/${lo}` : `${proto}/${lo}-${hi}`;
    if (!out.includes(text)) out.push(text);
  }
  // `any` covers every port but not ICMP (unless icmp-policy is on): a listed `icmp` stays.
  if (any) return { ok: out.includes("icmp") ? ["icmp", "any"] : [] };
  return { ok: out };
}

/** nvp ports → the CRD string; [] and `any` → `any` (with `icmp` kept: `any` does not cover it). */
export function portsToCrd(ports: readonly PortModel[]): string {
  if (ports.length === 0) return "any";
  if (ports.some((p) => p.proto === "any")) return ports.some((p) => p.proto === "icmp") ? "icmp,any" : "any";
  return ports
    .map((p) => {
      if (p.proto === "icmp") return "icmp";
      if (p.lo === 0 && p.hi === 65535) return `${p.proto}/any`;
      return p.lo === p.hi ? `${p.proto}/${p.lo}` : `${p.proto}/${p.lo}-${p.hi}`;
    })
    .join(",");
}

/** CRD application names → nvp names; [] = any. */
export function appsToNvp(names: readonly string[]): Parsed<string[]> {
  const out: string[] = [];
  for (const n of names) {
    if (n.toLowerCase() === "any") return { ok: [] };
    const id = crdAppId(n);
    const app = id === undefined ? undefined : appById(id);
    if (!app) return { error: `\`${n}\` is not an application NeuVector's CRD knows (${[...CRD_APP_NAMES.values()].join(", ")})` };
    if (!out.includes(app.name)) out.push(app.name);
  }
  return { ok: out };
}

/** nvp application ids → CRD names; an id NeuVector's CRD does not name is an error. */
export function appsToCrd(ids: readonly number[]): Parsed<string[]> {
  if (ids.length === 0) return { ok: ["any"] };
  const out: string[] = [];
  for (const id of ids) {
    const name = CRD_APP_NAMES.get(id);
    if (name === undefined) return { error: `application \`${appById(id)?.name ?? id}\` has no name in NeuVector's CRD` };
    out.push(name);
  }
  return { ok: out };
}

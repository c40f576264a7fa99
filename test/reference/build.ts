/**
 * Terse builders for hand-made PolicyModels and inventories, so unit tests of the reference
 * evaluator read like the .nvp they stand for without depending on the parser or checker.
 */
import { findApp } from "../../common/apps.js";
import { parseIpRange } from "../../common/ip.js";
import type { Inventory, Mode, Workload } from "../../common/schema.js";
import type { AddressModel, CriterionModel, GroupModel, PolicyModel, PortModel, RuleModel, SettingsModel } from "../../compiler/model.js";

export type GroupSpec = Omit<GroupModel, "index">;

export const builtin = (b: "any" | "external" | "nodes" | "containers"): GroupSpec => ({ name: b, kind: "builtin", builtin: b });

/** `service <name> = nv.<svc>.<ns> { mode … }` */
export function service(svc: string, ns: string, mode?: Mode): GroupSpec {
  const g: GroupSpec = { name: `nv.${svc}.${ns}`, kind: "service", service: { service: svc, namespace: ns } };
  if (mode) g.mode = mode;
  return g;
}

export const criteria = (name: string, ...cs: CriterionModel[]): GroupSpec => ({ name, kind: "workload", criteria: cs });

/** Address entries as written: `10.0.0.0/8`, `a-b`, `db.example.com`, `*.x.com`, `vh:…`. */
export function address(name: string, ...entries: string[]): GroupSpec {
  return { name, kind: "address", addresses: entries.map(addressEntry) };
}

export function addressEntry(text: string): AddressModel {
  const vh = text.startsWith("vh:");
  const body = vh ? text.slice(3) : text;
  const r = parseIpRange(body);
  if (!vh && !("error" in r)) return { kind: "ip", lo: r.lo, hi: r.hi, text };
  const wildcard = body.startsWith("*.");
  return { kind: vh ? "vh" : "dns", name: (wildcard ? body.slice(2) : body).toLowerCase(), wildcard, text };
}

/** A criterion: `crit("label", "=", "web", "app")`. */
export function crit(key: CriterionModel["key"], op: CriterionModel["op"], value: string, labelKey?: string): CriterionModel {
  const c: CriterionModel = { key, op, value };
  if (labelKey !== undefined) c.labelKey = labelKey;
  return c;
}

/** Port items as written: `tcp/80`, `udp/1-9`, `8080`, `tcp/any`, `icmp`, `any`. */
export function port(text: string): PortModel {
  if (text === "any" || text === "icmp") return { proto: text, lo: 0, hi: 65535 };
  const [proto, rest] = text.includes("/") ? (text.split("/") as [string, string]) : ["tcp", text];
  if (rest === "any") return { proto: proto as "tcp" | "udp", lo: 0, hi: 65535 };
  const [lo, hi] = rest.split("-").map(Number);
  return { proto: proto as "tcp" | "udp", lo: lo ?? 0, hi: hi ?? lo ?? 0 };
}

export interface RuleSpec {
  id: number;
  action?: "allow" | "deny";
  from: string[];
  to: string[];
  apps?: string[];
  ports?: string[];
  learned?: boolean;
}

/** Groups named in rules but not given are added as built-ins or service groups on the fly. */
export function model(groups: GroupSpec[], rules: RuleSpec[], settings: Partial<SettingsModel> = {}): PolicyModel {
  const gs: GroupModel[] = groups.map((g, index) => ({ ...g, index }));
  const idx = (name: string): number => {
    const found = gs.find((g) => g.name === name);
    if (found) return found.index;
    const m = /^nv\.([^.]+)\.(.+)$/.exec(name);
    const spec = m ? service(m[1] ?? "", m[2] ?? "") : builtin(name as "any");
    gs.push({ ...spec, index: gs.length });
    return gs.length - 1;
  };
  const rs: RuleModel[] = rules.map((r) => ({
    id: r.id,
    action: r.action ?? "allow",
    learned: r.learned ?? false,
    from: r.from.map(idx),
    to: r.to.map(idx),
    apps: (r.apps ?? []).map((a) => findApp(a)?.id ?? -1).sort((a, b) => a - b),
    ports: (r.ports ?? []).map(port),
  }));
  rs.sort((a, b) => a.id - b.id);
  return {
    name: "t",
    params: {},
    settings: { xff: true, contention: "basic", defaultMode: "discover", nodesMode: "discover", extra: {}, ...settings },
    groups: gs,
    rules: rs,
  };
}

export function workload(name: string, ips: string[], more: Partial<Workload> = {}): Workload {
  return {
    name,
    namespace: "shop",
    service: name.replace(/-\d+$/, ""),
    labels: {},
    nsLabels: {},
    images: [],
    containers: [],
    node: "node-1",
    ips,
    ...more,
  };
}

export function inventory(more: Partial<Inventory> = {}): Inventory {
  return { workloads: [], nodes: [], internalSubnets: [], serviceExternalIps: [], ...more };
}

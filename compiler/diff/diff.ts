/**
 * `nvp diff OLD NEW`: every piece of flow space whose verdict changes, grouped by the rule change
 * that causes it, each with a concrete witness flow the reference evaluator confirms.
 *
 * 1. align.ts pairs the rules by content: what did not change (ids aside) cannot change a verdict
 *    unless a mode or setting did, so renumbered policies cost one pass and report nothing.
 * 2. universe.ts cuts flow space at every boundary both policies draw and picks a representative
 *    per piece (addresses, workloads, ports, applications, hosts).
 * 3. For each change, every piece its rule matches (or, for a mode, every piece touching the
 *    service; for a setting, every piece) is decided by both policies' compiled modules in batches;
 *    where the actions differ, the reference evaluator confirms one flow per region (same old and
 *    new deciding rule and action), which becomes the witness.
 */
import { appById, appSatisfies, findApp } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Action, Flow, Mode, Workload } from "../../common/schema.js";
import { Enforcer, loadModule, type Decision } from "../../runtime/index.js";
import { compileModule } from "../emit/compile-module.js";
import type { GroupModel, PolicyModel, RuleModel } from "../model.js";
import { evaluate } from "../reference/evaluate.js";
import { resolveEndpointIp } from "../reference/endpoints.js";
import { groupMembership } from "../reference/membership.js";
import { align, type RuleChange } from "./align.js";
import { buildUniverse, type Universe } from "./universe.js";

export interface DecisionSummary {
  action: Action;
  rule: number;
  mode?: Mode;
}

export interface Witness {
  flow: Flow;
  /** The synthetic workloads, node or DNS names the witness addresses stand for. */
  src: string;
  dst: string;
}

export interface Region {
  old: DecisionSummary;
  new: DecisionSummary;
  witness: Witness;
  /** How many pieces of the partition fall in this region. */
  pieces: number;
}

export interface Change {
  kind: RuleChange["kind"] | "mode" | "settings";
  /** One line: `rule 20 added: allow web -> db port tcp/5432`. */
  title: string;
  oldRule?: number;
  newRule?: number;
  regions: Region[];
}

export interface DiffResult {
  changes: Change[];
  /** The synthetic inventory and DNS answers the witnesses' addresses refer to. */
  context: { inventory: Universe["inventory"]; dns: Universe["dns"] };
  stats: { ruleChanges: number; pieces: number; differing: number; truncated: boolean };
}

export interface DiffOptions {
  /** At most this many flows are decided (default 4,000,000); past it the result says truncated. */
  maxPieces?: number;
}

const BATCH = 65_536;

export function diffPolicies(a: PolicyModel, b: PolicyModel, opts: DiffOptions = {}): DiffResult {
  const al = align(a, b);
  const changes: Change[] = al.changes.map((c) => ({ kind: c.kind, title: title(c, c.kind === "removed" ? a : b), ...ids(c), regions: [] }));
  for (const m of al.modes) changes.push({ kind: "mode", title: `nv.${m.service}.${m.namespace}: mode ${m.old} -> ${m.new}`, regions: [] });
  for (const s of al.settings) changes.push({ kind: "settings", title: `setting ${s.key}: ${s.old} -> ${s.new}`, regions: [] });
  const stats = { ruleChanges: al.changes.length, pieces: 0, differing: 0, truncated: false };
  if (changes.length === 0) return { changes, context: { inventory: { workloads: [], nodes: [], internalSubnets: [], serviceExternalIps: [] }, dns: {} }, stats };

  const oldRules = new Map<number, Change>();
  const newRules = new Map<number, Change>();
  al.changes.forEach((c, i) => {
    if (c.kind === "removed") oldRules.set(c.rule.id, changes[i] as Change);
    else newRules.set(c.rule.id, changes[i] as Change);
    if (c.kind === "moved") oldRules.set(c.old.id, changes[i] as Change);
  });
  const focusOld = al.changes.flatMap((c) => (c.kind === "removed" ? [c.rule] : c.kind === "moved" ? [c.old] : []));
  const focusNew = al.changes.flatMap((c) => (c.kind === "removed" ? [] : [c.rule]));
  const ruleGroups = (m: PolicyModel, rs: readonly RuleModel[]) => rs.flatMap((r) => [...r.from, ...r.to].map((g) => m.groups[g] as GroupModel));
  const modeGroups = (m: PolicyModel) => m.groups.filter((g) => g.kind === "service" && al.modes.some((x) => x.service === g.service?.service && x.namespace === g.service?.namespace));
  const u = buildUniverse(a, b, (m) => [...ruleGroups(m, m === a ? focusOld : focusNew), ...modeGroups(m)]);

  const pieces = new Enumerator(u, opts.maxPieces ?? 4_000_000);
  for (const r of focusOld) pieces.rule(a, r);
  for (const r of focusNew) pieces.rule(b, r);
  for (const m of al.modes) pieces.touching((w) => w.service === m.service && w.namespace === m.namespace);
  if (al.settings.length > 0) pieces.everything();
  stats.pieces = pieces.flows.length;
  stats.truncated = pieces.truncated;

  const ea = engine(a, u);
  const eb = engine(b, u);
  const ctx = { inventory: u.inventory, dns: u.dns };
  const regions = new Map<string, { change: Change; region?: Region; candidates: Flow[] }>();
  for (let i = 0; i < pieces.flows.length; i += BATCH) {
    const batch = pieces.flows.slice(i, i + BATCH);
    const da = ea.decideMany(batch);
    const db = eb.decideMany(batch);
    batch.forEach((flow, k) => {
      const x = da[k] as Decision;
      const y = db[k] as Decision;
      if (x.action === y.action) return;
      stats.differing++;
      const key = `${x.action}|${x.rule}|${y.action}|${y.rule}`;
      let entry = regions.get(key);
      if (!entry) {
        const change = newRules.get(y.rule) ?? oldRules.get(x.rule) ?? changes.find((c) => c.kind === "mode" || c.kind === "settings") ?? (changes[0] as Change);
        entry = { change, candidates: [] };
        regions.set(key, entry);
      }
      if (entry.region) entry.region.pieces++;
      else {
        // The witness: the first flow of the region the reference evaluator confirms.
        const va = evaluate(a, ctx, flow);
        const vb = evaluate(b, ctx, flow);
        if (va.action !== vb.action) {
          entry.region = { old: summary(va), new: summary(vb), witness: { flow, src: describe(u, flow.src), dst: describe(u, flow.dst) }, pieces: 1 };
          entry.change.regions.push(entry.region);
        }
      }
    });
  }
  return { changes: changes.filter((c) => c.regions.length > 0 || c.kind === "mode" || c.kind === "settings"), context: ctx, stats };
}

function ids(c: RuleChange): { oldRule?: number; newRule?: number } {
  if (c.kind === "removed") return { oldRule: c.rule.id };
  if (c.kind === "added") return { newRule: c.rule.id };
  return { oldRule: c.old.id, newRule: c.rule.id };
}

function summary(d: Decision): DecisionSummary {
  const s: DecisionSummary = { action: d.action, rule: d.rule };
  if (d.mode) s.mode = d.mode;
  return s;
}

function engine(m: PolicyModel, u: Universe): Enforcer {
  const e = new Enforcer(loadModule(compileModule(m).bytes));
  e.setInventory(u.inventory);
  for (const [name, ips] of Object.entries(u.dns)) e.addDnsResolution(name, ips);
  return e;
}

/** One line for a rule: `allow web -> db app PostgreSQL port tcp/5432`. */
export function describeRule(m: PolicyModel, r: RuleModel): string {
  const names = (gs: readonly number[]) => gs.map((g) => m.groups[g]?.name ?? "?").join(", ");
  const apps = r.apps.length ? ` app ${r.apps.map((id) => appById(id)?.name ?? id).join(", ")}` : "";
  const ports = r.ports.length ? ` port ${r.ports.map((p) => (p.proto === "icmp" || p.proto === "any" ? p.proto : p.lo === p.hi ? `${p.proto}/${p.lo}` : `${p.proto}/${p.lo}-${p.hi}`)).join(", ")}` : "";
  return `${r.action} ${names(r.from)} -> ${names(r.to)}${apps}${ports}`;
}

function title(c: RuleChange, m: PolicyModel): string {
  if (c.kind === "moved") return `rule ${c.old.id} moved (now rule ${c.rule.id}): ${describeRule(m, c.rule)}`;
  return `rule ${c.rule.id} ${c.kind}: ${describeRule(m, c.rule)}`;
}

/** What a witness address is: a workload's attributes, the node, or the names resolving to it. */
function describe(u: Universe, ip: string): string {
  const ep = resolveEndpointIp(u.inventory, parseIp(ip) ?? 0n);
  if (ep.workload) return `workload ${attrs(ep.workload)}`;
  if (ep.node) return "a node";
  const names = Object.entries(u.dns).filter(([, ips]) => ips.includes(ip)).map(([n]) => n);
  if (names.length) return `address resolving from ${names.join(", ")}`;
  return ep.kind === "internal" ? "internal address (unmanaged)" : "external address";
}

const NONE = "nvp-diff-none";
function attrs(w: Workload): string {
  const parts = [`namespace=${w.namespace}`, `service=${w.service}`];
  for (const [k, v] of Object.entries(w.labels)) parts.push(`label ${k}=${v}`);
  for (const [k, v] of Object.entries(w.nsLabels)) parts.push(`ns-label ${k}=${v}`);
  if (w.images[0] !== NONE) parts.push(`image=${w.images[0]}`);
  if (w.containers[0] !== NONE) parts.push(`container=${w.containers[0]}`);
  if (w.node !== NONE) parts.push(`node=${w.node}`);
  return parts.filter((p) => !p.endsWith(`=${NONE}`)).join(" ") || "with no matching attributes";
}

/** The flows (one per piece) the changes can affect, without repeats. */
class Enumerator {
  readonly flows: Flow[] = [];
  truncated = false;
  private readonly seen = new Set<string>();
  private readonly eps: { ip: string; bits: bigint; ep: ReturnType<typeof resolveEndpointIp>; vh: boolean }[];

  constructor(
    private readonly u: Universe,
    private readonly max: number,
  ) {
    const vhIps = new Set(u.hosts.filter((h): h is string => !!h).flatMap((h) => u.dns[h] ?? []));
    this.eps = u.endpoints.map((ip) => {
      const bits = parseIp(ip) ?? 0n;
      return { ip, bits, ep: resolveEndpointIp(u.inventory, bits), vh: vhIps.has(ip) };
    });
  }

  rule(m: PolicyModel, r: RuleModel): void {
    const ctx = { inventory: this.u.inventory, dns: this.u.dns };
    const inAny = (gs: readonly number[]) => this.eps.filter((e) => gs.some((g) => groupMembership(m.groups[g] as GroupModel, ctx, e.bits, e.ep, undefined) !== undefined));
    const ports = this.u.ports.filter((p) => r.ports.length === 0 || r.ports.some((q) => q.proto === "any" || (q.proto === p.proto && (p.proto === "icmp" || (q.lo <= (p.port ?? 0) && (p.port ?? 0) <= q.hi)))));
    const apps = this.u.apps.filter((x) => x === undefined || r.apps.length === 0 || appSatisfies(findApp(x)?.id ?? -1, r.apps));
    this.product(inAny(r.from), inAny(r.to), ports, apps);
  }

  touching(isIt: (w: Workload) => boolean): void {
    const hit = this.eps.filter((e) => e.ep.workload && isIt(e.ep.workload));
    this.product(hit, this.eps, this.u.ports, this.u.apps);
    this.product(this.eps, hit, this.u.ports, this.u.apps);
  }

  everything(): void {
    this.product(this.eps, this.eps, this.u.ports, this.u.apps);
  }

  private product(srcs: Enumerator["eps"], dsts: Enumerator["eps"], ports: Universe["ports"], apps: Universe["apps"]): void {
    for (const s of srcs) {
      for (const d of dsts) {
        const hosts = s.vh || d.vh ? this.u.hosts : [undefined];
        for (const p of ports) {
          for (const app of p.proto === "icmp" ? [undefined] : apps) {
            for (const host of hosts) {
              const key = `${s.ip}|${d.ip}|${p.proto}|${p.port}|${app}|${host}`;
              if (this.seen.has(key)) continue;
              if (this.flows.length >= this.max) {
                this.truncated = true;
                return;
              }
              this.seen.add(key);
              const f: Flow = { src: s.ip, dst: d.ip, proto: p.proto };
              if (p.port !== undefined) f.port = p.port;
              if (app !== undefined) f.app = app;
              if (host !== undefined) f.host = host;
              this.flows.push(f);
            }
          }
        }
      }
    }
  }
}

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
import { appById } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Action, Flow, Mode, Workload } from "../../common/schema.js";
import { RESULT_SIZE } from "../../common/abi.js";
import { decodeResult } from "../../runtime/flow/flow-codec.js";
import { Enforcer, loadModule, type Decision } from "../../runtime/index.js";
import { compileModule } from "../emit/compile-module.js";
import type { GroupModel, PolicyModel, RuleModel } from "../model.js";
import { evaluate } from "../reference/evaluate.js";
import { resolveEndpointIp } from "../reference/endpoints.js";
import { align, type RuleChange } from "./align.js";
import { Pieces } from "./pieces.js";
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

  const pieces = new Pieces(u, [a, b], opts.maxPieces ?? 4_000_000);
  for (const r of focusOld) pieces.rule(0, r);
  for (const r of focusNew) pieces.rule(1, r);
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
    // Each module decides its own encoding (an encoding is bound to its module); results are
    // compared as bytes first and decoded only where they differ.
    const ra = ea.decideEncoded(ea.encode(batch));
    const rb = eb.decideEncoded(eb.encode(batch));
    const va = new DataView(ra.buffer, ra.byteOffset, ra.byteLength);
    const vb = new DataView(rb.buffer, rb.byteOffset, rb.byteLength);
    batch.forEach((flow, k) => {
      if (sameBytes(ra, rb, k * RESULT_SIZE)) return;
      const x = decodeResult(va, k * RESULT_SIZE);
      const y = decodeResult(vb, k * RESULT_SIZE);
      if (typeof x === "number" || typeof y === "number") throw new Error(`the engine could not decide ${JSON.stringify(flow)}`);
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
        const local = witnessContext(u, flow);
        const va = evaluate(a, local, flow);
        const vb = evaluate(b, local, flow);
        if (va.action !== vb.action) {
          entry.region = { old: summary(va), new: summary(vb), witness: { flow, src: describe(u, [a, b], flow.src), dst: describe(u, [a, b], flow.dst) }, pieces: 1 };
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
function describe(u: Universe, models: readonly PolicyModel[], ip: string): string {
  const ep = u.kinds.get(ip) ?? resolveEndpointIp(u.inventory, parseIp(ip) ?? 0n);
  const names = Object.entries(u.dns).filter(([, ips]) => ips.includes(ip)).map(([n]) => n);
  if (ep.workload) return `workload ${attrs(ep.workload)}${names.length ? `, resolving from ${names.join(", ")}` : ""}`;
  if (ep.node) return "a node";
  if (names.length) return `address resolving from ${names.join(", ")}`;
  const bits = parseIp(ip) ?? 0n;
  const groups = [...new Set(models.flatMap((m) => m.groups.filter((g) => (g.addresses ?? []).some((e) => e.kind === "ip" && e.lo <= bits && bits <= e.hi)).map((g) => g.name)))];
  const kind = ep.kind === "internal" ? "internal address (unmanaged)" : "external address";
  return groups.length ? `${kind} in ${groups.join(", ")}` : kind;
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

/**
 * The part of the synthetic world one flow sees: its two endpoints' workloads and DNS answers.
 * The reference evaluator gives the same verdict as with the whole world (it looks only at the
 * flow's addresses) without scanning thousands of workloads and names per group.
 */
function witnessContext(u: Universe, flow: Flow): { inventory: Universe["inventory"]; dns: Universe["dns"] } {
  const ips = new Set([flow.src, flow.dst]);
  const workloads = u.inventory.workloads.filter((w) => w.ips.some((ip) => ips.has(ip)));
  const dns = Object.fromEntries(Object.entries(u.dns).filter(([, xs]) => xs.some((ip) => ips.has(ip))));
  return { inventory: { ...u.inventory, workloads }, dns };
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + RESULT_SIZE; i++) if (a[i] !== b[i]) return false;
  return true;
}

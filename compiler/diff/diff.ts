/**
 * `nvp diff OLD NEW`: every piece of flow space whose verdict changes, grouped by the rule change
 * that causes it, each with a concrete witness flow the reference evaluator confirms.
 *
 * 1. align.ts pairs the rules by content: what did not change (ids aside) cannot change a verdict
 *    unless a mode or setting did, so renumbered policies cost one pass and report nothing.
 * 2. universe.ts cuts flow space at every boundary both policies draw and picks a representative
 *    per piece (addresses, workloads, ports, applications, hosts).
 * 3. For each change, every piece its rule matches (or, for a mode, every piece touching the
 *    service; for a setting, every piece) is decided by both policies in batches, through a
 *    `BothDeciders` the caller gives (cli/diff/module-deciders.ts: the compiled modules, so that
 *    compiler/ never imports the runtime); where the actions differ, the reference evaluator
 *    confirms one flow per region (same old and new deciding rule and action), which becomes the
 *    witness.
 */
import { appById } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Action, Flow, Mode, Verdict, Workload } from "../../common/schema.js";
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
  stats: { ruleChanges: number; pieces: number; differing: number; truncated: boolean; combinations: number; combinationsCapped: boolean };
}

/** The synthetic world the compared flows live in: workloads, nodes and DNS answers. */
export type DiffWorld = DiffResult["context"];

/** One flow of a batch that both policies decide, with the two decisions. */
export interface DecidedPair {
  /** Index of the flow in the batch. */
  index: number;
  old: DecisionSummary;
  new: DecisionSummary;
}

/**
 * Decides a batch of flows under the old and the new policy and yields at least every flow whose
 * decisions differ (flows yielded with equal actions are skipped).
 */
export type DecideBatch = (batch: readonly Flow[]) => Iterable<DecidedPair>;

/** Builds the batch decider for two policies in the given world (called once per diff). */
export type BothDeciders = (a: PolicyModel, b: PolicyModel, world: DiffWorld) => DecideBatch;

export interface DiffOptions {
  /** At most this many flows are decided (default 4,000,000); past it the result says truncated. */
  maxPieces?: number;
  /**
   * Workload groups overlapping in more ways than this (default 300) are represented by one workload
   * per group and per pair with a changed rule's group instead of every combination; the result says so.
   */
  maxCombinations?: number;
}

const BATCH = 65_536;

/** The verdict-changing regions between policies `a` (old) and `b` (new), decided by `deciders`. */
export function diffPolicies(a: PolicyModel, b: PolicyModel, deciders: BothDeciders, opts: DiffOptions = {}): DiffResult {
  const al = align(a, b);
  const changes: Change[] = al.changes.map((c) => ({ kind: c.kind, title: title(c, c.kind === "removed" ? a : b), ...ids(c), regions: [] }));
  for (const m of al.modes) changes.push({ kind: "mode", title: `nv.${m.service}.${m.namespace}: mode ${m.old} -> ${m.new}`, regions: [] });
  for (const s of al.settings) changes.push({ kind: "settings", title: `setting ${s.key}: ${s.old} -> ${s.new}`, regions: [] });
  const stats = { ruleChanges: al.changes.length, pieces: 0, differing: 0, truncated: false, combinations: 0, combinationsCapped: false };
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
  const u = buildUniverse(a, b, (m) => [...ruleGroups(m, m === a ? focusOld : focusNew), ...modeGroups(m)], opts.maxCombinations ?? 300);
  stats.combinations = u.combinations.count;
  stats.combinationsCapped = u.combinations.capped;

  const pieces = new Pieces(u, [a, b], opts.maxPieces ?? 4_000_000);
  for (const r of focusOld) pieces.rule(0, r);
  for (const r of focusNew) pieces.rule(1, r);
  for (const m of al.modes) pieces.touching((w) => w.service === m.service && w.namespace === m.namespace);
  if (al.settings.length > 0) pieces.everything();
  stats.pieces = pieces.flows.length;
  stats.truncated = pieces.truncated;

  const ctx = { inventory: u.inventory, dns: u.dns };
  const decide = deciders(a, b, ctx);
  const regions = new Map<string, { change: Change; region?: Region; candidates: Flow[] }>();
  for (let i = 0; i < pieces.flows.length; i += BATCH) {
    const batch = pieces.flows.slice(i, i + BATCH);
    for (const { index, old: x, new: y } of decide(batch)) {
      const flow = batch[index] as Flow;
      if (x.action === y.action) continue;
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
    }
  }
  return { changes: changes.filter((c) => c.regions.length > 0 || c.kind === "mode" || c.kind === "settings"), context: ctx, stats };
}

function ids(c: RuleChange): { oldRule?: number; newRule?: number } {
  if (c.kind === "removed") return { oldRule: c.rule.id };
  if (c.kind === "added") return { newRule: c.rule.id };
  return { oldRule: c.old.id, newRule: c.rule.id };
}

function summary(d: Verdict): DecisionSummary {
  const s: DecisionSummary = { action: d.action, rule: d.rule };
  if (d.mode) s.mode = d.mode;
  return s;
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

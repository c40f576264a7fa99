/**
 * `nvp export --crd`: a checked policy (parameters resolved for one variant) → NeuVector CRD YAML,
 * one document per target group, as NeuVector's own export lays it out (controller/rest/
 * crdsecurityrule.go exportAttachRule): a rule is an ingress rule of its destination group, named
 * `<to>-ingress-<n>`, except that a rule from a workload to an address, `external` or `any` is an
 * egress rule of its source group, named `<to>-egress-<n>` (egress to the outside is where
 * Kubernetes enforcement needs it). A rule with several sources or destinations becomes one CRD
 * rule per pair, in order. Every rule carries a distinct `priority` (higher first) so NeuVector,
 * whose sort by priority is not stable, keeps nvp's first-match order across documents.
 *
 * What a CRD cannot carry is reported, never dropped silently: settings (warning), learned marks
 * (warning: CRD rules are never learned), groups and applications NeuVector cannot name (errors).
 */
import { stringify } from "yaml";
import type { Diagnostic } from "../../common/diagnostics.js";
import { findSetting } from "../check/settings-table.js";
import type { GroupModel, PolicyModel, RuleModel } from "../model.js";
import { evaluationOrder } from "../reference/rule-match.js";
import { criterionToCrd } from "./criteria.js";
import { ANY_ADDRESSES, NV_GROUP_NAME } from "./import-groups.js";
import { appsToCrd, portsToCrd } from "./ports.js";
import { CRD_API_VERSION, KEPT_SECTIONS, type CrdRule, type CrdRuleDoc, type CrdSelector } from "./types.js";

export interface ExportOptions {
  /** Documents of a side file written by `nvp import` (kept sections), merged back by target name. */
  kept?: readonly CrdRuleDoc[];
}

export interface ExportResult {
  /** The YAML stream; absent when there were errors. */
  text?: string;
  docs: CrdRuleDoc[];
  diagnostics: Diagnostic[];
  /** The nvp rule id of each CRD rule, in the order NeuVector (and `nvp import`) evaluates them. */
  order: { target: string; name: string; id: number }[];
}

const MODE_NAMES = { discover: "Discover", monitor: "Monitor", protect: "Protect" } as const;

export function exportCrd(model: PolicyModel, opts: ExportOptions = {}): ExportResult {
  const diagnostics: Diagnostic[] = [];
  const error = (code: string, message: string, help: string) => diagnostics.push({ code, severity: "error", message, help });
  const selectors = new Map<number, CrdSelector | null>();
  const selector = (g: GroupModel): CrdSelector | null => {
    let s = selectors.get(g.index);
    if (s === undefined) {
      const r = selectorOf(g);
      if ("error" in r) error("NV6201", `group \`${g.name}\`: ${r.error}`, "rewrite the group with criteria NeuVector has (docs/crd.md), or leave it out of the exported policy");
      s = "error" in r ? null : r;
      selectors.set(g.index, s);
    }
    return s;
  };
  settingsWarnings(model, diagnostics);

  const docs = new Map<number, { doc: CrdRuleDoc; ingress: number; egress: number }>();
  const docFor = (g: GroupModel) => {
    let e = docs.get(g.index);
    if (!e) {
      e = { doc: targetDoc(g, selector(g)), ingress: 0, egress: 0 };
      docs.set(g.index, e);
    }
    return e;
  };
  const order: ExportResult["order"] = [];
  const placed: { rule: CrdRule; target: string }[] = [];
  let learned = 0;
  const hasVh = (g: number) => (model.groups[g]?.addresses ?? []).some((a) => a.kind === "vh");
  // Evaluation order, not id order: a deny rule naming `nodes` is evaluated after all others, and
  // its pairs that do not name `nodes` (which NeuVector would not move) must stay there too.
  for (const r of evaluationOrder(model)) {
    if (r.learned) learned++;
    if (r.from.length * r.to.length > 1 && [...r.from, ...r.to].some(hasVh)) {
      diagnostics.push({ code: "NV6204", severity: "warning", message: `rule ${r.id} names several groups, one with \`vh:\` entries, and becomes one CRD rule per pair`, help: "while a flow's virtual host is not yet known, an earlier pair may hold it pending where nvp's single rule decides it; split the rule in the .nvp to see the same verdicts" });
    }
    const apps = appsToCrd(r.apps);
    if ("error" in apps) {
      error("NV6203", `rule ${r.id}: ${apps.error}`, "NeuVector identifies it, but its CRD cannot name it: drop the application from the rule or match by port");
      continue;
    }
    for (const f of r.from) {
      for (const t of r.to) {
        const from = model.groups[f] as GroupModel;
        const to = model.groups[t] as GroupModel;
        const egress = isOutside(to) && isWorkload(from);
        const owner = docFor(egress ? from : to);
        const other = selector(egress ? to : from);
        if (!other || !owner.doc.spec.target.selector.name) continue;
        const name = `${to.kind === "service" ? serviceName(to) : to.name}-${egress ? "egress" : "ingress"}-${egress ? owner.egress++ : owner.ingress++}`;
        const rule = crdRule(r, name, other, apps.ok);
        (egress ? (owner.doc.spec.egress ??= []) : (owner.doc.spec.ingress ??= [])).push(rule);
        placed.push({ rule, target: owner.doc.spec.target.selector.name });
        order.push({ target: owner.doc.spec.target.selector.name, name, id: r.id });
      }
    }
  }
  if (learned > 0) {
    diagnostics.push({ code: "NV6202", severity: "warning", message: `${learned} learned rule${learned === 1 ? " is" : "s are"} exported as plain rules`, help: "CRD rules are never learned: while a side is in Discover mode NeuVector reports such flows as allowed, not learned" });
  }
  // Priorities: the first rule highest, so the order holds whatever order NeuVector sorts ties in.
  placed.forEach((p, i) => (p.rule.priority = placed.length - i));
  // Service groups with a mode but no rule still need their document (the mode is in it).
  for (const g of model.groups) if (g.kind === "service" && g.mode !== undefined) docFor(g);
  const out = [...docs.values()].map((e) => e.doc);
  mergeKept(out, opts.kept ?? []);
  for (const doc of out) {
    if (doc.spec.ingress === undefined) doc.spec.ingress = [];
    if (doc.spec.egress === undefined) doc.spec.egress = [];
  }
  const result: ExportResult = { docs: out, diagnostics, order };
  if (!diagnostics.some((x) => x.severity === "error")) result.text = out.map((doc) => stringify(doc, { aliasDuplicateObjects: false })).join("---\n");
  return result;
}

function settingsWarnings(model: PolicyModel, out: Diagnostic[]): void {
  const s = model.settings;
  const odd = [
    ...(s.xff ? [] : ["`xff off`"]),
    ...(s.contention === "basic" ? [] : [`\`contention ${s.contention}\``]),
    ...(s.defaultMode === "discover" ? [] : [`\`default-mode ${s.defaultMode}\``]),
    ...(s.nodesMode === "discover" ? [] : [`\`nodes-mode ${s.nodesMode}\``]),
    ...Object.entries(s.extra).filter(([k, v]) => findSetting(k)?.default !== v).map(([k, v]) => `\`${k} ${v}\``),
  ];
  if (odd.length > 0) {
    out.push({ code: "NV6202", severity: "warning", message: `settings ${odd.join(", ")} are not part of a NeuVector CRD (they are NeuVector's system configuration)`, help: "set them in NeuVector's system configuration (or its ConfigMap) for the same verdicts" });
  }
}

const isWorkload = (g: GroupModel) => g.kind === "service" || g.kind === "workload" || g.builtin === "containers";
const isOutside = (g: GroupModel) => g.kind === "address" || g.builtin === "external" || g.builtin === "any";
const serviceName = (g: GroupModel) => `nv.${g.service?.service}.${g.service?.namespace}`;

function selectorOf(g: GroupModel): CrdSelector | { error: string } {
  if (g.kind === "builtin") {
    if (g.builtin === "any") return { name: "any", criteria: ANY_ADDRESSES.map((value) => ({ key: "address", op: "=", value })) };
    return { name: g.name, criteria: [] };
  }
  if (g.kind === "service") {
    const { service, namespace } = g.service ?? { service: "", namespace: "" };
    return { name: serviceName(g), criteria: [{ key: "service", op: "=", value: `${service}.${namespace}` }, { key: "domain", op: "=", value: namespace }] };
  }
  // NeuVector's own export of a service-IP group carries its addresses and `domain`; only the
  // `domain` survives its import (crdsecurityrule.go), so that is what nvp writes.
  if (g.kind === "service-ip") return { name: g.name, criteria: [{ key: "domain", op: "=", value: g.service?.namespace ?? "" }] };
  if (!NV_GROUP_NAME.test(g.name)) return { error: "NeuVector group names start with a letter or digit" };
  if (g.kind === "address") return { name: g.name, criteria: (g.addresses ?? []).map((a) => ({ key: "address", op: "=", value: a.text })) };
  const criteria = [];
  for (const c of g.criteria ?? []) {
    const r = criterionToCrd(c);
    if ("error" in r) return r;
    criteria.push(r.ok);
  }
  return { name: g.name, criteria };
}

function targetDoc(g: GroupModel, sel: CrdSelector | null): CrdRuleDoc {
  const selector = sel ?? { name: "" };
  // NeuVector's export: a group with a `domain` criterion is a namespaced NvSecurityRule.
  const ns = g.kind === "service" ? g.service?.namespace : (g.criteria ?? []).find((c) => c.key === "namespace" && c.op === "=" && !/[*?]/.test(c.value))?.value;
  const metadata: CrdRuleDoc["metadata"] = { name: dns1123(selector.name) };
  if (ns !== undefined) metadata.namespace = ns;
  const target: CrdRuleDoc["spec"]["target"] = { selector };
  target.policymode = g.kind === "service" ? (g.mode ? MODE_NAMES[g.mode] : "N/A") : "N/A";
  if (g.kind === "service" && !g.mode) delete target.policymode;
  return { apiVersion: CRD_API_VERSION, kind: ns !== undefined ? "NvSecurityRule" : "NvClusterSecurityRule", metadata, spec: { target } };
}

function crdRule(r: RuleModel, name: string, selector: CrdSelector, apps: string[]): CrdRule {
  return { name, action: r.action, selector, applications: apps, ports: portsToCrd(r.ports) };
}

/** NeuVector's Dns1123NameChg: a lower-case object name Kubernetes accepts. */
function dns1123(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "") || "group";
}

/** Put kept sections (and metadata) back into the document of their target, or add the document. */
function mergeKept(docs: CrdRuleDoc[], kept: readonly CrdRuleDoc[]): void {
  for (const k of kept) {
    const name = k.spec.target.selector.name;
    const doc = docs.find((x) => x.spec.target.selector.name === name);
    if (!doc) {
      docs.push(k);
      continue;
    }
    doc.metadata = { ...k.metadata, ...doc.metadata };
    for (const s of KEPT_SECTIONS) if (k.spec[s] !== undefined) (doc.spec as unknown as Record<string, unknown>)[s] = k.spec[s];
  }
}

/**
 * `nvp import`: NeuVector CRD YAML → one `.nvp` policy, plus a side file with the spec sections nvp
 * does not model (process, process_profile, file, response, dlp, waf), kept verbatim so that
 * `nvp export --crd --keep FILE` writes them back.
 *
 * Rule order is NeuVector's for CRD rules: by `priority`, higher first; equal priorities keep the
 * input order (documents in order, ingress before egress, as NeuVector parses them). Ingress rules
 * go from the selector to the target, egress rules from the target to the selector. Imported ids
 * are 10, 20, 30… in that order, and each rule's comment is its CRD name.
 */
import { stringify } from "yaml";
import { sortDiagnostics, type Diagnostic } from "../../common/diagnostics.js";
import { Diags, q } from "../check/diag.js";
import { checkSources } from "../pipeline.js";
import { GroupTable, isIpEntry, type ImportedGroup } from "./import-groups.js";
import { appsToNvp, portsToNvp } from "./ports.js";
import { readCrds, spanOf } from "./read.js";
import { KEPT_SECTIONS, type CrdRule, type CrdRuleDoc } from "./types.js";

export interface ImportOptions {
  /** The `policy` name written (default `imported`). */
  policyName?: string;
  /** The name of the generated file in diagnostics about it (default `imported.nvp`). */
  outName?: string;
}

export interface ImportResult {
  /** The `.nvp` text; absent when the input had errors. */
  text?: string;
  /** The side file (YAML) of kept sections; absent when there is nothing to keep. */
  kept?: string;
  diagnostics: Diagnostic[];
  /** Texts by file name, for rendering diagnostics. */
  sources: Map<string, string>;
  /** Imported rules in evaluation order: id and CRD name. */
  rules: { id: number; name: string }[];
}

interface PendingRule {
  rule: CrdRule;
  from: string;
  to: string;
  priority: number;
  seq: number;
}

const ID_STEP = 10;
const MODE_WORDS: Record<string, string> = { Discover: "discover", Monitor: "monitor", Protect: "protect" };

export function importCrds(files: readonly { name: string; text: string }[], opts: ImportOptions = {}): ImportResult {
  const d = new Diags();
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const docs: CrdRuleDoc[] = [];
  const groups = new GroupTable(d);
  for (const f of files) {
    sources.set(f.name, f.text);
    const r = readCrds(f.text, f.name);
    diagnostics.push(...r.diagnostics);
    for (const doc of r.docs) {
      if (doc.kind === "NvGroupDefinition") groups.add(doc.spec.selector);
      else docs.push(doc);
    }
  }
  for (const doc of docs) {
    groups.add(doc.spec.target.selector);
    for (const r of [...(doc.spec.ingress ?? []), ...(doc.spec.egress ?? [])]) groups.add(r.selector);
  }
  groups.resolve();

  const modes = new Map<string, { mode: string; doc: CrdRuleDoc }>();
  const pending: PendingRule[] = [];
  const kept: unknown[] = [];
  for (const doc of docs) {
    const target = doc.spec.target;
    const tname = target.selector.name;
    readMode(d, doc, modes);
    const names = new Map<string, CrdRule>();
    for (const [dir, list] of [["ingress", doc.spec.ingress ?? []], ["egress", doc.spec.egress ?? []]] as const) {
      for (const r of list) {
        const first = names.get(r.name);
        if (first) {
          d.error("NV6102", { span: spanOf(r, "name") ?? spanOf(r)!, message: `rule name ${q(r.name)} is used twice in this document`, label: "second use", help: "NeuVector keys CRD rules by name: rename one", related: [{ span: spanOf(first, "name") ?? spanOf(first)!, message: "first use" }] });
          continue;
        }
        names.set(r.name, r);
        if (r.selector.original_name !== undefined) {
          d.warn("NV6005", { span: spanOf(r.selector, "original_name") ?? spanOf(r)!, message: `\`original_name\` of rule ${q(r.name)} is not kept`, label: "ignored", help: "NeuVector uses it only to rename groups on import; nvp names the group by `name`" });
        }
        const other = r.selector.name;
        pending.push({ rule: r, from: dir === "ingress" ? other : tname, to: dir === "ingress" ? tname : other, priority: r.priority ?? 0, seq: pending.length });
      }
    }
    const sections = KEPT_SECTIONS.filter((k) => doc.spec[k] !== undefined);
    const { name: _n, namespace: _ns, ...extraMeta } = doc.metadata;
    // Target settings nvp does not model (metrics, session limits) travel with the kept sections.
    const { name: _t, criteria: _c, name_referral: _r, comment: _k, ...targetExtra } = target.selector;
    if (sections.length > 0 || Object.keys(extraMeta).length > 0 || Object.keys(targetExtra).length > 0) {
      kept.push({ apiVersion: doc.apiVersion, kind: doc.kind, metadata: doc.metadata, spec: { target, ...Object.fromEntries(sections.map((k) => [k, doc.spec[k]])) } });
    }
  }
  pending.sort((a, b) => b.priority - a.priority || a.seq - b.seq);

  const lines: string[] = [];
  const rules: { id: number; name: string }[] = [];
  pending.forEach((p, i) => {
    const line = ruleLine(d, p, groups, (i + 1) * ID_STEP);
    if (line !== undefined) {
      lines.push(line);
      rules.push({ id: (i + 1) * ID_STEP, name: p.rule.name });
    }
  });
  const all = sortDiagnostics([...diagnostics, ...d.list]);
  if (all.some((x) => x.severity === "error")) return { diagnostics: all, sources, rules };

  const header = [
    `# Imported from NeuVector CRD YAML (${files.map((f) => f.name).join(", ")}) by \`nvp import\`.`,
    "# Rules keep NeuVector's order (priority, then input order); each comment is the CRD rule name.",
    `policy ${opts.policyName ?? "imported"}`,
    "",
  ];
  const text = [...header, ...groupLines(groups.all(), modes), "", ...lines].join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
  const out: ImportResult = { text, diagnostics: all, sources, rules };
  if (kept.length > 0) out.kept = kept.map((k) => stringify(k)).join("---\n");
  // The generated text must check; if it does not, that is reported against the text itself.
  const outName = opts.outName ?? "imported.nvp";
  const checked = checkSources({ [outName]: text }, [outName]);
  const errors = checked.diagnostics.filter((x) => x.severity === "error");
  if (errors.length > 0) {
    sources.set(outName, text);
    delete out.text;
    out.diagnostics = sortDiagnostics([...all, ...errors]);
  }
  return out;
}

function readMode(d: Diags, doc: CrdRuleDoc, modes: Map<string, { mode: string; doc: CrdRuleDoc }>): void {
  const target = doc.spec.target;
  const pm = target.policymode;
  if (pm === undefined || pm === "N/A" || pm === "") return;
  const span = spanOf(target, "policymode") ?? spanOf(target)!;
  const mode = MODE_WORDS[pm];
  if (mode === undefined) {
    d.error("NV6101", { span, message: `policy mode ${q(pm)} is not Discover, Monitor, Protect or N/A`, label: "unknown mode", help: "NeuVector's CRD spells modes with a capital letter" });
    return;
  }
  const name = target.selector.name;
  if (!name.startsWith("nv.")) {
    d.error("NV6104", { span, message: `target ${q(name)} cannot take a policy mode`, label: "mode on a custom group", help: "only `nv.<service>.<namespace>` groups carry a mode; write `policymode: N/A` or remove it" });
    return;
  }
  const prev = modes.get(name);
  if (prev && prev.mode !== mode) {
    d.error("NV6103", { span, message: `group ${q(name)} gets two policy modes`, label: `${pm} here`, help: "give the group one mode", related: [{ span: spanOf(prev.doc.spec.target, "policymode") ?? span, message: `${prev.mode} here` }] });
    return;
  }
  modes.set(name, { mode, doc });
}

function ruleLine(d: Diags, p: PendingRule, groups: GroupTable, id: number): string | undefined {
  const r = p.rule;
  const span = spanOf(r)!;
  let ok = true;
  const bad = (field: string, message: string, help: string) => {
    d.error("NV6101", { span: spanOf(r, field) ?? span, message, label: "invalid", help });
    ok = false;
  };
  if (r.action !== "allow" && r.action !== "deny") bad("action", `rule ${q(r.name)}: action ${q(r.action)} is not \`allow\` or \`deny\``, "write `action: allow` or `action: deny`");
  const ports = portsToNvp(r.ports ?? "");
  if ("error" in ports) bad("ports", `rule ${q(r.name)}: ${ports.error}`, "NeuVector port lists are like `tcp/80,udp/53-60,icmp`");
  const apps = appsToNvp(r.applications ?? []);
  if ("error" in apps) bad("applications", `rule ${q(r.name)}: ${apps.error}`, "use NeuVector's application names, or `any`");
  const from = groups.get(p.from);
  const to = groups.get(p.to);
  if (!ok || !from || !to || "error" in ports || "error" in apps) return undefined;
  const parts = [`rule ${id} ${r.action} ${from.ref} -> ${to.ref}`];
  if (apps.ok.length > 0) parts.push(`${apps.ok.length === 1 ? "app" : "apps"} ${apps.ok.join(", ")}`);
  if (ports.ok.length > 0) parts.push(`${ports.ok.length === 1 ? "port" : "ports"} ${ports.ok.join(", ")}`);
  parts.push(quote(r.name));
  return parts.join(" ");
}

function groupLines(groups: readonly ImportedGroup[], modes: Map<string, { mode: string }>): string[] {
  const out: string[] = [];
  const aliases = new Set(groups.map((g) => g.ref));
  for (const [name, { mode }] of modes) {
    const rest = name.slice(3);
    let alias = rest.replace(/[^A-Za-z0-9_.-]/g, "-");
    while (aliases.has(alias)) alias = `${alias}-svc`;
    aliases.add(alias);
    out.push(`service ${alias} = ${name} { mode ${mode} }`);
  }
  for (const g of groups) {
    if (g.kind === "builtin" || g.kind === "service" || g.kind === "service-ip") continue;
    if (g.comment) out.push(...g.comment.split("\n").map((l) => `# ${l}`));
    if (g.kind === "address") {
      const entries = g.entries.map((e) => (e.startsWith("vh:") ? `vh:${quote(e.slice(3))}` : isIpEntry(e) ? e : quote(e)));
      out.push(`group ${g.ref} { address ${entries.join(", ")} }`);
    } else {
      const crit = g.criteria.map((c) => {
        const label = c.labelKey === undefined ? "" : ` ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.labelKey) ? c.labelKey : quote(c.labelKey)}`;
        return `${c.key}${label} ${c.op} ${quote(c.value)}`;
      });
      out.push(crit.length ? `group ${g.ref} { ${crit.join("; ")} }` : `group ${g.ref} { }`);
    }
  }
  return out;
}

/** A .nvp string literal: escapes for `"`, `\`, `$` (no interpolation) and control characters. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"$]/g, "\\$&").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/\r/g, "\\r")}"`;
}

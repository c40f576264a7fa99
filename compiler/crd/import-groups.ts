/**
 * Import, step 1: every group the CRD documents name, classified the way nvp declares it. A group
 * is defined by an NvGroupDefinition or by any selector without `name_referral`; one name with two
 * different definitions is an error (NeuVector refuses the import too). Built-ins keep their names;
 * `nv.<service>.<namespace>` becomes a service reference; everything else a custom group, renamed
 * (with a warning) when its NeuVector name is not an nvp name.
 */
import { parseIpRange } from "../../common/ip.js";
import type { Span } from "../../common/span.js";
import { KEYWORDS } from "../../grammar/tokens.js";
import { NAME_RE } from "../../grammar/words.js";
import { type Diags, q } from "../check/diag.js";
import { criterionToNvp, crdOp, type NvpCriterion } from "./criteria.js";
import { spanOf } from "./read.js";
import type { CrdCriterion, CrdSelector } from "./types.js";

const BUILTINS = new Set(["external", "nodes", "containers"]);
/** What export writes for nvp's `any`, which NeuVector has no group for. */
export const ANY_ADDRESSES = ["0.0.0.0/0", "::/0"];
/** NeuVector's group name rule (docs/05.policy/13.usingcrd). */
export const NV_GROUP_NAME = /^[a-zA-Z0-9]+[.:a-zA-Z0-9_-]*$/;

export type ImportedGroup =
  | { kind: "builtin"; ref: string }
  | { kind: "service"; ref: string; service: string; namespace: string }
  /** NeuVector's service-IP group `nv.ip.<svc>.<ns>`: nvp resolves the name itself (semantics.md S2.10). */
  | { kind: "service-ip"; ref: string }
  | { kind: "address"; ref: string; entries: string[]; comment?: string }
  | { kind: "workload"; ref: string; criteria: NvpCriterion[]; comment?: string };

interface Definition {
  selector: CrdSelector;
  span: Span;
  key: string;
}

const canonical = (cs: readonly CrdCriterion[] = []) => JSON.stringify([...cs].map((c) => [c.key, c.op, c.value]).sort());

export class GroupTable {
  private readonly defs = new Map<string, Definition>();
  private readonly referrals: { name: string; span: Span }[] = [];
  private readonly groups = new Map<string, ImportedGroup | null>();
  private readonly taken = new Set<string>();

  constructor(private readonly d: Diags) {}

  /** Record a selector as written in a document (a definition unless it refers by name). */
  add(sel: CrdSelector): void {
    const span = spanOf(sel) ?? spanOf(sel, "name");
    if (!span) return;
    if (sel.name_referral === true) {
      this.referrals.push({ name: sel.name, span });
      return;
    }
    if (BUILTINS.has(sel.name)) {
      // NeuVector's own export writes `container = *` for `containers`: that is no news.
      const own = sel.name === "containers" && canonical(sel.criteria) === canonical([{ key: "container", op: "=", value: "*" }]);
      if ((sel.criteria ?? []).length > 0 && !own) {
        this.d.warn("NV6107", { span: spanOf(sel, "criteria") ?? span, message: `criteria of the built-in group ${q(sel.name)} are ignored`, label: "ignored", help: "NeuVector ignores them too; remove them" });
      }
      return;
    }
    const key = canonical(sel.criteria);
    const prev = this.defs.get(sel.name);
    if (prev === undefined) this.defs.set(sel.name, { selector: sel, span, key });
    else if (prev.key !== key) {
      this.d.error("NV6103", { span, message: `group ${q(sel.name)} is defined twice with different criteria`, label: "second definition", help: "give one of them another name, or make the criteria equal (or use `name_referral: true`)", related: [{ span: prev.span, message: "first definition" }] });
    }
  }

  /** After every document was added: classify each group (errors for what nvp cannot say). */
  resolve(): void {
    for (const r of this.referrals) {
      if (!BUILTINS.has(r.name) && !this.defs.has(r.name) && !r.name.startsWith("nv.")) {
        this.d.error("NV6106", { span: r.span, message: `${q(r.name)} refers to a group no document defines`, label: "name_referral", help: "add its NvGroupDefinition to the input, or write its criteria inline" });
      }
    }
    // Custom names first keep their own spelling; renames come after, so they never take one.
    for (const name of this.defs.keys()) if (nvpName(name)) this.taken.add(name);
    for (const [name, def] of this.defs) this.groups.set(name, this.classify(name, def));
  }

  /** The group a rule or target names (null when it had errors). */
  get(name: string): ImportedGroup | null {
    if (BUILTINS.has(name)) return { kind: "builtin", ref: name };
    const g = this.groups.get(name);
    if (g !== undefined) return g;
    if (name.startsWith("nv.")) return serviceRef(name);
    return null;
  }

  all(): ImportedGroup[] {
    return [...this.groups.values()].filter((g): g is ImportedGroup => g !== null);
  }

  private classify(name: string, def: Definition): ImportedGroup | null {
    const sel = def.selector;
    const span = spanOf(sel, "name") ?? def.span;
    const lower = name.toLowerCase();
    // Exported rules name service-IP groups; NeuVector's import keeps only their `domain` criterion
    // (controller/rest/crdsecurityrule.go), and nvp fills them from the inventory's Services.
    if (name.startsWith("nv.ip.") && name.split(".").length === 4) return { kind: "service-ip", ref: name };
    if (!NV_GROUP_NAME.test(name) || ["fed.", "nv.ip.", "host:", "workload:"].some((p) => lower.startsWith(p))) {
      this.d.error("NV6109", { span, message: `${q(name)} is not a group name NeuVector imports`, label: "invalid or reserved name", help: "names match `^[a-zA-Z0-9]+[.:a-zA-Z0-9_-]*$` and do not start with `fed.`, `nv.ip.`, `Host:` or `Workload:`" });
      return null;
    }
    const criteria = sel.criteria ?? [];
    if (name === "any" && canonical(criteria) === canonical(ANY_ADDRESSES.map((value) => ({ key: "address", op: "=", value })))) {
      return { kind: "builtin", ref: "any" };
    }
    if (name.startsWith("nv.")) {
      const g = serviceRef(name);
      if (!g) this.d.error("NV6109", { span, message: `${q(name)} is not \`nv.<service>.<namespace>\``, label: "bad service group name", help: "NeuVector's service groups are named nv.<service>.<namespace>" });
      return g;
    }
    const ref = this.rename(name, span);
    const comment = sel.comment ? { comment: sel.comment } : {};
    const addresses = criteria.filter((c) => c.key === "address");
    if (addresses.length > 0) {
      if (addresses.length < criteria.length) {
        this.d.error("NV6105", { span: spanOf(sel, "criteria") ?? span, message: `group ${q(name)} mixes \`address\` with workload criteria`, label: "mixed criteria", help: "NeuVector cannot combine them either: split it into an address group and a workload group" });
        return null;
      }
      const bad = addresses.find((c) => c.op !== "=");
      if (bad) {
        this.d.error("NV6101", { span: spanOf(bad, "op") ?? span, message: `address criterion with operator ${q(bad.op)}`, label: "only `=`", help: "address criteria take `=` only" });
        return null;
      }
      return { kind: "address", ref, entries: addresses.map((c) => c.value), ...comment };
    }
    const hasNs = criteria.some((c) => c.key === "domain" || c.key === "namespace");
    if (criteria.some((c) => c.key === "domain") && criteria.some((c) => c.key === "namespace")) {
      this.d.error("NV6105", { span: spanOf(sel, "criteria") ?? span, message: `group ${q(name)} has both \`domain\` and \`namespace\` criteria`, label: "two namespace keys", help: "NeuVector ANDs the two keys while nvp treats them as one; write one of them" });
      return null;
    }
    const serviceAlone = !hasNs && criteria.filter((c) => c.key === "service").length === 1;
    const out: NvpCriterion[] = [];
    let ok = true;
    for (const c of criteria) {
      const op = crdOp(c.op);
      if (op === undefined) {
        this.d.error("NV6101", { span: spanOf(c, "op") ?? span, message: `unknown criterion operator ${q(c.op)}`, label: "not a group operator", help: "NeuVector groups take `=`, `!=`, `contains`, `prefix`, `regex` and `!regex`" });
        ok = false;
        continue;
      }
      const r = criterionToNvp(c, op, serviceAlone);
      if ("error" in r) {
        this.d.error("NV6105", { span: spanOf(c) ?? span, message: r.error, label: "not expressible", help: r.help });
        ok = false;
      } else out.push(...r.ok);
    }
    return ok ? { kind: "workload", ref, criteria: out, ...comment } : null;
  }

  /** The nvp name of a custom group: its own when valid, else a close one (with a warning). */
  private rename(name: string, span: Span): string {
    if (nvpName(name)) return name;
    let base = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/[-.]{2,}/g, "-").replace(/^[-.]+|[-.]+$/g, "");
    if (!/^[A-Za-z_]/.test(base) || !nvpName(base)) base = `g-${base}`;
    let out = base;
    for (let i = 2; this.taken.has(out) || !nvpName(out); i++) out = `${base}-${i}`;
    this.taken.add(out);
    this.d.warn("NV6108", { span, message: `group ${q(name)} is named ${q(out)} in nvp`, label: "renamed", help: "nvp names start with a letter or `_`, hold letters, digits, `_`, single `-` or `.`, and are not keywords or built-ins" });
    return out;
  }
}

function nvpName(name: string): boolean {
  return NAME_RE.test(name) && !KEYWORDS.has(name) && !BUILTINS.has(name) && name !== "any" && !name.startsWith("nv.");
}

/** `nv.<service>.<namespace>`: the namespace is the last label (Kubernetes namespaces hold no dot). */
function serviceRef(name: string): ImportedGroup | null {
  const rest = name.slice(3);
  const dot = rest.lastIndexOf(".");
  if (dot <= 0 || dot === rest.length - 1) return null;
  return { kind: "service", ref: name, service: rest.slice(0, dot), namespace: rest.slice(dot + 1) };
}

/** Is an address entry an IP, CIDR or range (written bare in .nvp) rather than a name? */
export function isIpEntry(text: string): boolean {
  return !("error" in parseIpRange(text));
}

/**
 * Reading NeuVector CRD YAML: single documents, `---` streams, `kind: List` and bare top-level
 * sequences (the form NeuVector's docs quote). Every value is checked against the chart's shape
 * (types.ts); a wrong type or a missing required field is an error, an unknown field a warning —
 * nothing is dropped silently. Positions come from the `yaml` parser, so every finding points at
 * file:line:column, and `spanOf(obj, field)` finds where any read value was written.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Span } from "../../common/span.js";
import { Diags, q } from "../check/diag.js";
import { GROUP_KIND, KEPT_SECTIONS, OTHER_NV_KINDS, RULE_KINDS, type CrdDoc } from "./types.js";

type Shape = "string" | "bool" | "int" | "verbatim" | { fields: Record<string, Field>; open?: boolean } | { items: Shape };
interface Field {
  shape: Shape;
  required?: boolean;
}

const str: Field = { shape: "string" };
const criteria: Field = { shape: { items: { fields: { key: { shape: "string", required: true }, op: { shape: "string", required: true }, value: { shape: "string", required: true } } } } };
const selectorFields = { name: { ...str, required: true }, comment: str, criteria, name_referral: { shape: "bool" }, original_name: str } satisfies Record<string, Field>;
const targetSelector: Field = {
  shape: { fields: { ...selectorFields, mon_metric: { shape: "bool" }, grp_sess_cur: { shape: "int" }, grp_sess_rate: { shape: "int" }, grp_band_width: { shape: "int" } } },
  required: true,
};
const rule: Field = {
  shape: {
    items: {
      fields: {
        name: { ...str, required: true },
        action: { ...str, required: true },
        selector: { shape: { fields: selectorFields }, required: true },
        applications: { shape: { items: "string" } },
        ports: str,
        priority: { shape: "int" },
      },
    },
  },
};
const metadata: Field = { shape: { fields: { name: str, namespace: str }, open: true } };
const RULE_SPEC: Field = {
  shape: {
    fields: {
      target: { shape: { fields: { policymode: str, selector: targetSelector } }, required: true },
      ingress: rule,
      egress: rule,
      ...Object.fromEntries(KEPT_SECTIONS.map((k) => [k, { shape: "verbatim" } satisfies Field])),
    },
  },
  required: true,
};
const GROUP_SPEC: Field = { shape: { fields: { selector: { shape: { fields: selectorFields }, required: true } } }, required: true };

/** Where each field of a read object was written (and the object itself, under ""). */
const SPANS = new WeakMap<object, Map<string, Span>>();

/** The span of `field` of an object `readCrds` returned (or of the object itself). */
export function spanOf(obj: object, field = ""): Span | undefined {
  const m = SPANS.get(obj);
  return m?.get(field) ?? m?.get("");
}

export interface ReadResult {
  docs: CrdDoc[];
  diagnostics: Diagnostic[];
}

/** Parse one CRD file's text; `file` names it in diagnostics. */
export function readCrds(text: string, file: string): ReadResult {
  const lc = new LineCounter();
  const d = new Diags();
  const spanAt = (from: number, to: number): Span => {
    const a = lc.linePos(from);
    const b = lc.linePos(Math.max(from, to));
    return { file, start: { line: a.line, col: a.col, offset: from }, end: { line: b.line, col: b.col, offset: Math.max(from, to) } };
  };
  const spanOfNode = (n: Node | null | undefined, fallback: Span): Span => (n?.range ? spanAt(n.range[0], n.range[1]) : fallback);
  const docs: CrdDoc[] = [];
  const streams = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(streams) ? streams : [];
  for (const doc of all) {
    for (const e of doc.errors) {
      d.error("NV6001", { span: spanAt(e.pos[0], e.pos[1]), message: e.message.split("\n")[0] ?? "YAML syntax error", label: "here", help: "fix the YAML syntax" });
    }
  }
  if (d.errors > 0) return { docs, diagnostics: d.list };
  const whole = spanAt(0, 0);

  /** Check `node` against `field`; return the plain value (undefined when unusable). */
  function read(node: Node | null | undefined, field: Field, path: string): unknown {
    const span = spanOfNode(node, whole);
    const shape = field.shape;
    const wrong = (want: string) => {
      d.error("NV6004", { span, message: `${q(path)} must be ${want}`, label: `not ${want}`, help: "see the NeuVector CRD schema in docs/crd.md" });
      return undefined;
    };
    if (shape === "verbatim") return node ? (node as { toJSON(): unknown }).toJSON() : undefined;
    if (shape === "string") {
      if (!isScalar(node) || node.value === null || typeof node.value === "object") return wrong("a string");
      // Kubernetes would refuse a number or boolean here; accepting its text is what users mean.
      return String(node.value);
    }
    if (shape === "bool") return isScalar(node) && typeof node.value === "boolean" ? node.value : wrong("true or false");
    if (shape === "int") return isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value) ? node.value : wrong("an integer");
    if ("items" in shape) {
      if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
      if (!isSeq(node)) return wrong("a list");
      return node.items.map((it, i) => read(it as Node, { shape: shape.items }, `${path}[${i}]`)).filter((v) => v !== undefined);
    }
    if (!isMap(node)) return wrong("a mapping");
    const out: Record<string, unknown> = {};
    const spans = new Map<string, Span>([["", span]]);
    SPANS.set(out, spans);
    let ok = true;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      const keySpan = spanOfNode(pair.key as Node, span);
      const f = shape.fields[key];
      if (!f) {
        if (shape.open) out[key] = pair.value && (pair.value as { toJSON(): unknown }).toJSON();
        else d.warn("NV6005", { span: keySpan, message: `unknown field ${q(key)} in ${q(path)} is ignored`, label: "not in the NeuVector CRD schema", help: `NeuVector's CRD has ${Object.keys(shape.fields).map((k) => `\`${k}\``).join(", ")} here` });
        continue;
      }
      // Kubernetes drops a field set to null (NeuVector's own export writes `policymode: null`).
      if (!f.required && (pair.value === null || (isScalar(pair.value) && pair.value.value === null))) continue;
      const v = read(pair.value as Node, f, `${path}.${key}`);
      spans.set(key, spanOfNode(pair.value as Node, keySpan));
      if (v === undefined) ok = false;
      else out[key] = v;
    }
    for (const [key, f] of Object.entries(shape.fields)) {
      if (f.required && !(key in out) && !node.items.some((p) => isScalar(p.key) && String(p.key.value) === key)) {
        d.error("NV6003", { span, message: `${q(path)} has no ${q(key)}`, label: `\`${key}\` missing`, help: `add \`${key}:\` (NeuVector requires it)` });
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  function readDoc(node: Node, path: string): void {
    const span = spanOfNode(node, whole);
    if (isSeq(node)) {
      node.items.forEach((it, i) => readDoc(it as Node, `${path}[${i}]`));
      return;
    }
    if (!isMap(node)) {
      d.error("NV6002", { span, message: `${q(path)} is not a Kubernetes object`, label: "expected a mapping with `kind`", help: "a CRD file holds NvSecurityRule, NvClusterSecurityRule or NvGroupDefinition objects" });
      return;
    }
    const kindNode = node.get("kind", true) as Node | undefined;
    const kind = isScalar(kindNode) ? String(kindNode.value) : "";
    const api = node.get("apiVersion");
    if (kind === "List") {
      const items = node.get("items", true) as Node | undefined;
      if (isSeq(items)) items.items.forEach((it, i) => readDoc(it as Node, `${path}.items[${i}]`));
      else if (items) d.error("NV6004", { span: spanOfNode(items, span), message: `${q(`${path}.items`)} must be a list`, label: "not a list", help: "a `kind: List` holds its objects under `items:`" });
      return;
    }
    const kindSpan = spanOfNode(kindNode, span);
    if (OTHER_NV_KINDS.includes(kind)) {
      d.warn("NV6006", { span: kindSpan, message: `${q(kind)} has no network rules and is not imported`, label: "ignored", help: "apply it to NeuVector as it is; nvp models network rules only" });
      return;
    }
    const isRule = (RULE_KINDS as readonly string[]).includes(kind);
    if (!isRule && kind !== GROUP_KIND) {
      d.error("NV6002", { span: kindSpan, message: `${kind ? `kind ${q(kind)}` : "an object without `kind`"} is not a NeuVector network CRD`, label: "unknown kind", help: "nvp imports NvSecurityRule, NvClusterSecurityRule and NvGroupDefinition (alone, in `---` streams or in a `kind: List`)" });
      return;
    }
    if (typeof api !== "string" || !api.startsWith("neuvector.com/")) {
      d.error("NV6002", { span: spanOfNode(node.get("apiVersion", true) as Node, span), message: api === undefined ? `${q(path)} has no \`apiVersion\`` : `${q(path)}: apiVersion ${q(String(api))} is not NeuVector's`, label: "expected `neuvector.com/v1`", help: "NeuVector CRDs use `apiVersion: neuvector.com/v1`" });
      return;
    }
    const top: Field = { shape: { fields: { apiVersion: str, kind: str, metadata, spec: isRule ? RULE_SPEC : GROUP_SPEC } } };
    const value = read(node, top, path);
    if (value !== undefined) docs.push(value as CrdDoc);
  }

  all.forEach((doc, i) => {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    readDoc(doc.contents as Node, all.length > 1 ? `document ${i + 1}` : "document");
  });
  return { docs, diagnostics: d.list };
}

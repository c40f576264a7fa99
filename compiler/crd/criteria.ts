/**
 * Group criteria between NeuVector's CRD form and nvp's, both ways. Most keys and operators are the
 * same; the differences are written down here (docs/crd.md "Criteria"):
 *  - NeuVector keys a pod label by its own name (`app`) and a namespace label as `ns:<name>`; nvp
 *    writes `label app` and `ns-label <name>`. A label whose name is a NeuVector key cannot be said.
 *  - NeuVector's `service` value is `<service>.<namespace>` (share/utils MakeServiceName); nvp's
 *    `service` criterion is the service name alone. `= web` becomes `= web.*` (Kubernetes
 *    namespaces hold no dot), `prefix we` stays, `contains e` becomes the regex `^[^.]*e`; back the
 *    same way. A regex on the service name has no equivalent and is refused.
 *  - `domain` and `namespace` are one key in nvp; export writes `domain`.
 */
import type { CriterionKeyModel, CriterionModel } from "../model.js";
import type { CrdCriterion } from "./types.js";

/** NeuVector keys that are not pod labels (share/criteria.go), so `label <key>` cannot be exported. */
const NV_KEYS = new Set(["image", "node", "container", "service", "domain", "namespace", "address"]);
export const NV_OPS = ["=", "!=", "contains", "prefix", "regex", "!regex"] as const;
/** Older spellings NeuVector still reads as regex / !regex (share/criteria.go, deprecated since 5.3.2). */
const OP_ALIASES: Record<string, string> = { regexContainsAny: "regex", "!regexContainsAny": "!regex" };

const SERVICE_CONTAINS = "^[^.]*";
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
const escapeRegex = (s: string) => s.replace(REGEX_SPECIAL, "\\$&");

/** A criterion as nvp writes it (key before `domain` folding; the text printer quotes the value). */
export interface NvpCriterion {
  key: CriterionKeyModel;
  labelKey?: string;
  op: string;
  value: string;
}

export type ToNvp = { ok: NvpCriterion[] } | { error: string; help: string };

/** Normalised NeuVector operator, or undefined when NeuVector has no such group operator. */
export function crdOp(op: string): string | undefined {
  const o = OP_ALIASES[op] ?? op;
  return (NV_OPS as readonly string[]).includes(o) ? o : undefined;
}

/**
 * One CRD criterion (key other than `address`) in nvp terms. `serviceAlone`: it is the group's only
 * `service` criterion and the group has no namespace criterion, so `service = web.shop` can become
 * `service = web` and `namespace = shop`.
 */
export function criterionToNvp(c: CrdCriterion, op: string, serviceAlone: boolean): ToNvp {
  const key = c.key;
  if (key === "domain" || key === "namespace") return { ok: [{ key: "namespace", op, value: c.value }] };
  if (key === "image" || key === "node" || key === "container") return { ok: [{ key, op, value: c.value }] };
  if (key.startsWith("ns:")) return { ok: [{ key: "ns-label", labelKey: key.slice(3), op, value: c.value }] };
  if (key !== "service") return { ok: [{ key: "label", labelKey: key, op, value: c.value }] };
  const v = c.value;
  const refuse = {
    error: `criterion \`service ${op} ${v}\` has no nvp equivalent`,
    help: "NeuVector matches `<service>.<namespace>`, nvp the service name alone: use `= <service>.*`, `= <service>.<namespace>`, `prefix`, or a label criterion",
  };
  if (op === "=" || op === "!=") {
    if (v === "any") return { ok: [{ key: "service", op, value: v }] };
    if (v.endsWith(".*") && !v.slice(0, -2).includes(".") && v.length > 2) return { ok: [{ key: "service", op, value: v.slice(0, -2) }] };
    const dot = v.lastIndexOf(".");
    if (op === "=" && serviceAlone && dot > 0 && dot < v.length - 1 && !/[*?]/.test(v)) {
      return { ok: [{ key: "service", op, value: v.slice(0, dot) }, { key: "namespace", op, value: v.slice(dot + 1) }] };
    }
    return refuse;
  }
  if (op === "prefix" && v !== "" && !v.includes(".")) return { ok: [{ key: "service", op, value: v }] };
  if (op === "regex" && v.startsWith(SERVICE_CONTAINS)) {
    const rest = v.slice(SERVICE_CONTAINS.length);
    const plain = rest.replace(/\\(.)/g, "$1");
    if (rest !== "" && escapeRegex(plain) === rest && !plain.includes(".")) return { ok: [{ key: "service", op: "contains", value: plain }] };
  }
  return refuse;
}

export type ToCrd = { ok: CrdCriterion } | { error: string };

/** One nvp criterion (from the checked model) in NeuVector CRD terms. */
export function criterionToCrd(c: CriterionModel): ToCrd {
  const { op, value } = c;
  switch (c.key) {
    case "namespace":
      return { ok: { key: "domain", op, value } };
    case "image":
    case "node":
    case "container":
      return { ok: { key: c.key, op, value } };
    case "ns-label":
      return { ok: { key: `ns:${c.labelKey ?? ""}`, op, value } };
    case "label": {
      const k = c.labelKey ?? "";
      if (NV_KEYS.has(k) || k.startsWith("ns:")) return { error: `label \`${k}\`: NeuVector reads the key \`${k}\` as its own criterion, not a label` };
      return { ok: { key: k, op, value } };
    }
    case "service": {
      const why = `criterion \`service ${op} "${value}"\` has no NeuVector equivalent (NeuVector matches \`<service>.<namespace>\`)`;
      if (value.includes(".")) return { error: why };
      if (op === "=" || op === "!=") {
        if (value === "") return { error: why };
        return { ok: { key: "service", op, value: value === "any" ? value : `${value}.*` } };
      }
      if (op === "prefix") return { ok: { key: "service", op, value } };
      if (op === "contains") return { ok: { key: "service", op: "regex", value: SERVICE_CONTAINS + escapeRegex(value) } };
      return { error: why };
    }
  }
}

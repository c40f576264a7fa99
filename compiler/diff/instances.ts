/**
 * `nvp diff`: concrete attribute values and synthetic workloads for the partition (universe.ts,
 * atoms.ts). A criterion's pattern is spelled out with several filler characters, so that where two
 * criteria on one attribute overlap (`prefix pro` and `contains rox`), some candidate usually meets
 * one and not the other; every candidate is checked against the criteria by the reference's own
 * functions before it stands for anything.
 */
import type { Workload } from "../../common/schema.js";
import type { CriterionModel } from "../model.js";

export type Attrs = Map<string, string>;

/** A value no criterion is expected to name. */
export const FRESH = "nvp-diff-none";

const FILLERS = ["x", "a", "0", "-", "Z"];

/** Values meant to meet one positive criterion (none for a negative one; exact values for service groups). */
export function instancesOf(c: CriterionModel, exact = false): string[] {
  const v = c.value;
  if (exact) return [v];
  if (c.op === "!=" || c.op === "!regex") return [];
  const out = new Set<string>();
  for (const f of FILLERS) {
    if (c.op === "=") out.add(v === "any" ? FRESH : v.replace(/\*/g, f).replace(/\?/g, f || "x"));
    else if (c.op === "prefix") out.add(`${v}${f}`);
    else if (c.op === "contains") out.add(`${f}${v}${f}`);
    else out.add(regexInstance(v, f));
  }
  if (c.op === "=" && v !== "any") out.add(v.replace(/\*/g, "").replace(/\?/g, "x"));
  if (c.op === "prefix" || c.op === "contains") out.add(v);
  return [...out];
}

/** A string the regular expression probably matches: anchors dropped, one branch and one class member taken. */
function regexInstance(v: string, f: string): string {
  return v
    .replace(/^\^/, "")
    .replace(/\$$/, "")
    .replace(/\[([^\]])[^\]]*\]/g, "$1")
    .replace(/\((?:[^|)]*\|)*([^|)]*)\)/g, "$1")
    .replace(/\.\*|\.\+|\./g, f || "x")
    .replace(/[*+?]/g, "")
    .replace(/\\(.)/g, "$1");
}

/** A synthetic workload with these attributes (FRESH where none is chosen). */
export function workloadOf(attrs: Attrs, name: string, ip: string): Workload {
  const w: Workload = { name, namespace: attrs.get("namespace") ?? FRESH, service: attrs.get("service") ?? FRESH, labels: {}, nsLabels: {}, images: [attrs.get("image") ?? FRESH], containers: [attrs.get("container") ?? FRESH], node: attrs.get("node") ?? FRESH, ips: [ip] };
  for (const [k, v] of attrs) {
    if (k.startsWith("label:")) w.labels[k.slice(6)] = v;
    else if (k.startsWith("ns-label:")) w.nsLabels[k.slice(9)] = v;
  }
  return w;
}

/**
 * `nvp diff`: concrete attribute values and synthetic workloads for the partition (universe.ts,
 * atoms.ts). A criterion's pattern is spelled out with several filler characters, so that where two
 * criteria on one attribute overlap (`prefix pro` and `contains rox`), some candidate usually meets
 * one and not the other; every candidate is checked against the criteria by the reference's own
 * functions before it stands for anything.
 */
import RandExp from "randexp";
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
  if (c.op === "regex") for (const s of regexSamples(v)) out.add(s);
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

/**
 * Strings generated from the regular expression itself (randexp walks its syntax tree): the
 * shortest choice everywhere, the longest (repeats capped at 3), and a few seeded ones. Lookaround
 * and backreferences are refused by the checker (NV2207), so what randexp cannot honour is rare;
 * every candidate is checked against the criterion anyway.
 */
function regexSamples(source: string): string[] {
  let r: RandExp;
  try {
    r = new RandExp(new RegExp(source));
  } catch {
    return [];
  }
  r.max = 3;
  const out: string[] = [];
  let seed = 0x9e3779b9;
  const pickers: ((a: number, b: number) => number)[] = [
    (a) => a,
    (_, b) => b,
    ...[1, 2, 3].map(() => (a: number, b: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return a + (seed % (b - a + 1));
    }),
  ];
  for (const pick of pickers) {
    r.randInt = pick;
    try {
      out.push(r.gen());
    } catch {
      // A construct randexp does not walk: the derived instance above still stands.
    }
  }
  return out;
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

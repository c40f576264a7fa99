/**
 * The shadow lint (NV2302): a rule that can never decide because earlier rules (lower ids) match
 * every flow it would. Sound by construction — it warns only with a witness:
 *  - one earlier rule whose from ⊇, to ⊇ (group containment, containment.ts), ports ⊇ and apps ⊇;
 *  - or several earlier rules, each with from ⊇, to ⊇ and apps ⊇, whose ports together cover the
 *    rule's ports (a port range split across rules).
 * Rules with a not-yet-known application or virtual host stay shadowed: the earlier rule then makes
 * the flow pending with its own id, so the later rule still never decides (semantics S3).
 *
 * Cost bound: earlier rules are indexed by (from group, to group), and a rule looks only at the
 * buckets of the supersets of its first from and first to group. Group supersets come from
 * pairwise containment within a category (address groups; service and workload groups) only when
 * the category has at most PAIRWISE_GROUPS referenced groups; beyond that only identity, `any` and
 * `containers` count. At most PER_RULE candidates are examined per rule and TOTAL candidate checks
 * per policy; past those limits the lint stays silent rather than slow (100k rules stay linear).
 */
import { APPS } from "../../common/apps.js";
import type { PortModel } from "../model.js";
import type { Containment } from "./containment.js";
import { type Diags, listAnd } from "./diag.js";
import type { CheckedRule } from "./rules.js";

export const PAIRWISE_GROUPS = 600;
export const PER_RULE = 64;
export const TOTAL = 1_000_000;

/** Apps some other app names as its parent: matching the parent does not cover them. */
const HAS_CHILDREN = new Set(APPS.flatMap((a) => (a.parent === undefined ? [] : [a.parent])));
const PARENT = new Map(APPS.flatMap((a) => (a.parent === undefined ? [] : [[a.id, a.parent] as const])));

export function lintShadowed(rules: readonly CheckedRule[], groupCount: number, cont: Containment, d: Diags): void {
  const supers = supersets(rules, cont);
  const buckets = new Map<number, number[]>();
  const seen = new Int32Array(rules.length).fill(-1);
  let budget = TOTAL;
  rules.forEach((r, k) => {
    const m = r.model;
    const singles: number[] = [];
    const partial: number[] = [];
    let examined = 0;
    const from0 = supers.get(m.from[0]!) ?? [];
    const to0 = supers.get(m.to[0]!) ?? [];
    scan: for (const f of from0) {
      for (const t of to0) {
        for (const c of buckets.get(f * groupCount + t) ?? []) {
          if (seen[c] === k) continue;
          seen[c] = k;
          if (++examined > PER_RULE || --budget < 0) break scan;
          const e = rules[c]!.model;
          if (!covers(e.from, m.from, supers) || !covers(e.to, m.to, supers) || !appsCover(e.apps, m.apps)) continue;
          if (portsCoverOne(e.ports, m.ports)) {
            // Buckets hold rules in evaluation order: the rest of this bucket comes later.
            singles.push(c);
            break;
          }
          partial.push(c);
        }
      }
    }
    if (singles.length > 0) {
      report(r, [rules[Math.min(...singles)]!], d);
    } else if (partial.length > 1) {
      partial.sort((a, b) => a - b);
      const useful = partial.filter((c) => portsOverlap(rules[c]!.model.ports, m.ports));
      if (useful.length > 1 && portsCover(useful.map((c) => rules[c]!.model.ports), m.ports)) {
        report(r, useful.map((c) => rules[c]!), d);
      }
    }
    for (const f of m.from) {
      for (const t of m.to) {
        const key = f * groupCount + t;
        const list = buckets.get(key);
        if (list) list.push(k);
        else buckets.set(key, [k]);
      }
    }
  });
}

function report(r: CheckedRule, by: readonly CheckedRule[], d: Diags): void {
  const id = r.model.id;
  const ids = by.map((b) => String(b.model.id));
  const who = by.length === 1 ? `rule ${ids[0]} matches` : `rules ${listAnd(ids)} together match`;
  const sameAction = by.every((b) => b.model.action === r.model.action);
  d.warn("NV2302", {
    span: r.decl.span,
    message: `rule ${id} never decides: ${who} every flow it would`,
    label: `shadowed by ${by.length === 1 ? "rule" : "rules"} ${listAnd(ids)}`,
    help: sameAction
      ? `rule ${id} adds nothing; remove it`
      : `rule ${id} ${r.model.action === "deny" ? "denies" : "allows"} what an earlier rule already decides; if it should win, give it an id below ${ids[0]}`,
    related: by.map((b) => ({ span: b.decl.span, message: `rule ${b.model.id} matches first` })),
  });
}

/** For each group a rule names: the groups that contain it (itself first). */
function supersets(rules: readonly CheckedRule[], cont: Containment): Map<number, number[]> {
  const used = new Set<number>();
  for (const r of rules) for (const g of [...r.model.from, ...r.model.to]) used.add(g);
  const byCat = new Map<string, number[]>();
  for (const g of used) {
    const cat = cont.category(g);
    const list = byCat.get(cat);
    if (list) list.push(g);
    else byCat.set(cat, [g]);
  }
  const out = new Map<number, number[]>();
  for (const g of used) {
    const list = [g];
    for (const h of byCat.get("other") ?? []) if (h !== g && cont.contains(h, g)) list.push(h);
    const cat = cont.category(g);
    const peers = byCat.get(cat) ?? [];
    if (cat !== "other" && peers.length <= PAIRWISE_GROUPS) {
      for (const h of peers) if (h !== g && cont.contains(h, g)) list.push(h);
    }
    out.set(g, list);
  }
  return out;
}

/** Every group of `inner` lies inside some group of `outer`. */
function covers(outer: readonly number[], inner: readonly number[], supers: Map<number, number[]>): boolean {
  // Plain loops: this runs up to TOTAL times per policy.
  for (const g of inner) {
    const s = supers.get(g);
    if (s === undefined) return false;
    let found = false;
    for (const h of outer) {
      if (s.includes(h)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

function appsCover(outer: readonly number[], inner: readonly number[]): boolean {
  if (outer.length === 0) return true;
  if (inner.length === 0) return false;
  return inner.every((a) => {
    if (outer.includes(a)) return true;
    const parent = PARENT.get(a);
    return parent !== undefined && outer.includes(parent) && !HAS_CHILDREN.has(a);
  });
}

const isAny = (ports: readonly PortModel[]) => ports.length === 0 || ports.some((p) => p.proto === "any");

/**
 * One normalized port list against another, without allocating (the hot path). Normalized lists
 * have disjoint, non-adjacent ranges per protocol, so a covered range lies inside one of them.
 */
function portsCoverOne(outer: readonly PortModel[], inner: readonly PortModel[]): boolean {
  if (isAny(outer)) return true;
  if (isAny(inner)) return false;
  for (const p of inner) {
    let ok = false;
    for (const o of outer) {
      if (o.proto === p.proto && (p.proto === "icmp" || (o.lo <= p.lo && p.hi <= o.hi))) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

/** Do the port lists together cover every (protocol, port) of `inner`? */
export function portsCover(outer: readonly (readonly PortModel[])[], inner: readonly PortModel[]): boolean {
  if (outer.some(isAny)) return true;
  if (isAny(inner)) return false;
  const all = outer.flat();
  return inner.every((p) => {
    if (p.proto === "icmp") return all.some((o) => o.proto === "icmp");
    const ranges = all.filter((o) => o.proto === p.proto).sort((a, b) => a.lo - b.lo);
    let next = p.lo;
    for (const o of ranges) {
      if (o.lo > next) break;
      if (o.hi >= next) next = o.hi + 1;
      if (next > p.hi) return true;
    }
    return next > p.hi;
  });
}

function portsOverlap(a: readonly PortModel[], b: readonly PortModel[]): boolean {
  if (isAny(a) || isAny(b)) return true;
  return a.some((x) => b.some((y) => x.proto === y.proto && (x.proto === "icmp" || (x.lo <= y.hi && y.lo <= x.hi))));
}

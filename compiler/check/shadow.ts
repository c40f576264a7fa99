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
import { type Diags, listAnd, type Related } from "./diag.js";
import { PairLists } from "./pair-lists.js";
import type { CheckedRule } from "./rules.js";

export const PAIRWISE_GROUPS = 600;
export const PER_RULE = 64;
export const TOTAL = 1_000_000;

/** Apps some other app names as its parent: matching the parent does not cover them. */
const HAS_CHILDREN = new Set(APPS.flatMap((a) => (a.parent === undefined ? [] : [a.parent])));
const PARENT = new Map(APPS.flatMap((a) => (a.parent === undefined ? [] : [[a.id, a.parent] as const])));

/**
 * `rules` in evaluation order (docs/semantics.md S3: deny rules naming nodes last); `icmpPolicy`:
 * whether `any` reaches ICMP (S3.1).
 */
export function lintShadowed(rules: readonly CheckedRule[], cont: Containment, d: Diags, icmpPolicy = false): void {
  const supers = new Supersets(rules, cont);
  // Earlier rules under each (from group, to group) they name, in evaluation order.
  const buckets = new PairLists(rules.length);
  const seen = new Int32Array(rules.length).fill(-1);
  const witnesses = new Witnesses(rules);
  let budget = TOTAL;
  for (let k = 0; k < rules.length; k++) {
    const r = rules[k] as CheckedRule;
    const m = r.model;
    let single = -1;
    let partial: number[] | undefined;
    let examined = 0;
    // A candidate sits in the bucket of one of its from groups that holds the rule's first from
    // group; with one from group that is all `covers` would check (the same for to).
    const oneFrom = m.from.length === 1;
    const oneTo = m.to.length === 1;
    const g0 = m.from[0] as number;
    const h0 = m.to[0] as number;
    const fromUp = supers.above(g0);
    const toUp = supers.above(h0);
    // Each group itself first, then the groups that hold it.
    scan: for (let a = -1; fromUp !== undefined && a < fromUp.length; a++) {
      const f = a < 0 ? g0 : (fromUp[a] as number);
      for (let b = -1; toUp !== undefined && b < toUp.length; b++) {
        const t = b < 0 ? h0 : (toUp[b] as number);
        for (let e = buckets.head(f, t); e >= 0; e = buckets.nextOf(e)) {
          const c = buckets.valueAt(e);
          if (seen[c] === k) continue;
          seen[c] = k;
          if (++examined > PER_RULE || --budget < 0) break scan;
          const em = (rules[c] as CheckedRule).model;
          if ((!oneFrom && !supers.covers(em.from, m.from)) || (!oneTo && !supers.covers(em.to, m.to)) || !appsCover(em.apps, m.apps)) continue;
          if (portsCoverOne(em.ports, m.ports, icmpPolicy)) {
            // Buckets hold rules in evaluation order: the rest of this bucket comes later.
            if (single < 0 || c < single) single = c;
            break;
          }
          (partial ??= []).push(c);
        }
      }
    }
    if (single >= 0) {
      report(r, [single], witnesses, d);
    } else if (partial !== undefined && partial.length > 1) {
      partial.sort((a, b) => a - b);
      const useful = partial.filter((c) => portsOverlap((rules[c] as CheckedRule).model.ports, m.ports));
      if (useful.length > 1 && portsCover(useful.map((c) => (rules[c] as CheckedRule).model.ports), m.ports, icmpPolicy)) {
        report(r, useful, witnesses, d);
      }
    }
    for (const f of m.from) for (const t of m.to) buckets.add(f, t, k);
  }
}

/**
 * What a warning says about a witness rule, made once per witness: in rule sets like ClassBench's
 * one early wide rule shadows thousands of later ones.
 */
interface Witness {
  rule: CheckedRule;
  id: string;
  /** `shadowed by rule 20`, for a single witness. */
  label: string;
  note: Related;
}

class Witnesses {
  private readonly made = new Map<number, Witness>();

  constructor(private readonly rules: readonly CheckedRule[]) {}

  get(c: number): Witness {
    let w = this.made.get(c);
    if (w === undefined) {
      const rule = this.rules[c] as CheckedRule;
      const id = String(rule.model.id);
      w = { rule, id, label: `shadowed by rule ${id}`, note: { span: rule.decl.span, message: `rule ${id} matches first` } };
      this.made.set(c, w);
    }
    return w;
  }
}

function report(r: CheckedRule, by: readonly number[], witnesses: Witnesses, d: Diags): void {
  const id = r.model.id;
  const ws = by.map((c) => witnesses.get(c));
  const ids = ws.map((w) => w.id);
  const who = ws.length === 1 ? `rule ${ids[0]} matches` : `rules ${listAnd(ids)} together match`;
  const sameAction = ws.every((w) => w.rule.model.action === r.model.action);
  d.warn("NV2302", {
    span: r.decl.span,
    message: `rule ${id} never decides: ${who} every flow it would`,
    label: ws.length === 1 ? (ws[0] as Witness).label : `shadowed by rules ${listAnd(ids)}`,
    help: sameAction
      ? `rule ${id} adds nothing; remove it`
      : `rule ${id} ${r.model.action === "deny" ? "denies" : "allows"} what an earlier rule already decides; if it should win, give it an id below ${ids[0]}`,
    related: ws.map((w) => w.note),
  });
}

/**
 * For each group a rule names, the other groups that contain it. Lists are shared between groups
 * with the same ones (most address groups of a large policy are held by `any` alone).
 */
class Supersets {
  /** By group index; undefined for groups no rule names. */
  private readonly up: (readonly number[] | undefined)[];

  constructor(rules: readonly CheckedRule[], cont: Containment) {
    // Groups in first-mention order (it orders the buckets a rule scans).
    let max = -1;
    for (const r of rules) {
      for (const g of r.model.from) max = Math.max(max, g);
      for (const g of r.model.to) max = Math.max(max, g);
    }
    this.up = new Array<readonly number[] | undefined>(max + 1);
    const mark = new Uint8Array(max + 1);
    const used: number[] = [];
    const use = (g: number) => {
      if (mark[g] === 0) {
        mark[g] = 1;
        used.push(g);
      }
    };
    for (const r of rules) {
      for (const g of r.model.from) use(g);
      for (const g of r.model.to) use(g);
    }
    const byCat = new Map<string, number[]>();
    for (const g of used) {
      const cat = cont.category(g);
      const list = byCat.get(cat);
      if (list) list.push(g);
      else byCat.set(cat, [g]);
    }
    const none: readonly number[] = [];
    const byOne = new Map<number, readonly number[]>();
    const shared = new Map<string, readonly number[]>();
    const others = byCat.get("other") ?? [];
    for (const g of used) {
      const list: number[] = [];
      for (const h of others) if (h !== g && cont.contains(h, g)) list.push(h);
      const cat = cont.category(g);
      const peers = byCat.get(cat) ?? [];
      if (cat !== "other" && peers.length <= PAIRWISE_GROUPS) {
        for (const h of peers) if (h !== g && cont.contains(h, g)) list.push(h);
      }
      let same: readonly number[] | undefined;
      if (list.length === 0) same = none;
      else if (list.length === 1) {
        same = byOne.get(list[0] as number);
        if (same === undefined) byOne.set(list[0] as number, (same = list));
      } else {
        const key = list.join(",");
        same = shared.get(key);
        if (same === undefined) shared.set(key, (same = list));
      }
      this.up[g] = same;
    }
  }

  /** The other groups that contain `g`; undefined when no rule names `g`. */
  above(g: number): readonly number[] | undefined {
    return this.up[g];
  }

  /** Every group of `inner` lies inside some group of `outer`. */
  covers(outer: readonly number[], inner: readonly number[]): boolean {
    // Plain loops: this runs up to TOTAL times per policy.
    for (const g of inner) {
      const s = this.up[g];
      if (s === undefined) return false;
      let found = false;
      for (const h of outer) {
        if (h === g || s.includes(h)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
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

/** With icmp-policy off `any` does not reach ICMP (S3.1): an inner `icmp` item needs an outer one. */
function anyCovers(outer: readonly PortModel[], inner: readonly PortModel[], icmpPolicy: boolean): boolean {
  return icmpPolicy || !inner.some((p) => p.proto === "icmp") || outer.some((p) => p.proto === "icmp");
}

/**
 * One normalized port list against another, without allocating (the hot path). Normalized lists
 * have disjoint, non-adjacent ranges per protocol, so a covered range lies inside one of them.
 */
function portsCoverOne(outer: readonly PortModel[], inner: readonly PortModel[], icmpPolicy: boolean): boolean {
  if (isAny(outer)) return anyCovers(outer, inner, icmpPolicy);
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
export function portsCover(outer: readonly (readonly PortModel[])[], inner: readonly PortModel[], icmpPolicy = false): boolean {
  if (outer.some(isAny)) return anyCovers(outer.flat(), inner, icmpPolicy);
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

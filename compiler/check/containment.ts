/**
 * Sound group containment for the shadow lint: `contains(outer, inner)` is true only when every
 * endpoint in `inner` is provably in `outer`; when in doubt it says false (a missed warning is
 * fine, a false one is not). Built-ins: `any` holds everything, `containers` every service and
 * workload group. Workload and service groups compare by criteria implication per key class;
 * address groups entry by entry (IP intervals against the merged intervals of the outer group,
 * names against names and wildcards; a `vh:` entry is inside the plain DNS form of its name).
 */
import type { AddressModel, CriterionModel, GroupModel } from "../model.js";
import { isNegative } from "./criteria.js";
import { underWildcard } from "./dns-name.js";
import { accepts, acceptsEverything, classesOf, emptyReason, literalOf } from "./group-facts.js";

interface AddressShape {
  /** Merged, sorted, disjoint intervals. */
  ips: [bigint, bigint][];
  dns: Set<string>;
  dnsWild: string[];
  vh: Set<string>;
  vhWild: string[];
}

type Shape =
  | { kind: "empty" }
  | { kind: "builtin"; name: string }
  | { kind: "service"; service: string; namespace: string }
  | { kind: "workload"; classes: Map<string, CriterionModel[]> }
  /** `addr` is made the first time the group is an outer group. */
  | { kind: "address"; addr?: AddressShape; entries: AddressModel[] };

const EMPTY: Shape = { kind: "empty" };

export class Containment {
  /**
   * Shapes are made when a group is first compared: a ClassBench policy has 88k address groups,
   * most of which are only ever an inner group under `any`.
   */
  private readonly shapes: (Shape | undefined)[];

  /** `skip`: groups whose declaration had errors; their partial model proves nothing. */
  constructor(
    private readonly groups: readonly GroupModel[],
    private readonly skip: (index: number) => boolean = () => false,
  ) {
    this.shapes = new Array<Shape | undefined>(groups.length);
  }

  private shape(g: number): Shape | undefined {
    let s = this.shapes[g];
    if (s === undefined) {
      const model = this.groups[g];
      if (model === undefined) return undefined;
      s = this.skip(g) ? EMPTY : shapeOf(model);
      this.shapes[g] = s;
    }
    return s;
  }

  /** Is every endpoint of group `inner` also in group `outer`? (Indexes into the model groups.) */
  contains(outer: number, inner: number): boolean {
    const o = this.shape(outer);
    const i = this.shape(inner);
    if (!o || !i || i.kind === "empty" || o.kind === "empty") return false;
    if (outer === inner) return true;
    if (o.kind === "builtin") {
      if (o.name === "any") return true;
      if (o.name === "containers") return i.kind === "service" || i.kind === "workload";
      return i.kind === "builtin" && i.name === o.name;
    }
    if (o.kind === "address") {
      if (i.kind !== "address") return false;
      const addr = (o.addr ??= addressShape(o.entries));
      return i.entries.every((e) => addressInside(e, addr));
    }
    if (o.kind === "service") {
      if (i.kind === "service") return i.service === o.service && i.namespace === o.namespace;
      if (i.kind !== "workload") return false;
      // Extra classes in the workload group only narrow it further.
      return onlyLiteral(i.classes, "service", o.service) && onlyLiteral(i.classes, "namespace", o.namespace);
    }
    if (o.kind === "workload") {
      if (i.kind === "service") return serviceInside(i.service, i.namespace, o.classes);
      if (i.kind === "workload") return workloadInside(i.classes, o.classes);
    }
    return false;
  }

  /** Which category a group falls in for bounded pairwise comparison. */
  category(g: number): "address" | "criteria" | "other" {
    const s = this.shape(g);
    if (s?.kind === "address") return "address";
    if (s?.kind === "service" || s?.kind === "workload") return "criteria";
    return "other";
  }
}

function shapeOf(g: GroupModel): Shape {
  if (emptyReason(g) !== undefined) return { kind: "empty" };
  if (g.kind === "builtin") return { kind: "builtin", name: g.builtin ?? g.name };
  if (g.kind === "service" && g.service) return { kind: "service", ...g.service };
  if (g.kind === "workload") return { kind: "workload", classes: classesOf(g.criteria ?? []) };
  if (g.kind === "address") return { kind: "address", entries: g.addresses ?? [] };
  return { kind: "empty" };
}

function addressShape(entries: readonly AddressModel[]): AddressShape {
  const shape: AddressShape = { ips: [], dns: new Set(), dnsWild: [], vh: new Set(), vhWild: [] };
  const ranges: [bigint, bigint][] = [];
  for (const e of entries) {
    if (e.kind === "ip") ranges.push([e.lo, e.hi]);
    else if (e.kind === "dns") (e.wildcard ? shape.dnsWild.push(e.name) : shape.dns.add(e.name));
    else e.wildcard ? shape.vhWild.push(e.name) : shape.vh.add(e.name);
  }
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const r of ranges) {
    const last = shape.ips[shape.ips.length - 1];
    if (last && r[0] <= last[1] + 1n) {
      if (r[1] > last[1]) last[1] = r[1];
    } else {
      shape.ips.push([r[0], r[1]]);
    }
  }
  return shape;
}

function coveredByName(name: string, wildcard: boolean, exact: Set<string>, wild: readonly string[]): boolean {
  if (wildcard) return wild.some((w) => w === name || underWildcard(name, w));
  return exact.has(name) || wild.some((w) => underWildcard(name, w));
}

function addressInside(e: AddressModel, o: AddressShape): boolean {
  if (e.kind === "ip") {
    // Binary search for the last interval starting at or before e.lo.
    let lo = 0;
    let hi = o.ips.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (o.ips[mid]![0] <= e.lo) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return at >= 0 && o.ips[at]![1] >= e.hi;
  }
  if (e.kind === "dns") return coveredByName(e.name, e.wildcard, o.dns, o.dnsWild);
  // A vh: entry needs its name's DNS condition, so a DNS entry covering the name covers it too.
  return coveredByName(e.name, e.wildcard, o.vh, o.vhWild) || coveredByName(e.name, e.wildcard, o.dns, o.dnsWild);
}

/** Is the workload group's `key` class exactly positive `=` literals all equal to `value`? */
function onlyLiteral(classes: Map<string, CriterionModel[]>, key: string, value: string): boolean {
  const list = classes.get(key);
  return list !== undefined && list.every((c) => literalOf(c) === value);
}

/** Does every workload of service group svc/ns meet the criteria classes of the outer group? */
function serviceInside(service: string, namespace: string, outer: Map<string, CriterionModel[]>): boolean {
  for (const [key, list] of outer) {
    const v = key === "service" ? service : key === "namespace" ? namespace : undefined;
    if (v === undefined) return false;
    const anyPositive = list.some((c) => !isNegative(c.op));
    const ok = anyPositive ? list.some((c) => accepts(c, v)) : list.every((c) => accepts(c, v));
    if (!ok) return false;
  }
  return true;
}

function sameCriterion(a: CriterionModel, b: CriterionModel): boolean {
  return a.key === b.key && a.op === b.op && a.value === b.value && a.labelKey === b.labelKey;
}

/** Does criterion `a` imply criterion `b` (same class) for every workload? */
function implies(a: CriterionModel, b: CriterionModel): boolean {
  if (sameCriterion(a, b)) return true;
  if (a.labelKey !== b.labelKey || isNegative(a.op)) return false;
  // A positive criterion means the attribute (or label) exists, so a match-everything `b` holds.
  if (acceptsEverything(b)) return true;
  const lit = literalOf(a);
  if (lit !== undefined) return accepts(b, lit);
  if (a.op === "prefix" && b.op === "prefix") return a.value.startsWith(b.value);
  if ((a.op === "prefix" || a.op === "contains") && b.op === "contains") return a.value.includes(b.value);
  return false;
}

/** Are all workloads selected by `inner` classes also selected by `outer` classes? */
function workloadInside(inner: Map<string, CriterionModel[]>, outer: Map<string, CriterionModel[]>): boolean {
  for (const [key, outs] of outer) {
    const ins = inner.get(key);
    if (!ins) return false;
    const outerOr = outs.some((c) => !isNegative(c.op));
    const innerOr = ins.some((c) => !isNegative(c.op));
    if (outerOr) {
      // inner OR: each alternative implies the outer OR; inner AND: one conjunct already does.
      const ok = innerOr ? ins.every((a) => outs.some((b) => implies(a, b))) : ins.some((a) => outs.some((b) => sameCriterion(a, b)));
      if (!ok) return false;
    } else if (innerOr) {
      // outer AND of negatives: every inner alternative must be a literal meeting all of them.
      if (!ins.every((a) => literalOf(a) !== undefined && outs.every((b) => b.labelKey === a.labelKey && accepts(b, literalOf(a)!)))) return false;
    } else if (!outs.every((b) => ins.some((a) => sameCriterion(a, b)))) {
      return false;
    }
  }
  return true;
}

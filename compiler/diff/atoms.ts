/**
 * `nvp diff`: workload representatives for every combination of group memberships that attribute
 * values can realise (the "atoms" of the groups' Venn diagram), not only one per group and one per
 * pair. A workload's groups depend on its attributes alone (S2.7: service, namespace, image,
 * container, node, each pod label and each namespace label), so:
 *  1. per attribute, candidate values are drawn from every criterion that reads it (its pattern
 *     with several filler characters, service groups' names, a fresh value, and for labels: absent);
 *     candidates that meet the same criteria are one value class;
 *  2. a walk over the attributes (grouped by criterion class) extends partial workloads by each value
 *     class, keeping one partial workload per state — per group and class, whether the class is met
 *     so far (OR for a class with a positive criterion, AND for an all-negative one), dead groups
 *     folded — so equal states never multiply;
 *  3. the final states are the realisable membership sets; the first ones found stand for each.
 * The walk is exact given the candidates; what it can miss is a combination only a string no
 * candidate spells realises (docs/diff.md "Completeness"). A cap keeps pathological policies bounded.
 */
import { isNegative, positiveOf } from "../../common/criteria.js";
import type { CriterionModel, GroupModel } from "../model.js";
import { criterionMet } from "../reference/criteria.js";
import { instancesOf, workloadOf, type Attrs } from "./instances.js";

/** One test a group makes on one attribute. */
interface Test {
  attr: string;
  /** Index of (group, class) accumulator this test feeds. */
  slot: number;
  index: number;
  met: (value: string | undefined) => boolean;
}

interface Slot {
  group: number;
  /** OR class (some criterion positive): starts false; AND class (all negative): starts true. */
  or: boolean;
  /** The attribute after which the class is complete. */
  last: string;
}

const ORDER = ["service", "namespace", "image", "container", "node"];
const classOf = (attr: string) => (attr.startsWith("label:") ? "label" : attr.startsWith("ns-label:") ? "ns-label" : attr);
const attrOf = (c: CriterionModel) => (c.labelKey === undefined ? c.key : `${c.key}:${c.labelKey}`);

function testOf(c: CriterionModel): (value: string | undefined) => boolean {
  const attr = attrOf(c);
  return (value) => criterionMet(workloadOf(value === undefined ? new Map() : new Map([[attr, value]]), "probe", "::"), c);
}

export interface AtomOptions {
  /** Stop after this many realisable membership sets (the walk itself stops at 4× as many states). */
  cap: number;
  /** Keep only the sets holding at least one of these groups (indexes into `groups`); default: any. */
  within?: ReadonlySet<number>;
}

/**
 * Attribute sets, one per realisable non-empty set of workload/service group memberships over
 * `groups` (undefined when the cap was reached: the caller falls back to coarser representatives).
 */
export function workloadAtoms(groups: readonly GroupModel[], opts: AtomOptions): Attrs[] | undefined {
  const slots: Slot[] = [];
  const tests: Test[] = [];
  const candidates = new Map<string, Set<string | undefined>>();
  const addCandidate = (attr: string, v: string | undefined) => {
    const set = candidates.get(attr) ?? new Set<string | undefined>();
    set.add(v);
    candidates.set(attr, set);
  };
  const groupIds: number[] = [];
  groups.forEach((g, gi) => {
    const criteria: CriterionModel[] | undefined =
      g.kind === "service" && g.service
        ? [
            { key: "service", op: "=", value: g.service.service },
            { key: "namespace", op: "=", value: g.service.namespace },
          ]
        : g.kind === "workload" && (g.criteria?.length ?? 0) > 0
          ? g.criteria
          : undefined;
    if (!criteria) return;
    groupIds.push(gi);
    const byClass = new Map<string, CriterionModel[]>();
    for (const c of criteria) byClass.set(c.key, [...(byClass.get(c.key) ?? []), c]);
    for (const list of byClass.values()) {
      const slot = slots.length;
      slots.push({ group: gi, or: list.some((c) => !isNegative(c.op)), last: "" });
      for (const c of list) {
        const attr = attrOf(c);
        // Service groups compare exactly (no glob): test by equality.
        const met = g.kind === "service" ? (v: string | undefined) => v === c.value : testOf(c);
        tests.push({ attr, slot, met, index: tests.length });
        for (const v of instancesOf({ ...c, op: positiveOf(c.op) }, g.kind === "service")) addCandidate(attr, v);
      }
    }
  });
  const attrs = [...candidates.keys()].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
  for (const a of attrs) {
    // Labels may be absent; every attribute may hold a value no criterion names.
    if (a.includes(":")) addCandidate(a, undefined);
    addCandidate(a, "nvp-diff-none");
  }
  const testsOf = new Map<string, Test[]>();
  for (const t of tests) testsOf.set(t.attr, [...(testsOf.get(t.attr) ?? []), t]);
  // Each class ends at its last attribute in walk order (one pass: the tests are many).
  const order = new Map(attrs.map((a, i) => [a, i]));
  for (const t of tests) {
    const slot = slots[t.slot] as Slot;
    if (slot.last === "" || (order.get(t.attr) as number) > (order.get(slot.last) as number)) slot.last = t.attr;
  }

  // Value classes per attribute: candidates meeting the same tests are one.
  const classes = new Map<string, { value: string | undefined; hits: number[] }[]>();
  for (const a of attrs) {
    const mine = testsOf.get(a) ?? [];
    const seen = new Map<string, { value: string | undefined; hits: number[] }>();
    for (const v of candidates.get(a) ?? []) {
      const hits = mine.filter((t) => t.met(v)).map((t) => t.index);
      const key = hits.join(",");
      if (!seen.has(key)) seen.set(key, { value: v, hits });
    }
    classes.set(a, [...seen.values()]);
  }

  // The walk. A state: per slot 0 (not met) / 1 (met) / 2 (its group is dead).
  const start = new Uint8Array(slots.length);
  slots.forEach((s, i) => (start[i] = s.or ? 0 : 1));
  let states = new Map<string, { acc: Uint8Array; attrs: Attrs }>([[key(start), { acc: start, attrs: new Map() }]]);
  for (const a of attrs) {
    const next = new Map<string, { acc: Uint8Array; attrs: Attrs }>();
    const closing = slots.flatMap((s, i) => (s.last === a ? [i] : []));
    for (const st of states.values()) {
      for (const cls of classes.get(a) ?? []) {
        const acc = st.acc.slice();
        for (const t of testsOf.get(a) ?? []) {
          if (acc[t.slot] === 2) continue;
          const slot = slots[t.slot] as Slot;
          const hit = cls.hits.includes(t.index);
          if (slot.or && hit) acc[t.slot] = 1;
          if (!slot.or && !hit) acc[t.slot] = 0;
        }
        // A class that ends here unmet kills its group: fold all of the group's slots.
        for (const i of closing) if (acc[i] === 0) for (let j = 0; j < slots.length; j++) if ((slots[j] as Slot).group === (slots[i] as Slot).group) acc[j] = 2;
        const k = key(acc);
        if (next.has(k)) continue;
        const attrs2 = new Map(st.attrs);
        if (cls.value !== undefined) attrs2.set(a, cls.value);
        next.set(k, { acc, attrs: attrs2 });
        // Past the cap, stop at once: the states of one attribute can number thousands.
        if (next.size > opts.cap * 4) return undefined;
      }
    }
    states = next;
  }
  const out: Attrs[] = [];
  const sets = new Set<string>();
  for (const st of states.values()) {
    const members = groupIds.filter((g) => slots.every((s, i) => s.group !== g || st.acc[i] === 1));
    if (members.length === 0 || (opts.within && !members.some((g) => opts.within?.has(g)))) continue;
    const k = members.join(",");
    if (sets.has(k)) continue;
    sets.add(k);
    out.push(st.attrs);
    if (out.length > opts.cap) return undefined;
  }
  return out;
}

function rank(attr: string): number {
  const i = ORDER.indexOf(classOf(attr));
  return i >= 0 ? i : classOf(attr) === "label" ? ORDER.length : ORDER.length + 1;
}

function key(acc: Uint8Array): string {
  return Buffer.from(acc).toString("latin1");
}

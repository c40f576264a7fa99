/**
 * Host-side group membership of workloads (docs/semantics.md S2.5, S2.7, S2.8), computed when the
 * inventory is set, from the criteria the module carries in its metadata. It must agree with the
 * reference evaluator (compiler/reference/criteria.ts), which the runtime may not import; the
 * differential tests hold the two together. Globs compile to anchored regular expressions here,
 * where the reference walks them by hand: two readings of one rule.
 */
import type { MetaCriterion, MetaGroup } from "../common/abi-meta.js";
import type { Mode, Workload } from "../common/schema.js";

const NEGATIVE = new Set(["!=", "!regex"]);

/** Anchored glob: `*` any run, `?` one code point, everything else literal. */
function globRegExp(pattern: string): RegExp {
  let src = "";
  for (const ch of pattern) {
    if (ch === "*") src += "[^]*";
    else if (ch === "?") src += "[^]";
    else src += ch.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  }
  return new RegExp(`^${src}$`, "u");
}

/** One criterion prepared for repeated matching: a predicate on one attribute value. */
interface Compiled {
  key: MetaCriterion["key"];
  labelKey: string;
  negative: boolean;
  test: (value: string) => boolean;
}

function compile(c: MetaCriterion): Compiled {
  let test: (v: string) => boolean;
  switch (c.op) {
    case "=":
    case "!=": {
      if (c.value === "any") {
        test = () => true;
      } else {
        const re = globRegExp(c.value);
        test = (v) => re.test(v);
      }
      break;
    }
    case "contains":
      test = (v) => v.includes(c.value);
      break;
    case "prefix":
      test = (v) => v.startsWith(c.value);
      break;
    case "regex":
    case "!regex": {
      let re: RegExp | undefined;
      try {
        re = new RegExp(c.value);
      } catch {
        re = undefined;
      }
      test = re ? (v) => (re as RegExp).test(v) : () => false;
      break;
    }
  }
  return { key: c.key, labelKey: c.labelKey ?? "", negative: NEGATIVE.has(c.op), test };
}

function values(w: Workload, c: Compiled): readonly string[] {
  switch (c.key) {
    case "namespace":
      return [w.namespace];
    case "service":
      return [w.service];
    case "node":
      return [w.node];
    case "image":
      return w.images;
    case "container":
      return w.containers;
    case "label":
    case "ns-label": {
      const labels = c.key === "label" ? w.labels : w.nsLabels;
      return Object.prototype.hasOwnProperty.call(labels, c.labelKey) ? [labels[c.labelKey] ?? ""] : [];
    }
  }
}

/** A positive criterion holds if some value passes; a negative one if none passes its positive form. */
function met(w: Workload, c: Compiled): boolean {
  const some = values(w, c).some(c.test);
  return c.negative ? !some : some;
}

type Selector = (w: Workload) => boolean;

/** NeuVector's IsWorkloadSelected: by key, OR if any criterion is positive, else AND; keys AND'd. */
function selector(criteria: readonly MetaCriterion[]): Selector {
  if (criteria.length === 0) return () => false;
  const byKey = new Map<string, Compiled[]>();
  for (const c of criteria.map(compile)) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const classes = [...byKey.values()].map((list) => ({ list, anyPositive: list.some((c) => !c.negative) }));
  return (w) => classes.every(({ list, anyPositive }) => (anyPositive ? list.some((c) => met(w, c)) : list.every((c) => met(w, c))));
}

export interface WorkloadMembership {
  /** Indexes of the service and workload groups the workload is in, ascending. */
  groups: number[];
  mode: Mode;
}

/** Prepared matchers for one module's groups. */
export class MembershipMatcher {
  private readonly matchers: { index: number; select: Selector }[] = [];
  private readonly modes: { service: string; namespace: string; mode: Mode }[] = [];

  constructor(
    groups: readonly MetaGroup[],
    private readonly defaultMode: Mode,
  ) {
    groups.forEach((g, index) => {
      if (g.kind === "service" && g.service) {
        const { service, namespace } = g.service;
        this.matchers.push({ index, select: (w) => w.service === service && w.namespace === namespace });
        if (g.mode) this.modes.push({ service, namespace, mode: g.mode });
      } else if (g.kind === "workload") {
        this.matchers.push({ index, select: selector(g.criteria ?? []) });
      }
    });
  }

  /** S2 for a workload, and its mode (S4: the first service group declaring one, else default-mode). */
  of(w: Workload): WorkloadMembership {
    const groups = this.matchers.filter((m) => m.select(w)).map((m) => m.index);
    const declared = this.modes.find((m) => m.service === w.service && m.namespace === w.namespace);
    return { groups, mode: declared?.mode ?? this.defaultMode };
  }
}

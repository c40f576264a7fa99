/**
 * Host-side group membership of workloads (docs/semantics.md S2.5, S2.7, S2.8), computed when the
 * inventory is set, from the criteria the module carries in its metadata. It must agree with the
 * reference evaluator (compiler/reference/criteria.ts), which the runtime may not import; both take
 * the attribute values from common/workload-attributes.ts and what an operator means on one value
 * from common/criteria.ts, and the differential tests hold the two combinations together.
 */
import type { MetaCriterion, MetaGroup } from "../../common/abi-meta.js";
import type { Mode, Workload } from "../../common/schema.js";
import { attributeValues } from "../../common/workload-attributes.js";
import { isNegative, positiveOf, valueTest } from "../../common/criteria.js";

/** One criterion prepared for repeated matching: a predicate on one attribute value. */
interface Compiled {
  key: MetaCriterion["key"];
  labelKey: string;
  negative: boolean;
  test: (value: string) => boolean;
}

function compile(c: MetaCriterion): Compiled {
  return { key: c.key, labelKey: c.labelKey ?? "", negative: isNegative(c.op), test: valueTest(positiveOf(c.op), c.value) };
}

/** A positive criterion holds if some value passes; a negative one if none passes its positive form. */
function met(w: Workload, c: Compiled): boolean {
  const some = attributeValues(w, c.key, c.labelKey).some(c.test);
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

/** IsSvcIpGroupSelected: only `namespace` criteria count, by the class rule; none selects nothing. */
function namespaceSelector(criteria: readonly MetaCriterion[]): (ns: string) => boolean {
  const list = criteria.filter((c) => c.key === "namespace").map(compile);
  if (list.length === 0) return () => false;
  const anyPositive = list.some((c) => !c.negative);
  const met = (c: Compiled, ns: string) => c.test(ns) !== c.negative;
  return (ns) => (anyPositive ? list.some((c) => met(c, ns)) : list.every((c) => met(c, ns)));
}

export interface WorkloadMembership {
  /** Indexes of the service and workload groups the workload is in, ascending. */
  groups: number[];
  mode: Mode;
}

/** Prepared matchers for one module's groups. Service groups are looked up by key, not scanned. */
export class MembershipMatcher {
  private readonly criteria: { index: number; select: Selector }[] = [];
  private readonly services = new Map<string, number[]>();
  private readonly modes = new Map<string, Mode>();
  private readonly serviceIpGroups = new Map<string, number[]>();
  /** Custom groups with their namespace criteria (OpenShift's svcipGroupJoin, S2.10). */
  private readonly namespaceSelectors: { index: number; select: (ns: string) => boolean }[] = [];

  constructor(
    groups: readonly MetaGroup[],
    private readonly defaultMode: Mode,
  ) {
    groups.forEach((g, index) => {
      if (g.kind === "service" && g.service) {
        const key = serviceKey(g.service.service, g.service.namespace);
        this.services.set(key, [...(this.services.get(key) ?? []), index]);
        // The first service group that declares a mode decides (the reference's endpointMode).
        if (g.mode && !this.modes.has(key)) this.modes.set(key, g.mode);
      } else if (g.kind === "service-ip" && g.service) {
        const key = serviceKey(g.service.service, g.service.namespace);
        this.serviceIpGroups.set(key, [...(this.serviceIpGroups.get(key) ?? []), index]);
      } else if (g.kind === "workload") {
        this.criteria.push({ index, select: selector(g.criteria ?? []) });
        this.namespaceSelectors.push({ index, select: namespaceSelector(g.criteria ?? []) });
      }
    });
  }

  /** S2.10: the `nv.ip.<name>.<namespace>` groups a Service's cluster IPs are in, ascending. */
  serviceIpsOf(name: string, namespace: string): number[] {
    return this.serviceIpGroups.get(serviceKey(name, namespace)) ?? [];
  }

  /** Custom groups that hold `namespace`'s cluster IPs as destinations on OpenShift, ascending. */
  openshiftServiceIpGroups(namespace: string): number[] {
    return this.namespaceSelectors.filter((m) => m.select(namespace)).map((m) => m.index);
  }

  /** S2 for a workload, and its mode (S4: the first service group declaring one, else default-mode). */
  of(w: Workload): WorkloadMembership {
    const key = serviceKey(w.service, w.namespace);
    const groups = [...(this.services.get(key) ?? []), ...this.criteria.filter((m) => m.select(w)).map((m) => m.index)];
    return { groups: groups.sort((a, b) => a - b), mode: this.modes.get(key) ?? this.defaultMode };
  }
}

function serviceKey(service: string, namespace: string): string {
  return `${service}\u0000${namespace}`;
}

/**
 * Address-group IP entries → elementary intervals of the 128-bit space (common/ip.ts: IPv4 is
 * ::ffff:0:0/96), each mapped to an address class = the set of groups whose entries cover it.
 * A sweep over interval end points; adjacent intervals of the same class are merged, so the
 * table grows with the number of distinct boundaries, not with the number of entries.
 */
import { MAX_IP } from "../../common/ip.js";
import type { PolicyModel } from "../model.js";
import type { FromTo, IrAddrClass, IrAddrInterval } from "./ir.js";
import { unionLists } from "./rule-lists.js";

interface Event {
  at: bigint;
  group: number;
  delta: 1 | -1;
}

function compareEvents(a: Event, b: Event): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
}

export function lowerAddresses(
  model: PolicyModel,
  groupRules: readonly FromTo[],
): { intervals: IrAddrInterval[]; classes: IrAddrClass[] } {
  const events: Event[] = [];
  for (const g of model.groups) {
    for (const a of g.addresses ?? []) {
      if (a.kind !== "ip") continue;
      events.push({ at: a.lo, group: g.index, delta: 1 });
      if (a.hi < MAX_IP) events.push({ at: a.hi + 1n, group: g.index, delta: -1 });
    }
  }
  events.sort(compareEvents);

  // Class 0 is always "no address group", so an empty policy still has a valid class.
  const classes: IrAddrClass[] = [{ groups: [], from: [], to: [] }];
  const classOf = new Map<string, number>([["", 0]]);
  const intern = (groups: number[]): number => {
    const key = groups.join(",");
    let cls = classOf.get(key);
    if (cls === undefined) {
      cls = classes.length;
      classOf.set(key, cls);
      const from = unionLists(groups.map((g) => groupRules[g]?.from ?? []));
      const to = unionLists(groups.map((g) => groupRules[g]?.to ?? []));
      classes.push({ groups, from, to });
    }
    return cls;
  };

  const active = new Map<number, number>();
  const intervals: IrAddrInterval[] = [];
  let start = 0n;
  let i = 0;
  const emit = (lo: bigint, hi: bigint) => {
    const groups = [...active.keys()].sort((x, y) => x - y);
    const cls = intern(groups);
    const last = intervals[intervals.length - 1];
    if (last && last.cls === cls) last.hi = hi;
    else intervals.push({ lo, hi, cls });
  };
  while (i < events.length) {
    const at = (events[i] as Event).at;
    if (at > start) {
      emit(start, at - 1n);
      start = at;
    }
    for (; i < events.length && (events[i] as Event).at === at; i++) {
      const e = events[i] as Event;
      const n = (active.get(e.group) ?? 0) + e.delta;
      if (n === 0) active.delete(e.group);
      else active.set(e.group, n);
    }
  }
  emit(start, MAX_IP);
  return { intervals, classes };
}

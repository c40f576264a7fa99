/**
 * Address-group IP entries → elementary intervals of the 128-bit space (common/ip.ts: IPv4 is
 * ::ffff:0:0/96), each mapped to an address class = the set of groups whose entries cover it.
 * A sweep over interval end points; adjacent intervals of the same class are merged, so the
 * table grows with the number of distinct boundaries, not with the number of entries.
 */
import { MAX_IP } from "../../common/ip.js";
import type { PolicyModel } from "../model.js";
import type { FromTo, IrAddrClass, IrAddrInterval } from "./ir.js";
import { sameList, unionLists } from "./rule-lists.js";

interface Event {
  at: bigint;
  /** `at` as a double: ordered like `at`, and equal to it below 2^53 (all of IPv4). */
  key: number;
  group: number;
  delta: 1 | -1;
}

const EXACT = 2 ** 53;

const event = (at: bigint, group: number, delta: 1 | -1): Event => ({ at, key: Number(at), group, delta });

// Bigint comparisons are slow and a sort makes millions; the double decides unless it is rounded.
function compareEvents(a: Event, b: Event): number {
  return a.key - b.key || (a.key < EXACT ? 0 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
}

const sameAt = (a: Event, b: Event) => a.key === b.key && (a.key < EXACT || a.at === b.at);

function hashGroups(groups: readonly number[]): number {
  let h = groups.length;
  for (const g of groups) h = Math.imul(h ^ g, 0x01000193) ^ (h >>> 15);
  return h;
}

export function lowerAddresses(
  model: PolicyModel,
  groupRules: readonly FromTo[],
): { intervals: IrAddrInterval[]; classes: IrAddrClass[] } {
  const events: Event[] = [];
  for (const g of model.groups) {
    for (const a of g.addresses ?? []) {
      if (a.kind !== "ip") continue;
      events.push(event(a.lo, g.index, 1));
      if (a.hi < MAX_IP) events.push(event(a.hi + 1n, g.index, -1));
    }
  }
  events.sort(compareEvents);

  // Class 0 is always "no address group", so an empty policy still has a valid class.
  const classes: IrAddrClass[] = [{ groups: [], from: [], to: [] }];
  // Classes by a hash of their groups (no string key per interval: there are 100k+ of them).
  const byHash = new Map<number, number[]>([[hashGroups([]), [0]]]);
  const intern = (groups: number[]): number => {
    const h = hashGroups(groups);
    const same = byHash.get(h);
    for (const c of same ?? []) if (sameList((classes[c] as IrAddrClass).groups, groups)) return c;
    const cls = classes.length;
    if (same) same.push(cls);
    else byHash.set(h, [cls]);
    const from = unionLists(groups.map((g) => groupRules[g]?.from ?? []));
    const to = unionLists(groups.map((g) => groupRules[g]?.to ?? []));
    classes.push({ groups, from, to });
    return cls;
  };

  // Groups covering the sweep point: a count per group, and the list of those above zero.
  const count = new Int32Array(model.groups.length);
  const where = new Int32Array(model.groups.length);
  const active: number[] = [];
  const intervals: IrAddrInterval[] = [];
  let start = 0n;
  let startKey = 0;
  let i = 0;
  const emit = (lo: bigint, hi: bigint) => {
    const groups = active.slice().sort((x, y) => x - y);
    const cls = intern(groups);
    const last = intervals[intervals.length - 1];
    if (last && last.cls === cls) last.hi = hi;
    else intervals.push({ lo, hi, cls });
  };
  while (i < events.length) {
    const first = events[i] as Event;
    if (first.key > startKey || (first.key >= EXACT && first.at > start)) {
      emit(start, first.at - 1n);
      start = first.at;
      startKey = first.key;
    }
    for (; i < events.length && sameAt(events[i] as Event, first); i++) {
      const e = events[i] as Event;
      const n = (count[e.group] as number) + e.delta;
      count[e.group] = n;
      if (n === 1 && e.delta === 1) {
        where[e.group] = active.length;
        active.push(e.group);
      } else if (n === 0) {
        const moved = active.pop() as number;
        if (moved !== e.group) {
          active[where[e.group] as number] = moved;
          where[moved] = where[e.group] as number;
        }
      }
    }
  }
  emit(start, MAX_IP);
  return { intervals, classes };
}

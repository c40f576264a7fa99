/**
 * The `nvp.groups` custom section: the policy's groups as the host needs them (names for events,
 * service and mode, workload criteria, DNS and `vh:` patterns), in the order of the table's groups.
 * Binary rather than JSON: a module of thousands of groups reads them in a fraction of a
 * millisecond (as JSON in `nvp.meta` they took about 0.6 µs a group: 3.5 ms for 5,000). It sits
 * just before `nvp.meta`, so the module hash covers it. Layout, little-endian u32 words:
 *
 *   GROUPS_MAGIC, group count, string length (UTF-16 code units once decoded), string bytes,
 *   the strings (UTF-8, padded with zeros to 4 bytes), then per group:
 *     name, kind, mode, builtin, service, namespace,
 *     criteria count, per criterion: key, op, value, label key,
 *     dns count, per name: name, wildcard,
 *     vh count, per pattern: name, wildcard, slot
 *
 * A string is two words, its start and length in the decoded strings (UTF-16 code units), or
 * NO_STRING and 0 when absent. kind, key and op are indexes into GROUP_KINDS,
 * META_CRITERION_KEYS and META_CRITERION_OPS; mode is 0 for none, else 1 + its index in MODES;
 * wildcard is 0 or 1. A decoder reads every word once and checks each against what it may be.
 */
import { META_CRITERION_KEYS, META_CRITERION_OPS, type MetaCriterion, type MetaGroup } from "./abi-meta.js";
import { MODES } from "./schema.js";

export const GROUPS_SECTION = "nvp.groups";
export const GROUPS_MAGIC = 0x5052474e;
const NO_STRING = 0xffffffff;
export const GROUP_KINDS = ["builtin", "service", "workload", "address", "service-ip"] as const;

/** Encode `groups` as the section's payload. Deterministic. */
export function encodeGroups(groups: readonly MetaGroup[]): Uint8Array<ArrayBuffer> {
  const strings: string[] = [];
  const refs = new Map<string, number>();
  let units = 0;
  const words: number[] = [];
  const str = (s: string | undefined) => {
    if (s === undefined) {
      words.push(NO_STRING, 0);
      return;
    }
    let at = refs.get(s);
    if (at === undefined) {
      at = units;
      refs.set(s, at);
      strings.push(s);
      units += s.length;
    }
    words.push(at, s.length);
  };
  for (const g of groups) {
    str(g.name);
    words.push(GROUP_KINDS.indexOf(g.kind), g.mode === undefined ? 0 : MODES.indexOf(g.mode) + 1);
    str(g.builtin);
    str(g.service?.service);
    str(g.service?.namespace);
    words.push(g.criteria?.length ?? 0);
    for (const c of g.criteria ?? []) {
      words.push(META_CRITERION_KEYS.indexOf(c.key), META_CRITERION_OPS.indexOf(c.op));
      str(c.value);
      str(c.labelKey);
    }
    words.push(g.dns?.length ?? 0);
    for (const d of g.dns ?? []) {
      str(d.name);
      words.push(d.wildcard ? 1 : 0);
    }
    words.push(g.vh?.length ?? 0);
    for (const v of g.vh ?? []) {
      str(v.name);
      words.push(v.wildcard ? 1 : 0, v.slot);
    }
  }
  const text = new TextEncoder().encode(strings.join(""));
  const padded = Math.ceil(text.length / 4) * 4;
  const out = new Uint8Array(16 + padded + words.length * 4);
  const view = new DataView(out.buffer);
  [GROUPS_MAGIC, groups.length, units, text.length].forEach((v, i) => view.setUint32(i * 4, v, true));
  out.set(text, 16);
  words.forEach((v, i) => view.setUint32(16 + padded + i * 4, v, true));
  return out;
}

/** A malformed section: `decodeGroups` throws it with what is wrong, in words. */
export class GroupsFormatError extends Error {}

/** Decode the section's payload; throws GroupsFormatError when it is not exactly what encodeGroups writes. */
export function decodeGroups(payload: Uint8Array): MetaGroup[] {
  const fail = (what: string): never => {
    throw new GroupsFormatError(what);
  };
  if (payload.length < 16 || payload.length % 4 !== 0) fail("its length is not a whole number of words");
  const head = new DataView(payload.buffer, payload.byteOffset, 16);
  if (head.getUint32(0, true) !== GROUPS_MAGIC) fail("it does not start with its magic number");
  const count = head.getUint32(4, true);
  const units = head.getUint32(8, true);
  const textBytes = head.getUint32(12, true);
  const padded = Math.ceil(textBytes / 4) * 4;
  if (16 + padded > payload.length) fail("its strings run past its end");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(16, 16 + textBytes));
  } catch {
    return fail("its strings are not UTF-8");
  }
  if (text.length !== units) fail("its strings are not as long as it says");
  // The words, copied once to be aligned (a custom section's payload starts anywhere).
  const words = new Uint32Array(payload.slice(16 + padded).buffer);
  let at = 0;
  const word = (): number => {
    if (at >= words.length) fail("it ends inside a group");
    return words[at++] as number;
  };
  const index = (n: number, what: string): number => {
    const v = word();
    if (v >= n) fail(`a group has an unknown ${what}`);
    return v;
  };
  const optional = (): string | undefined => {
    const start = word();
    const len = word();
    if (start === NO_STRING && len === 0) return undefined;
    if (start > units || len > units - start) fail("a string lies outside the strings");
    return text.slice(start, start + len);
  };
  const string = (what: string): string => optional() ?? fail(`a group has no ${what}`);
  // Each group takes 11 words at least: a count beyond that is refused before anything is built.
  if (count > words.length / 11) fail("it counts more groups than it holds");
  const groups: MetaGroup[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const g: MetaGroup = { name: string("name"), kind: GROUP_KINDS[index(GROUP_KINDS.length, "kind")] as MetaGroup["kind"] };
    const mode = index(MODES.length + 1, "mode");
    if (mode > 0) g.mode = MODES[mode - 1];
    const builtin = optional();
    if (builtin !== undefined) g.builtin = builtin;
    const service = optional();
    const namespace = optional();
    if ((service === undefined) !== (namespace === undefined)) fail("a service group lacks its service or namespace");
    if (service !== undefined && namespace !== undefined) g.service = { service, namespace };
    const nCriteria = word();
    if (nCriteria > 0) {
      const criteria: MetaCriterion[] = [];
      for (let c = 0; c < nCriteria; c++) {
        const key = META_CRITERION_KEYS[index(META_CRITERION_KEYS.length, "criterion key")] as MetaCriterion["key"];
        const op = META_CRITERION_OPS[index(META_CRITERION_OPS.length, "criterion operator")] as MetaCriterion["op"];
        const value = string("criterion value");
        const labelKey = optional();
        criteria.push(labelKey !== undefined ? { key, labelKey, op, value } : { key, op, value });
      }
      g.criteria = criteria;
    }
    const nDns = word();
    if (nDns > 0) {
      g.dns = [];
      for (let d = 0; d < nDns; d++) g.dns.push({ name: string("DNS name"), wildcard: index(2, "wildcard flag") === 1 });
    }
    const nVh = word();
    if (nVh > 0) {
      g.vh = [];
      for (let v = 0; v < nVh; v++) g.vh.push({ name: string("vh: name"), wildcard: index(2, "wildcard flag") === 1, slot: word() });
    }
    groups[i] = g;
  }
  if (at !== words.length) fail("it holds more than its groups");
  return groups;
}

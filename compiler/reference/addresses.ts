/**
 * S2.6 and S6: address-group entries. IP entries are intervals; DNS names and wildcards match the
 * addresses the enforcer saw the names resolve to (ctx.dns, never the compiler's resolver); vh:
 * entries also need the connection's virtual host, and are "maybe" until it is known.
 */
import { parseIp } from "../../common/ip.js";
import type { DnsTable } from "../../common/schema.js";
import type { AddressModel } from "../model.js";
import { normaliseName } from "./flow-input.js";

export type Membership = "yes" | "maybe";

/** `name` is `suffix` itself (exact) or ends in `.suffix` with at least one more label (wildcard). */
export function nameMatches(name: string, pattern: string, wildcard: boolean): boolean {
  if (!wildcard) return name === pattern;
  return name.length > pattern.length + 1 && name.endsWith("." + pattern) && !name.startsWith(".");
}

/** Every name in the DNS table that resolved to `ip` (normalised: lower case, no trailing dot). */
export function namesOf(dns: DnsTable, ip: bigint): string[] {
  const names: string[] = [];
  for (const [name, addrs] of Object.entries(dns)) {
    if (addrs.some((a) => parseIp(String(a).trim()) === ip)) names.push(normaliseName(name));
  }
  return names;
}

/** Does `ip` resolve from the entry's name (or, for a wildcard, from some name under it)? */
export function resolvesFrom(dns: DnsTable, ip: bigint, entry: { name: string; wildcard: boolean }): boolean {
  const pattern = normaliseName(entry.name);
  return namesOf(dns, ip).some((n) => nameMatches(n, pattern, entry.wildcard));
}

/**
 * One address entry against an endpoint address and the flow's host (undefined = not yet known,
 * "" = the connection has none). Returns undefined when the entry does not match.
 */
export function addressEntryMatch(
  entry: AddressModel,
  ip: bigint,
  dns: DnsTable,
  host: string | undefined,
): Membership | undefined {
  switch (entry.kind) {
    case "ip":
      return ip >= entry.lo && ip <= entry.hi ? "yes" : undefined;
    case "dns":
      return resolvesFrom(dns, ip, entry) ? "yes" : undefined;
    case "vh": {
      if (!resolvesFrom(dns, ip, entry)) return undefined;
      if (host === undefined) return "maybe";
      return nameMatches(normaliseName(host), normaliseName(entry.name), entry.wildcard) ? "yes" : undefined;
    }
  }
}

/** Entries are OR'd: yes beats maybe beats no. */
export function addressGroupMatch(
  entries: readonly AddressModel[],
  ip: bigint,
  dns: DnsTable,
  host: string | undefined,
): Membership | undefined {
  let best: Membership | undefined;
  for (const e of entries) {
    const m = addressEntryMatch(e, ip, dns, host);
    if (m === "yes") return "yes";
    if (m === "maybe") best = "maybe";
  }
  return best;
}

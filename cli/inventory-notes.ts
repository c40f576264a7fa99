/**
 * Notes that keep explain, eval and test from giving a silent wrong answer: without an inventory
 * every address is external (service and workload groups match nothing), and a DNS-name group
 * matches only the addresses its names were seen to resolve to.
 */
import type { DnsTable, Inventory } from "../common/schema.js";
import type { PolicyModel } from "../compiler/model.js";
import type { CommandContext } from "./shared.js";

/** What a missing inventory means, said once per command run. */
export const NO_INVENTORY =
  "no inventory given: every address is external, so service and workload groups match nothing";

export function warnNoInventory(ctx: CommandContext, hint = "pass --inventory FILE (nvp YAML/JSON or `kubectl get pods -A -o json`)"): void {
  ctx.io.err(`warning: ${NO_INVENTORY}\n  = help: ${hint}\n`);
}

/** The service and workload groups the policy's rules name: what an empty inventory leaves unmatched. */
export function workloadGroupsInRules(model: PolicyModel): string[] {
  const used = new Set<number>();
  for (const r of model.rules) for (const g of [...r.from, ...r.to]) used.add(g);
  return model.groups.filter((g) => used.has(g.index) && (g.kind === "service" || g.kind === "workload")).map((g) => g.name);
}

export function hasWorkloads(inv: Inventory): boolean {
  return inv.workloads.length > 0;
}

/** `*.example.com` (stored as `example.com`) covers the names under it, not the name itself. */
function wildcardCovers(suffix: string, name: string): boolean {
  return name.endsWith(`.${suffix}`);
}

/**
 * Why an address is not in a DNS-name group: for each of its names, the resolutions known (from
 * --dns, --dns-file or the test file), or that none is known. Undefined for groups without names.
 */
export function dnsGroupNote(model: PolicyModel, dns: DnsTable, group: string, ip: string): string | undefined {
  const g = model.groups.find((x) => x.name === group);
  const names = (g?.addresses ?? []).filter((a) => a.kind === "dns");
  if (names.length === 0) return undefined;
  const parts = names.map((a) => {
    if (a.kind !== "dns") return "";
    const known = Object.entries(dns).filter(([n]) => (a.wildcard ? wildcardCovers(a.name, n) : n === a.name));
    if (known.length === 0) return `no resolution known for \`${a.text.replace(/^"|"$/g, "")}\``;
    const ips = [...new Set(known.flatMap(([, v]) => v))];
    return `\`${a.text.replace(/^"|"$/g, "")}\` resolves to ${ips.join(", ")}, not ${ip}`;
  });
  const hint = parts.some((p) => p.startsWith("no resolution")) ? " (the engine learns names from DNS answers it sees; give one with --dns NAME=IP)" : "";
  return parts.join("; ") + hint;
}

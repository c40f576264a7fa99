/**
 * `nvp diff` on two 10k-rule policies (bench/gen-policy.ts): the new one renumbers every rule and
 * makes 10 real edits (3 rules removed, 3 added, 2 ports changed, 2 rules moved to the front) and
 * changes one service's mode. Times check of both policies and the diff itself, and prints what
 * the diff found. Run: `npx tsx bench/diff.ts [rules] [workloads] [max-combinations]`. Target: under 10 s in all.
 */
import { checkSources } from "../compiler/pipeline.js";
import { diffModules } from "../cli/diff/module-deciders.js";
import type { PolicyModel } from "../compiler/model.js";
import { generatePolicy } from "./gen-policy.js";

const N = Number(process.argv[2] ?? 10_000);
const W = Number(process.argv[3] ?? 1_000);
const COMBOS = Number(process.argv[4] ?? 300);

function check(text: string): PolicyModel {
  const r = checkSources({ "p.nvp": text }, ["p.nvp"]);
  if (!r.model) throw new Error(r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message).join("\n"));
  return r.model;
}

const old = generatePolicy(N, W, 0).source;
const lines = old.split("\n");
const ruleAt = lines.map((l, i) => (l.startsWith("rule ") ? i : -1)).filter((i) => i >= 0);
const edited = [...lines];
const at = (k: number) => ruleAt[Math.floor((k * ruleAt.length) / 11)] as number;
for (const k of [1, 2, 3]) edited[at(k)] = "";
for (const k of [4, 5]) edited[at(k)] = (edited[at(k)] as string).replace(/port tcp\/\d+/, "port tcp/15432").replace(/port udp\/\d+/, "port udp/15353");
const moved = [at(6), at(7)].map((i) => (edited[i] as string).replace(/^rule \d+/, "rule 1"));
for (const i of [at(6), at(7)]) edited[i] = "";
const added = ["rule 2 deny s1 -> s2", "rule 3 allow s3 -> a1 port tcp/443", `rule ${N * 10 + 10} allow c1 -> s4 app http`];
// Renumber: every id + 5 (the moved and added rules keep theirs, all distinct).
let next = 0;
const renumbered = edited
  .filter((l) => l !== "")
  .map((l) => (l.startsWith("rule ") ? l.replace(/^rule \d+/, () => `rule ${100 + 10 * ++next}`) : l.replace(/^service s0 = (\S+) \{ mode \w+ \}/, "service s0 = $1 { mode monitor }")));
const fresh = [...renumbered, ...moved.map((l, k) => l.replace(/^rule 1/, `rule ${5 + k}`)), ...added.map((l) => l.replace(/^rule (\d+)/, (_, d) => `rule ${Number(d) === N * 10 + 10 ? 100 + 10 * (next + 1) : d}`))].join("\n");

// CPU time next to wall time: on a shared machine the wall clock mostly measures the neighbours.
const c0 = process.cpuUsage();
const t0 = performance.now();
const a = check(old);
const b = check(fresh);
const t1 = performance.now();
const c1 = process.cpuUsage();
const r = diffModules(a, b, { maxCombinations: COMBOS });
const t2 = performance.now();
const c2 = process.cpuUsage();
const cpu = (x: NodeJS.CpuUsage, y: NodeJS.CpuUsage) => ((y.user + y.system - x.user - x.system) / 1e6).toFixed(2);
console.log(`policies: ${a.rules.length} and ${b.rules.length} rules, ${a.groups.length} groups`);
console.log(`check both: ${((t1 - t0) / 1000).toFixed(2)} s (cpu ${cpu(c0, c1)} s); diff: ${((t2 - t1) / 1000).toFixed(2)} s (cpu ${cpu(c1, c2)} s); total ${((t2 - t0) / 1000).toFixed(2)} s (cpu ${cpu(c0, c2)} s)`);
console.log(`changes: ${r.changes.length} (${r.changes.map((c) => c.kind).join(", ")}); regions: ${r.changes.reduce((n, c) => n + c.regions.length, 0)}; pieces decided: ${r.stats.pieces}, differing: ${r.stats.differing}${r.stats.truncated ? " (truncated)" : ""}; workload combinations: ${r.stats.combinationsCapped ? `more than ${COMBOS} (per group and pair)` : r.stats.combinations}`);

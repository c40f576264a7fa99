/**
 * Glob criteria speed (not a test): common/criteria.ts `globMatcher`, which the runtime's
 * membership runs for every workload × `=`/`!=` criterion when an inventory is set, against the
 * anchored code-point regular expression the runtime used before (same answers; the regex can
 * backtrack without bound on globs with many `*`, the walk cannot). Medians of --runs, ns per match,
 * CPU time (user + system) so that a shared machine skews it less.
 * Run: npx tsx bench/criteria-glob.ts [--runs 7] [--values 100000]
 */
import { globMatcher } from "../common/criteria.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg("runs", 7);
const N = arg("values", 100_000);

/** The former runtime/membership.ts glob: an anchored regular expression over code points. */
function globRegExp(pattern: string): (v: string) => boolean {
  let src = "";
  for (const ch of pattern) src += ch === "*" ? "[^]*" : ch === "?" ? "[^]" : ch.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  const re = new RegExp(`^${src}$`, "u");
  return (v) => re.test(v);
}

const values = Array.from({ length: N }, (_, i) => [`web-7d4b9c5f6-${i.toString(36)}`, `registry.local/team-${i % 50}/nginx:1.${i % 30}`, `ns-${i % 50}`][i % 3] as string);
const SETS: Record<string, string[]> = {
  "stars only": ["web-*", "*-7d4b*", "ns-1*", "registry.local/*/nginx:*"],
  "with ?": ["ns-1?", "registry.local/*/nginx:1.2?", "w?b-*"],
};

function cpuNsPerMatch(make: (p: string) => (v: string) => boolean, patterns: readonly string[]): number {
  const ms = patterns.map(make);
  const samples: number[] = [];
  let hits = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = process.cpuUsage();
    for (const v of values) for (const m of ms) if (m(v)) hits++;
    const d = process.cpuUsage(t);
    samples.push(((d.user + d.system) * 1000) / (values.length * ms.length));
  }
  if (hits < 0) console.log(hits); // keep the loop observable
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number;
}

console.log(`| patterns | regex (before) ns/match | globMatcher ns/match |\n|---|---|---|`);
for (const [name, patterns] of Object.entries(SETS)) {
  console.log(`| ${name} | ${cpuNsPerMatch(globRegExp, patterns).toFixed(1)} | ${cpuNsPerMatch(globMatcher, patterns).toFixed(1)} |`);
}

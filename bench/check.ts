/**
 * Checker speed on large policies: parse + check of N rules (default 100k) over 1,000 service
 * groups, 200 address groups and a few workload groups. Run: `npx tsx bench/check.ts [N] [shape]`
 * (medians of 5). Shapes: `distinct` (every rule a different group pair, the realistic case) and
 * `overlapping` (many rules over few pairs with `any` sources, the shadow lint's worst case: it
 * stops at its per-rule and per-policy budgets, see compiler/check/shadow.ts).
 * Target: parse + check of 100k rules well under 5 s.
 */
import { parseSource } from "../compiler/ast/parse.js";
import { checkPolicy } from "../compiler/check/check.js";

const N = Number(process.argv[2] ?? 100_000);
const shape = process.argv[3] ?? "distinct";
const G = 1000;

function policy(): string {
  const lines = ["policy big", 'param ns = "prod"'];
  for (let i = 0; i < G; i++) lines.push(`service s${i} = nv.svc-${i}.\${ns} { mode protect }`);
  for (let i = 0; i < 200; i++) lines.push(`group a${i} { address 10.${i}.0.0/16, "host${i}.example.com" }`);
  for (let i = 0; i < 20; i++) lines.push(`group w${i} { domain = "ns-${i}"; label app = "app-${i}" }`);
  for (let i = 0; i < N; i++) {
    let from: string;
    let to: string;
    if (shape === "distinct") {
      from = i % 50 === 0 ? `w${i % 20}` : `s${i % G}`;
      to = i % 10 === 0 ? `a${i % 200}` : `s${Math.floor(i / G) % G}`;
    } else {
      from = i % 7 === 0 ? "any" : `s${i % 100}`;
      to = i % 3 === 0 ? `a${i % 200}` : `s${(i * 7) % 100}`;
    }
    const app = i % 2 ? " app http" : "";
    lines.push(`rule ${i + 1} ${i % 5 === 0 ? "deny" : "allow"} ${from} -> ${to}${app} port tcp/${1000 + (i % 3000)}`);
  }
  return lines.join("\n");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const text = policy();
const parseMs: number[] = [];
const checkMs: number[] = [];
let findings = 0;
for (let run = 0; run < 5; run++) {
  const t0 = performance.now();
  const parsed = parseSource("big.nvp", text);
  const t1 = performance.now();
  const checked = checkPolicy([parsed.file]);
  const t2 = performance.now();
  parseMs.push(t1 - t0);
  checkMs.push(t2 - t1);
  findings = checked.diagnostics.length;
  if (parsed.diagnostics.length > 0 || !checked.model) throw new Error("the generated policy should check");
}
const kib = Math.round(text.length / 1024);
console.log(`${N} rules (${shape}, ${kib} KiB): parse ${median(parseMs).toFixed(0)} ms, check ${median(checkMs).toFixed(0)} ms, ${findings} warnings`);

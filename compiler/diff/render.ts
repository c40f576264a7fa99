/** `nvp diff` output: human text, Markdown for a pull-request comment, and JSON. */
import type { Flow } from "../../common/schema.js";
import type { Change, DecisionSummary, DiffResult, Region } from "./diff.js";

export function flowText(f: Flow): string {
  const port = f.port !== undefined ? `/${f.port}` : "";
  const app = f.app !== undefined ? ` app ${f.app}` : "";
  const host = f.host === undefined ? "" : f.host === "" ? " (no host)" : ` host ${f.host}`;
  return `${f.src} -> ${f.dst} ${f.proto}${port}${app}${host}`;
}

const verdict = (d: DecisionSummary) => `${d.action} (${d.rule === 0 ? "implicit rule" : `rule ${d.rule}`}${d.mode ? `, ${d.mode}` : ""})`;
const count = (n: number, what: string) => `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;

function summaryLine(r: DiffResult): string {
  const regions = r.changes.reduce((n, c) => n + c.regions.length, 0);
  if (r.changes.length === 0) return "no verdict changes";
  let trunc = r.stats.truncated ? " (truncated: raise --max-pieces to see every piece)" : "";
  if (r.stats.combinationsCapped) trunc += "; workload groups overlap in too many ways: one workload per group and per pair stands for them (raise --max-combinations for every combination)";
  return `${count(r.changes.length, "change")}, ${count(regions, "region")}: ${count(r.stats.differing, "piece")} of ${r.stats.pieces.toLocaleString("en-US")} examined change verdict${trunc}`;
}

export function renderHuman(r: DiffResult): string {
  const out: string[] = [];
  for (const c of r.changes) {
    out.push(c.title);
    if (c.regions.length === 0) out.push("  no flow changes verdict");
    for (const g of c.regions) {
      out.push(`  ${verdict(g.old)} -> ${verdict(g.new)}: ${count(g.pieces, "piece")}`);
      out.push(`    e.g. ${flowText(g.witness.flow)}`);
      out.push(`         from ${g.witness.src}, to ${g.witness.dst}`);
    }
  }
  out.push(summaryLine(r));
  return out.join("\n") + "\n";
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function renderMarkdown(r: DiffResult): string {
  const out = ["### nvp diff", ""];
  if (r.changes.length === 0) return [...out, "No flow changes its verdict.", ""].join("\n");
  out.push(summaryLine(r), "");
  for (const c of r.changes) {
    out.push(`#### ${cell(c.title)}`, "");
    if (c.regions.length === 0) {
      out.push("No flow changes its verdict.", "");
      continue;
    }
    out.push("| before | after | pieces | witness flow | source | destination |", "|---|---|---:|---|---|---|");
    for (const g of c.regions) out.push(`| ${verdict(g.old)} | ${verdict(g.new)} | ${g.pieces} | \`${cell(flowText(g.witness.flow))}\` | ${cell(g.witness.src)} | ${cell(g.witness.dst)} |`);
    out.push("");
  }
  return out.join("\n");
}

export function renderJson(r: DiffResult): string {
  const region = (g: Region) => ({ old: g.old, new: g.new, pieces: g.pieces, witness: g.witness });
  const change = (c: Change) => ({ kind: c.kind, title: c.title, oldRule: c.oldRule, newRule: c.newRule, regions: c.regions.map(region) });
  return JSON.stringify({ changes: r.changes.map(change), stats: r.stats }, null, 2) + "\n";
}

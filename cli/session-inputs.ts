/**
 * Reading a command's inputs: inventory files, DNS resolutions, input texts, with their
 * diagnostics reported. Apart from session.ts, which loads the compiler: a replay of a compiled
 * module needs these and not the compiler (its start-up is part of every whole-process run).
 */
import { resolve } from "node:path";
import { readInputText } from "../common/input-file.js";
import { FLOWS } from "../common/codes/input.js";
import { emptyInventory, type DnsTable, type Inventory } from "../common/schema.js";
import { parseDnsTable, readDnsTable } from "../runtime/input/dns.js";
import { rootLoc, Sink } from "../runtime/input/reader.js";
import { detachedDoc } from "../runtime/input/source-doc.js";
import { loadInventory } from "../runtime/inventory/index.js";
import { EXIT } from "./io.js";
import { reportDiagnostics, UsageError, type CommandContext } from "./shared.js";

/** Read inventory files (own format or kubectl JSON) and report their problems; undefined on errors. */
export function readInventory(ctx: CommandContext, paths: readonly string[]): Inventory | undefined {
  if (paths.length === 0) return emptyInventory();
  const sources = paths.map((p) => ({ path: p, text: readText(p, ctx.io.cwd, "inventory file") }));
  const r = loadInventory(sources);
  reportDiagnostics(ctx, r.diagnostics, new Map(sources.map((s) => [s.path, s.text])), "human");
  if (r.diagnostics.some((d) => d.severity === "error")) {
    ctx.exit(EXIT.findings);
    return undefined;
  }
  return r.inventory;
}

/** `--dns name=ip[,ip]` pairs and `--dns-file` tables merged into one table. */
export function readDns(ctx: CommandContext, pairs: readonly string[], file?: string): DnsTable | undefined {
  const table: DnsTable = {};
  if (file) {
    const text = readText(file, ctx.io.cwd, "DNS file");
    const r = parseDnsTable(file, text);
    reportDiagnostics(ctx, r.diagnostics, new Map([[file, text]]), "human");
    if (r.diagnostics.some((d) => d.severity === "error")) {
      ctx.exit(EXIT.findings);
      return undefined;
    }
    Object.assign(table, r.table);
  }
  // `--dns` pairs go through the DNS table reader, so both engines see the same checked names and
  // addresses (NV5211, NV5212) and a bad value is a usage error, not a crash in the enforcer.
  const sink = new Sink();
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`--dns expects \`name=ip[,ip…]\`, got \`${p}\``, FLOWS.dnsName, "write `--dns db.example.com=10.0.0.5`");
    const value = { [p.slice(0, eq)]: p.slice(eq + 1).split(",").map((s) => s.trim()) };
    readDnsTable(rootLoc(detachedDoc(`--dns ${p}`, value)), sink, table);
  }
  const bad = sink.diagnostics.find((d) => d.severity === "error");
  if (bad) throw new UsageError(`--dns: ${bad.message}`, bad.code, bad.help);
  return table;
}

/** An input's text through the bounded reader (common/input-file.ts); its errors exit 2 with their code. */
export function readText(path: string, cwd: string, what = "input file"): string {
  return readInputText(resolve(cwd, path), { shown: path, what });
}

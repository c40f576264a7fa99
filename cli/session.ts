/**
 * An evaluation session for explain, eval and test: a checked policy, an inventory, DNS resolutions
 * and an engine (the reference evaluator, or the compiled WebAssembly module).
 */
import { resolve } from "node:path";
import { readInputText } from "../common/input-file.js";
import type { Diagnostic } from "../common/diagnostics.js";
import { emptyInventory, type DnsTable, type Flow, type Inventory, type Verdict } from "../common/schema.js";
import type { PolicyModel } from "../compiler/model.js";
import { compileModule, evaluate, loadAndCheck } from "../compiler/index.js";
import { Enforcer, loadModule, type Decision } from "../runtime/index.js";
import { VERSION } from "./version.js";
import { loadInventory } from "../runtime/inventory/index.js";
import { parseDnsTable, readDnsTable } from "../runtime/input/dns.js";
import { FLOWS } from "../runtime/input/codes.js";
import { rootLoc, Sink } from "../runtime/input/reader.js";
import { detachedDoc } from "../runtime/input/source-doc.js";
import { EXIT } from "./io.js";
import { reportDiagnostics, UsageError, type CommandContext } from "./shared.js";

export type EngineName = "reference" | "wasm";
export const ENGINES: readonly EngineName[] = ["reference", "wasm"];

export interface Decider {
  readonly engine: EngineName;
  readonly model: PolicyModel;
  /** The verdict for one flow; the wasm engine's verdict has its action/rule/mode and the reference trace. */
  decide(flow: Flow): Verdict;
  decideMany(flows: readonly Flow[]): Verdict[];
  /** Just the decision (no endpoints, no trace): the fast path for eval and test. */
  lookupMany(flows: readonly Flow[]): Decision[];
}

export type { Decision };

function toDecision(v: Decision): Decision {
  const d: Decision = { action: v.action, rule: v.rule };
  if (v.mode) d.mode = v.mode;
  if (v.awaiting) d.awaiting = v.awaiting;
  if (v.xff) d.xff = toDecision(v.xff);
  return d;
}

export interface SessionInputs {
  policy: string[];
  params: Record<string, string>;
  inventory?: Inventory;
  dns?: DnsTable;
  engine: EngineName;
  /** Base directory for relative paths. */
  cwd: string;
}

export type SessionResult = { decider: Decider; diagnostics: Diagnostic[] } | { decider?: undefined; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string>; ioError: boolean };

/** Check the policy and build the engine; without a decider when the policy has errors (diagnostics say why). */
export function openSession(inputs: SessionInputs): SessionResult {
  const checked = loadAndCheck(inputs.policy, { params: inputs.params, cwd: inputs.cwd });
  if (!checked.model) {
    return { diagnostics: checked.diagnostics, sources: checked.sources, ioError: checked.ioError };
  }
  const model = checked.model;
  const ctx = { inventory: inputs.inventory ?? emptyInventory(), dns: inputs.dns ?? {} };
  const reference = (flow: Flow) => evaluate(model, ctx, flow);
  if (inputs.engine === "reference") {
    return {
      diagnostics: checked.diagnostics,
      decider: {
        engine: "reference",
        model,
        decide: reference,
        decideMany: (fs) => fs.map(reference),
        lookupMany: (fs) => fs.map((f) => toDecision(reference(f))),
      },
    };
  }
  const wasm = wasmEnforcer(model, ctx.inventory, ctx.dns);
  const merge = (flow: Flow, r: Decision): Verdict => {
    const ref = reference(flow);
    const v: Verdict = { ...ref, action: r.action, rule: r.rule };
    if (ref.action !== r.action || ref.rule !== r.rule) {
      v.trace = [...ref.trace, `warning: the reference evaluator decides ${ref.action} (rule ${ref.rule}); the engines disagree — please report this`];
    }
    delete v.mode;
    delete v.awaiting;
    if (r.mode) v.mode = r.mode;
    if (r.awaiting) v.awaiting = r.awaiting;
    return v;
  };
  return {
    diagnostics: checked.diagnostics,
    decider: {
      engine: "wasm",
      model,
      decide: (flow) => merge(flow, wasm.decide(flow)),
      decideMany: (flows) => wasm.decideMany(flows).map((r, i) => merge(flows[i]!, r)),
      lookupMany: (flows) => wasm.decideMany(flows).map(toDecision),
    },
  };
}

/** Compile the model into a module, load it as an enforcer would, and give it the inventory and DNS. */
export function wasmEnforcer(model: PolicyModel, inventory: Inventory, dns: DnsTable): Enforcer {
  const enforcer = new Enforcer(loadModule(compileModule(model, { compilerVersion: VERSION }).bytes));
  enforcer.setInventory(inventory);
  for (const [name, ips] of Object.entries(dns)) enforcer.addDnsResolution(name, ips);
  return enforcer;
}

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

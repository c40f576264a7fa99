/**
 * The conformance corpus: loading the YAML case files (format in README.md), and `runCorpus`, which
 * registers one vitest test per case for an engine. An engine is a function from a checked model,
 * an inventory/DNS context and flows to lookup results, so the reference evaluator and the
 * WebAssembly module plug in the same way. exceptions.yaml lists known gaps per engine; such cases
 * run as `test.fails`, so fixing the gap without removing the exception fails the suite.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ACTIONS, MODES, type DnsTable, type Flow, type Inventory, type LookupResult } from "../../common/schema.js";
import type { PolicyModel } from "../../compiler/model.js";
import type { EvalContext } from "../../compiler/reference/index.js";
import { compilePolicy, loadCaseInventory } from "./case-inputs.js";

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));

/** What an engine answers per flow; `xff` is the second lookup when one ran. */
export type EngineResult = LookupResult & { xff?: LookupResult };
export type Decide = (model: PolicyModel, ctx: EvalContext, flows: Flow[]) => EngineResult[];

/** Expected outcome. `mode`/`xff` are checked only when given (null = must be absent); `awaiting` always. */
export interface Expectation {
  action: LookupResult["action"];
  rule: number;
  mode?: LookupResult["mode"] | null;
  awaiting?: LookupResult["awaiting"];
  xff?: { action: LookupResult["action"]; rule: number; mode?: LookupResult["mode"] | null; awaiting?: LookupResult["awaiting"] } | null;
}

export interface CaseFlow {
  note?: string;
  flow: Flow;
  expect: Expectation;
}

export interface CorpusCase {
  /** File stem, e.g. `vh`. */
  file: string;
  name: string;
  doc?: string;
  /** The NeuVector code the case reads (`file function`), for cases pinning NeuVector fidelity. */
  nv?: string;
  policy: string;
  params: Record<string, string>;
  inventory: unknown;
  dns: DnsTable;
  flows: CaseFlow[];
}

const CASE_KEYS = new Set(["name", "doc", "nv", "policy", "params", "inventory", "dns", "flows"]);
const FLOW_KEYS = new Set(["note", "flow", "expect"]);
const EXPECT_KEYS = new Set(["action", "rule", "mode", "awaiting", "xff"]);

function fail(where: string, what: string): never {
  throw new Error(`conformance corpus: ${where}: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) fail(where, `unknown key \`${k}\` (allowed: ${[...allowed].join(", ")})`);
}

function checkExpectation(e: unknown, where: string): Expectation {
  if (!isRecord(e)) fail(where, "`expect` must be a mapping");
  checkKeys(e, EXPECT_KEYS, where);
  if (!ACTIONS.includes(e.action as never)) fail(where, `\`action\` must be one of ${ACTIONS.join(", ")}`);
  if (!Number.isInteger(e.rule)) fail(where, "`rule` must be an integer (0 = implicit)");
  if (e.mode !== undefined && e.mode !== null && !MODES.includes(e.mode as never)) fail(where, "`mode` must be a mode or null");
  if (e.awaiting !== undefined && e.awaiting !== "app" && e.awaiting !== "host") fail(where, "`awaiting` must be app or host");
  if (e.xff !== undefined && e.xff !== null) checkExpectation(e.xff, `${where} xff`);
  return e as unknown as Expectation;
}

function checkCase(raw: unknown, file: string, index: number): CorpusCase {
  const where = `${file}.yaml case #${index + 1}`;
  if (!isRecord(raw)) fail(where, "a case must be a mapping");
  checkKeys(raw, CASE_KEYS, where);
  const name = raw.name;
  if (typeof name !== "string" || !/^[a-z0-9][a-z0-9-]*$/.test(name)) fail(where, "`name` must be kebab-case");
  const at = `${file}.yaml ${name}`;
  if (typeof raw.policy !== "string") fail(at, "`policy` must be .nvp source text");
  if (raw.params !== undefined && !isRecord(raw.params)) fail(at, "`params` must be a mapping");
  if (raw.dns !== undefined && !isRecord(raw.dns)) fail(at, "`dns` must map names to address lists");
  if (!Array.isArray(raw.flows) || raw.flows.length === 0) fail(at, "`flows` must be a non-empty list");
  const flows = raw.flows.map((f: unknown, i: number): CaseFlow => {
    const fw = `${at} flow #${i + 1}`;
    if (!isRecord(f)) fail(fw, "a flow entry must be a mapping");
    checkKeys(f, FLOW_KEYS, fw);
    if (!isRecord(f.flow)) fail(fw, "`flow` must be a mapping");
    const entry: CaseFlow = { flow: { ...(f.flow as unknown as Flow) }, expect: checkExpectation(f.expect, fw) };
    if (typeof f.note === "string") entry.note = f.note;
    return entry;
  });
  const c: CorpusCase = {
    file,
    name,
    policy: raw.policy,
    params: Object.fromEntries(Object.entries(raw.params ?? {}).map(([k, v]) => [k, String(v)])),
    inventory: raw.inventory ?? {},
    dns: (raw.dns ?? {}) as DnsTable,
    flows,
  };
  if (typeof raw.doc === "string") c.doc = raw.doc;
  if (raw.nv !== undefined && (typeof raw.nv !== "string" || !/\S+\.(go|c) \S/.test(raw.nv))) {
    fail(at, "`nv` must name a NeuVector source file and function, e.g. `agent/policy/network.go adjustAction`");
  }
  if (typeof raw.nv === "string") c.nv = raw.nv;
  return c;
}

/** Every case of every `*.yaml` file except exceptions.yaml, in file then case order. */
export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "exceptions.yaml").sort();
  const cases: CorpusCase[] = [];
  for (const f of files) {
    const stem = f.slice(0, -".yaml".length);
    let doc: unknown;
    try {
      doc = parse(readFileSync(join(dir, f), "utf8"), { maxAliasCount: -1 });
    } catch (e) {
      fail(f, e instanceof Error ? e.message : String(e));
    }
    if (!isRecord(doc) || !Array.isArray(doc.cases)) fail(f, "expected a top-level `cases:` list");
    doc.cases.forEach((c: unknown, i: number) => cases.push(checkCase(c, stem, i)));
  }
  return cases;
}

/** engine name → case name → reason. */
export function loadExceptions(dir = CORPUS_DIR): Record<string, Record<string, string>> {
  const doc: unknown = parse(readFileSync(join(dir, "exceptions.yaml"), "utf8"));
  if (doc == null) return {};
  if (!isRecord(doc)) fail("exceptions.yaml", "expected `engine: { case-name: reason }`");
  const out: Record<string, Record<string, string>> = {};
  for (const [engine, cases] of Object.entries(doc)) {
    if (cases == null) continue;
    if (!isRecord(cases)) fail("exceptions.yaml", `\`${engine}\` must map case names to reasons`);
    out[engine] = Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, String(v)]));
  }
  return out;
}

/** The fields an expectation pins, taken from an engine's answer, for a readable diff. */
function observed(r: EngineResult | undefined, e: Expectation): Record<string, unknown> {
  if (!r) return { missing: "engine returned no result for this flow" };
  const out: Record<string, unknown> = { action: r.action, rule: r.rule, awaiting: r.awaiting };
  if (e.mode !== undefined) out.mode = r.mode ?? null;
  if (e.xff !== undefined) {
    out.xff = r.xff && e.xff ? observed(r.xff, e.xff) : r.xff ? { action: r.xff.action, rule: r.xff.rule } : null;
  }
  return out;
}

function expected(e: Expectation): Record<string, unknown> {
  const out: Record<string, unknown> = { action: e.action, rule: e.rule, awaiting: e.awaiting };
  if (e.mode !== undefined) out.mode = e.mode;
  if (e.xff !== undefined) out.xff = e.xff === null ? null : expected(e.xff);
  return out;
}

function describeFlow(f: CaseFlow): string {
  const x = f.flow;
  const extra = [x.app && `app ${x.app}`, x.host !== undefined && `host ${JSON.stringify(x.host)}`, x.xff && `xff ${x.xff}`];
  const text = `${x.src} -> ${x.dst} ${String(x.proto)}${x.port !== undefined ? `/${x.port}` : ""} ${extra.filter(Boolean).join(" ")}`;
  return f.note ? `${f.note}: ${text.trim()}` : text.trim();
}

/** Decide every flow of one case with an engine and compare; throws with a full diff on mismatch. */
export function checkCaseWith(c: CorpusCase, decide: Decide): void {
  const model = compilePolicy(`${c.file}/${c.name}.nvp`, c.policy, c.params);
  const inventory: Inventory = loadCaseInventory(`${c.file}/${c.name}`, c.inventory);
  const results = decide(model, { inventory, dns: c.dns }, c.flows.map((f) => f.flow));
  const got = c.flows.map((f, i) => ({ flow: describeFlow(f), ...observed(results[i], f.expect) }));
  const want = c.flows.map((f) => ({ flow: describeFlow(f), ...expected(f.expect) }));
  expect(got).toEqual(want);
}

/**
 * Register the whole corpus for one engine: `describe(conformance <engine>) > <file> > <case>`.
 * Cases listed for the engine in exceptions.yaml are expected to fail (test.fails).
 */
export function runCorpus(engineName: string, decide: Decide): void {
  const cases = loadCorpus();
  const gaps = loadExceptions()[engineName] ?? {};
  describe(`conformance ${engineName}`, () => {
    for (const file of [...new Set(cases.map((c) => c.file))]) {
      describe(file, () => {
        for (const c of cases.filter((x) => x.file === file)) {
          const reason = gaps[c.name];
          if (reason === undefined) test(c.name, () => checkCaseWith(c, decide));
          else test.fails(`${c.name} (known gap: ${reason})`, () => checkCaseWith(c, decide));
        }
      });
    }
    test("every exception names a case of the corpus", () => {
      const names = new Set(cases.map((c) => c.name));
      expect(Object.keys(gaps).filter((n) => !names.has(n))).toEqual([]);
    });
  });
}

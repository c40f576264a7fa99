import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Option, type Command } from "commander";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { DnsTable, Inventory } from "../../common/schema.js";
import { parseDnsTable } from "../../runtime/input/dns.js";
import { parsePolicyTests, type PolicyTestCase, type PolicyTestRun, type PolicyTestSuite } from "../../runtime/input/policy-tests.js";
import { loadInventory } from "../../runtime/inventory/index.js";
import { EXIT } from "../io.js";
import { InputFileError } from "../../common/input-file.js";
import { hasWorkloads, NO_INVENTORY, workloadGroupsInRules } from "../inventory-notes.js";
import { ENGINES, openSession, readText, type Decision, type EngineName } from "../session.js";
import { formatOption, reportDiagnostics, UsageError, type CommandContext } from "../shared.js";
import { describeFlow, describeVerdict } from "./explain.js";

interface TestOptions {
  format: string;
  verbose?: boolean;
  engine: EngineName;
  run?: string;
}

interface CaseResult {
  file: string;
  variant?: string;
  name: string;
  line?: number;
  passed: boolean;
  expected: PolicyTestCase["expect"];
  actual?: Decision;
  /** The flow, described, for failures. */
  flow?: string;
}

const SKIP_DIRS = new Set(["node_modules", ".git", "dist", "build"]);

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("test")
    .summary("run policy tests (*.test.yaml): flows and their expected verdicts")
    .description(
      "Find *.test.yaml files under the given paths (default: the current directory), compile each one's policy\n" +
        "with its parameters, inventory and DNS table, and check every case's verdict. Exit: 0 all passed,\n" +
        "1 a test failed or a suite had errors, 2 no test files or a usage error.",
    )
    .argument("[paths...]", "test files or directories to search", ["."])
    .addOption(formatOption())
    .option("-v, --verbose", "list passing tests too")
    .option("--run <pattern>", "only tests whose name contains this text")
    .addOption(new Option("--engine <engine>", "decide with").choices([...ENGINES]).default("wasm"))
    .action((paths: string[], opts: TestOptions) => {
      const files = paths.flatMap((p) => findTestFiles(resolve(ctx.io.cwd, p), p));
      const policies = files.filter((f) => f.endsWith(".nvp"));
      if (policies.length > 0) {
        const f = policies[0]!;
        throw new UsageError(
          `\`${f}\` is a policy, not a test file: \`nvp test\` runs test files (\`*.test.yaml\`), e.g. ` +
            `\`${f.replace(/\.nvp$/, ".test.yaml")}\` beside it (docs/formats.md, "Policy tests"); to check the policy, run \`nvp check ${f}\``,
        );
      }
      if (files.length === 0) throw new UsageError(`no *.test.yaml files under ${paths.map((p) => `\`${p}\``).join(", ")}`);
      const results: CaseResult[] = [];
      let suiteErrors = 0;
      for (const file of files) {
        const text = readText(file, ctx.io.cwd, "test file");
        const parsed = parsePolicyTests(file, text);
        reportDiagnostics(ctx, parsed.diagnostics, new Map([[file, text]]), "human");
        if (!parsed.suite) {
          suiteErrors++;
          continue;
        }
        suiteErrors += runSuite(ctx, parsed.suite, opts, results);
      }
      const failed = results.filter((r) => !r.passed);
      // A suite (or variant) that could not run counts as a failure: never "PASS: 0/0" for a broken file.
      const total = results.length + suiteErrors;
      const passed = results.length - failed.length;
      if (opts.format === "json") {
        ctx.io.out(JSON.stringify({ passed, failed: failed.length, errors: suiteErrors, results }, null, 2) + "\n");
      } else {
        for (const r of results) if (opts.verbose || !r.passed) ctx.io.out(renderResult(r));
        if (total > 0) ctx.io.out(`${"-".repeat(72)}\n`);
        ctx.io.out(`PASS: ${passed}/${total}\n`);
        if (failed.length + suiteErrors > 0) {
          const why = suiteErrors > 0 ? ` (${suiteErrors} test file(s) or variant(s) could not run)` : "";
          ctx.io.out(`FAIL: ${failed.length + suiteErrors}/${total}${why}\n`);
        }
      }
      if (failed.length > 0 || suiteErrors > 0) ctx.exit(EXIT.findings);
    });
}

/** Test files under `abs` (a file is taken as is), sorted, shown relative to how the user named them. */
function findTestFiles(abs: string, shown: string): string[] {
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new UsageError(`cannot read \`${shown}\`: no such file or directory`);
  }
  // Anything but a directory is read as a test file: a device or FIFO meets the reader's size cap.
  if (!st.isDirectory()) return [shown];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) walk(join(dir, e.name));
      else if (e.isFile() && e.name.endsWith(".test.yaml")) out.push(join(shown, relative(abs, join(dir, e.name))));
    }
  };
  walk(abs);
  return out;
}

/** Run every variant of a suite; returns the number of runs that could not start. */
function runSuite(ctx: CommandContext, suite: PolicyTestSuite, opts: TestOptions, results: CaseResult[]): number {
  let errors = 0;
  for (const run of suite.runs) {
    const cases = run.cases.filter((c) => !opts.run || c.name.includes(opts.run));
    if (cases.length === 0) continue;
    const inputs = runInputs(ctx, run);
    if (!inputs) {
      errors++;
      continue;
    }
    const s = openSession({
      policy: suite.policy.map((f) => f.path),
      params: run.params,
      inventory: inputs.inventory,
      dns: inputs.dns,
      engine: opts.engine,
      cwd: ctx.io.cwd,
    });
    const where = run.variant ? ` (variant \`${run.variant}\`)` : "";
    if (!s.decider) {
      ctx.io.err(`error: the policy of ${suite.path}${where} does not check:\n`);
      reportDiagnostics(ctx, s.diagnostics, s.sources, "human");
      errors++;
      continue;
    }
    if (!hasWorkloads(inputs.inventory)) {
      // Every address would be external: tests about the policy's workloads would pass or fail for
      // the wrong reason, so the run is refused rather than reported.
      const named = workloadGroupsInRules(s.decider.model);
      if (named.length > 0) {
        ctx.io.err(
          `error: ${suite.path}${where}: no inventory defines a workload, yet the policy's rules name service and workload groups ` +
            `(${named.slice(0, 5).map((n) => `\`${n}\``).join(", ")}${named.length > 5 ? ", …" : ""}); ${NO_INVENTORY}\n` +
            "  = help: give the test file an `inventory:` (a path, a list of paths or an inline mapping; docs/formats.md)\n",
        );
        errors++;
        continue;
      }
      ctx.io.err(`warning: ${suite.path}${where}: ${NO_INVENTORY}\n`);
    }
    const decisions = s.decider.lookupMany(cases.map((c) => c.flow));
    cases.forEach((c, i) => {
      const actual = decisions[i]!;
      const e = c.expect;
      const passed =
        actual.action === e.action &&
        (e.rule === undefined || actual.rule === e.rule) &&
        (e.mode === undefined || actual.mode === e.mode) &&
        (e.awaiting === undefined || actual.awaiting === e.awaiting);
      const r: CaseResult = { file: suite.path, name: c.name, passed, expected: e, actual };
      if (run.variant) r.variant = run.variant;
      if (c.span) r.line = c.span.start.line;
      results.push(r);
      if (!passed) r.flow = describeFlow(c.flow);
    });
  }
  return errors;
}

function runInputs(ctx: CommandContext, run: PolicyTestRun): { inventory: Inventory; dns: DnsTable } | undefined {
  const problems: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const invSources = run.inventory.files.map((f) => ({ path: f.path, text: readRef(ctx, f.path, f.written) }));
  for (const s of invSources) sources.set(s.path, s.text);
  const loaded = loadInventory(invSources);
  problems.push(...loaded.diagnostics);
  const inventory = mergeInventories(loaded.inventory, run.inventory.inline);
  const dns: DnsTable = {};
  for (const f of run.dns.files) {
    const text = readRef(ctx, f.path, f.written);
    sources.set(f.path, text);
    const t = parseDnsTable(f.path, text);
    problems.push(...t.diagnostics);
    mergeDns(dns, t.table);
  }
  mergeDns(dns, run.dns.inline);
  reportDiagnostics(ctx, problems, sources, "human");
  return problems.some((d) => d.severity === "error") ? undefined : { inventory, dns };
}

function readRef(ctx: CommandContext, path: string, written: string): string {
  try {
    return readText(path, ctx.io.cwd);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new UsageError(`${e.message} (written \`${written}\` in the test file)`, e.code, e.help);
  }
}

function mergeInventories(a: Inventory, b: Inventory | undefined): Inventory {
  if (!b) return a;
  return {
    workloads: [...a.workloads, ...b.workloads],
    nodes: [...a.nodes, ...b.nodes],
    internalSubnets: [...a.internalSubnets, ...b.internalSubnets],
    serviceExternalIps: [...a.serviceExternalIps, ...b.serviceExternalIps],
  };
}

function mergeDns(into: DnsTable, from: DnsTable): void {
  for (const [name, ips] of Object.entries(from)) into[name] = [...new Set([...(into[name] ?? []), ...ips])];
}

function renderResult(r: CaseResult): string {
  const where = `${r.file}${r.line ? `:${r.line}` : ""}${r.variant ? ` [${r.variant}]` : ""}`;
  if (r.passed) return `PASS ${where}: ${r.name}\n`;
  const exp = describeExpect(r.expected);
  const got = r.actual ? describeVerdict(r.actual) : "no verdict";
  return `FAIL ${where}: ${r.name}\n     flow      ${r.flow ?? ""}\n     expected  ${exp}\n     got       ${got}\n`;
}

function describeExpect(e: PolicyTestCase["expect"]): string {
  const parts = [e.rule !== undefined ? (e.rule === 0 ? "implicit rule" : `rule ${e.rule}`) : undefined, e.mode ? `mode ${e.mode}` : undefined, e.awaiting ? `awaiting ${e.awaiting}` : undefined];
  const p = parts.filter(Boolean);
  return `${e.action}${p.length ? ` (${p.join(", ")})` : ""}`;
}

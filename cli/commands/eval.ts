import { readInputText } from "../../common/input-file.js";
import { Option, type Command } from "commander";
import { ACTIONS, type Action } from "../../common/schema.js";
import { parseFlowsNdjson } from "../../runtime/input/flows.js";
import { EXIT } from "../io.js";
import { warnNoInventory } from "../inventory-notes.js";
import { ENGINES, openSession, readDns, readInventory, readText, type EngineName } from "../session.js";
import { collect, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";

interface EvalOptions {
  flows: string;
  inventory: string[];
  dns: string[];
  dnsFile?: string;
  set: string[];
  engine: EngineName;
  failOn?: string;
  trace?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("eval")
    .summary("decide a batch of flows (NDJSON in, one verdict per line out)")
    .description(
      "Read flows as NDJSON (docs/formats.md) from a file or stdin and print one verdict per line, in order.\n" +
        "Bad lines are reported on stderr and skipped. Exit: 0, or 1 when --fail-on matched a verdict,\n" +
        "2 on a usage or input error.\n\n" +
        "Example:\n  echo '{\"src\":\"10.0.1.5\",\"dst\":\"10.0.2.7\",\"port\":\"tcp/8080\",\"app\":\"http\"}' | nvp eval shop.nvp --inventory inv.yaml",
    )
    .argument("<files...>", "policy files (.nvp)")
    .option("--flows <file>", "NDJSON flows (default: stdin)", "-")
    .option("--inventory <file>", "inventory (nvp YAML/JSON or kubectl JSON; repeatable)", collect, [])
    .option("--dns <name=ip,...>", "a DNS resolution (repeatable)", collect, [])
    .option("--dns-file <file>", "DNS resolutions as a JSON/YAML table")
    .addOption(setOption())
    .addOption(new Option("--engine <engine>", "decide with").choices([...ENGINES]).default("wasm"))
    .option("--fail-on <actions>", "exit 1 if any verdict is one of these (comma-separated, e.g. deny,violate)")
    .option("--trace", "include the reasoning and endpoint groups in each verdict")
    .action((files: string[], opts: EvalOptions) => {
      const failOn = parseFailOn(opts.failOn);
      const text = opts.flows === "-" ? readStdin() : readText(opts.flows, ctx.io.cwd, "flows file");
      const source = opts.flows === "-" ? "<stdin>" : opts.flows;
      const parsed = parseFlowsNdjson(text, source);
      reportDiagnostics(ctx, parsed.diagnostics, new Map([[source, text]]), "human");
      if (opts.inventory.length === 0) warnNoInventory(ctx);
      const inventory = readInventory(ctx, opts.inventory);
      const dns = readDns(ctx, opts.dns, opts.dnsFile);
      if (!inventory || !dns) return;
      const s = openSession({ policy: files, params: parseSets(opts.set), inventory, dns, engine: opts.engine, cwd: ctx.io.cwd });
      if (!s.decider) {
        reportDiagnostics(ctx, s.diagnostics, s.sources, "human");
        ctx.exit(s.ioError ? EXIT.usage : EXIT.findings);
        return;
      }
      const flows = parsed.flows.map((f) => f.flow);
      const verdicts = opts.trace ? s.decider.decideMany(flows) : s.decider.lookupMany(flows);
      let failed = 0;
      const out: string[] = [];
      verdicts.forEach((v, i) => {
        if (failOn.has(v.action)) failed++;
        out.push(JSON.stringify({ line: parsed.flows[i]!.line, flow: flows[i], ...v }));
      });
      ctx.io.out(out.length ? out.join("\n") + "\n" : "");
      if (parsed.diagnostics.some((d) => d.severity === "error")) ctx.exit(EXIT.usage);
      if (failed > 0) {
        ctx.io.err(`${failed} flow(s) got ${[...failOn].join(" or ")}\n`);
        ctx.exit(EXIT.findings);
      }
    });
}

function parseFailOn(text: string | undefined): Set<Action> {
  const set = new Set<Action>();
  for (const a of (text ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(ACTIONS as readonly string[]).includes(a)) {
      throw new UsageError(`--fail-on: unknown action \`${a}\` (one of ${ACTIONS.join(", ")})`);
    }
    set.add(a as Action);
  }
  return set;
}

function readStdin(): string {
  return readInputText(0, { what: "flows input" });
}

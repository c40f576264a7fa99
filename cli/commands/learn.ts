import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic } from "../../common/atomic-write.js";
import { compileModule, checkSources, formatText, loadAndCheck } from "../../compiler/index.js";
import type { PolicyModel } from "../../compiler/model.js";
import { MODES, type Mode } from "../../common/schema.js";
import { loadModule } from "../../runtime/index.js";
import { captureEvents } from "../../runtime/learn/capture-events.js";
import { connectionsOf, parseEventLines, type LearnEvent } from "../../runtime/learn/connections.js";
import { Learner } from "../../runtime/learn/learner.js";
import { widenDnsGroups, wildcardPlan } from "../../runtime/learn/dns-wildcards.js";
import { EXIT } from "../io.js";
import { existingRules, withoutCovered, type ExistingPolicy } from "../learn/existing.js";
import { writeAddition, writePolicy, type WriteOptions } from "../learn/write-policy.js";
import { readDns, readInventory, readText as readInput } from "../session.js";
import { collect, reportDiagnostics, UsageError, type CommandContext } from "../shared.js";
import { VERSION } from "../version.js";

interface LearnOptions {
  inventory: string[];
  events: string[];
  into?: string;
  output?: string;
  monitor?: boolean;
  lockPorts?: boolean;
  dnsWildcards?: boolean;
  param: string[];
  mode: string;
  name: string;
  dns: string[];
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("learn")
    .summary("learn allow rules from captures or events, as NeuVector's Discover mode does")
    .description(
      "Replay captures in Discover mode (or read learn and violation events from `nvp replay --events`\n" +
        "or an enforcer) and write the allow rules NeuVector would learn: one per group pair and kind,\n" +
        "app rules on any port, port rules with the server ports seen (more than 20: any), service groups\n" +
        "nv.<svc>.<ns>, rules marked `learned` (docs/learn.md).\n" +
        "Exit: 0 ok, 1 an input has errors, 2 usage or I/O error.\n\n" +
        "Examples:\n" +
        "  nvp learn --inventory inv.yaml capture.pcap -o learned.nvp\n" +
        "  nvp learn --inventory inv.yaml --param namespace --lock-ports capture.pcap\n" +
        "  nvp replay --policy p.nvp --inventory inv.yaml qa.pcap --events ev.ndjson\n" +
        "  nvp learn --inventory inv.yaml --monitor --events ev.ndjson --into p.nvp",
    )
    .argument("[captures...]", "capture files (pcap, pcapng, gzip too) replayed in Discover mode")
    .option("--inventory <file>", "inventory: workloads give the service groups (repeatable)", collect, [])
    .option("--events <file>", "NDJSON learn/violation/flow-end events to learn from (repeatable)", collect, [])
    .option("--into <file>", "add the new rules to this policy (in place): flows it allows are not learned, its rules not repeated")
    .option("-o, --output <file>", "write the policy here (default: stdout)")
    .option("--monitor", "Monitor-mode input: violations become proposed rules (captures replay in Monitor mode)")
    .option("--lock-ports", "app rules keep the server ports the apps were seen on")
    .option("--dns-wildcards", "external peers: two or more names under one parent domain become one `*.parent` group")
    .option("--param <what>", "`namespace`: namespaces become ${ns} parameters, peers parameters too", collect, [])
    .option("--mode <mode>", "mode of the learned service groups", "monitor")
    .option("--name <name>", "policy name of a new policy", "discovered")
    .option("--dns <name=ip,...>", "a DNS resolution the host provides (repeatable)", collect, [])
    .action(async (captures: string[], opts: LearnOptions) => {
      for (const p of opts.param) if (p !== "namespace") throw new UsageError(`--param takes \`namespace\`, got \`${p}\``);
      if (!(MODES as readonly string[]).includes(opts.mode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")}, got \`${opts.mode}\``);
      if (captures.length === 0 && opts.events.length === 0) throw new UsageError("give captures to replay or --events files to learn from");
      const inventory = readInventory(ctx, opts.inventory);
      const dns = readDns(ctx, opts.dns);
      if (!inventory || !dns) return;
      const into = opts.into ? checkInto(ctx, opts.into) : undefined;
      if (opts.into && !into) return;
      const existing = into ? existingRules(into) : undefined;
      const learner = new Learner({ inventory, firstId: Math.max(10000, ...(existing?.ids ?? []).map((id) => id + 1)) });
      const monitor = opts.monitor ?? false;
      const w: WriteOptions = {
        policyName: opts.name,
        mode: opts.mode,
        lockPorts: opts.lockPorts ?? false,
        paramNamespace: opts.param.includes("namespace"),
        sources: [...captures, ...opts.events],
      };
      if (existing) {
        w.taken = existing.names;
        w.declared = existing.services;
        w.usedIds = new Set(existing.ids);
      }
      const events: LearnEvent[] = [];
      for (const file of opts.events) {
        const text = readText(ctx, file);
        const r = parseEventLines(text, file);
        reportDiagnostics(ctx, r.diagnostics, new Map([[file, text]]), "human");
        if (r.diagnostics.length > 0) {
          ctx.exit(EXIT.findings);
          return;
        }
        events.push(...r.events);
      }
      for (const c of connectionsOf(events, monitor)) learner.add(c);
      let passes = 0;
      if (captures.length > 0) {
        const files = captures.map((c) => ({ path: resolve(ctx.io.cwd, c), shown: c }));
        for (const f of files) if (!existsSync(f.path)) throw new UsageError(`cannot read \`${f.shown}\`: ENOENT`);
        // NeuVector keeps learning while the workloads run: a connection that a rule learned later
        // no longer covers (an app replaced its port) is learned again. Passes over the captures,
        // each with the rules learned so far, reach that steady state.
        let before = "";
        for (passes = 1; passes <= MAX_PASSES; passes++) {
          const model = passModel(ctx, opts.into, into, learner, w, existing);
          if (!model) return;
          // Learning replays in Discover mode (NeuVector learns only there); --monitor in Monitor mode.
          const mode: Mode = monitor ? "monitor" : "discover";
          model.settings.defaultMode = mode;
          for (const g of model.groups) if (g.kind === "service") g.mode = mode;
          const module = loadModule(compileModule(model, { compilerVersion: VERSION }).bytes);
          const got = await captureEvents(module, inventory, files, dns);
          if (passes === 1) {
            for (const e of got.errors) {
              ctx.io.err(`${e.truncated ? "warning" : "error"}: ${e.file}: ${e.message} at byte ${e.offset}; the packets before it were used\n`);
              if (!e.truncated) ctx.exit(EXIT.usage);
            }
            learner.setDnsNames(got.dnsNames);
          }
          for (const c of connectionsOf(got.events, monitor)) learner.add(c);
          const now = JSON.stringify(learner.result(), (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
          if (now === before) break;
          before = now;
        }
      }
      const plan = wildcardPlan(learner.result());
      const learned = opts.dnsWildcards ? widenDnsGroups(learner.result(), plan) : learner.result();
      const rules = existing ? withoutCovered(learned, existing) : learned;
      if (!opts.dnsWildcards) w.wildcards = plan;
      const c = learner.counts;
      const pass = passes > 1 ? `, ${Math.min(passes, MAX_PASSES)} passes over the captures` : "";
      ctx.io.err(`learned ${rules.length} rule${rules.length === 1 ? "" : "s"} from ${c.connections} connection report${c.connections === 1 ? "" : "s"} (${c.skipped} without a workload side${pass})\n`);
      if (opts.into) {
        const before = readText(ctx, opts.into);
        const addition = canonical(writeAddition(rules, w));
        const gap = addition === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
        const text = before + gap + addition;
        writeOut(ctx, opts.output ?? opts.into, text);
        return;
      }
      const text = canonical(writePolicy(rules, w));
      if (opts.output) writeOut(ctx, opts.output, text);
      else ctx.io.out(text);
    });
}

function readText(ctx: CommandContext, file: string): string {
  return readInput(file, ctx.io.cwd);
}

/** Written whole or not at all (an `--into` policy is never left half-written). */
function writeOut(ctx: CommandContext, file: string, text: string): void {
  writeFileAtomic(resolve(ctx.io.cwd, file), text, file);
}

function checkInto(ctx: CommandContext, file: string): PolicyModel | undefined {
  const checked = loadAndCheck([file], { cwd: ctx.io.cwd });
  reportDiagnostics(ctx, checked.diagnostics.filter((d) => d.severity === "error"), checked.sources, "human");
  if (!checked.model) ctx.exit(checked.ioError ? EXIT.usage : EXIT.findings);
  return checked.model;
}

const MAX_PASSES = 4;

/** `nvp fmt`'s layout (the writer's text always parses; if it did not, it is kept as written). */
function canonical(text: string): string {
  if (text === "") return text;
  return formatText("learned.nvp", new TextEncoder().encode(text)).text ?? text;
}

/**
 * The policy a pass replays: the `--into` policy (or none) with the rules learned so far. A policy
 * that imports other files is replayed as checked, without the learned rules (one pass suffices
 * unless an app replaced a learned port).
 */
function passModel(ctx: CommandContext, intoFile: string | undefined, into: PolicyModel | undefined, learner: Learner, w: WriteOptions, existing: ExistingPolicy | undefined): PolicyModel | undefined {
  const rules = existing ? withoutCovered(learner.result(), existing) : learner.result();
  const path = resolve(ctx.io.cwd, intoFile ?? "learn.nvp");
  const text = intoFile ? readText(ctx, intoFile) + writeAddition(rules, { ...w, mode: "discover" }) : writePolicy(rules, { ...w, mode: "discover", paramNamespace: false });
  const r = checkSources({ [path]: text }, [path]);
  if (r.model) return r.model;
  if (into) return structuredClone(into);
  reportDiagnostics(ctx, r.diagnostics, r.sources, "human");
  ctx.exit(EXIT.findings);
  return undefined;
}

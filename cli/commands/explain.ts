import { Option, type Command } from "commander";
import type { Flow, Verdict } from "../../common/schema.js";
import { parseFlow } from "../../runtime/input/flows.js";
import { FLOWS } from "../../runtime/input/codes.js";
import { EXIT } from "../io.js";
import { dnsGroupNote, warnNoInventory } from "../inventory-notes.js";
import type { DnsTable } from "../../common/schema.js";
import type { PolicyModel } from "../../compiler/model.js";
import { ENGINES, openSession, readDns, readInventory, type EngineName } from "../session.js";
import { collect, formatOption, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";

interface ExplainOptions {
  from: string;
  to: string;
  port: string;
  app?: string;
  host?: string;
  xff?: string;
  inventory: string[];
  dns: string[];
  dnsFile?: string;
  set: string[];
  format: string;
  engine: EngineName;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("explain")
    .summary("show which rule decides one flow, and why")
    .description(
      "Evaluate one flow against the policy and print the verdict with its reasoning: the endpoints and their\n" +
        "groups, the rules considered, the modes and contention, the X-Forwarded-For lookup.\n\n" +
        "Example:\n  nvp explain shop.nvp --inventory inv.yaml --from 10.0.1.5 --to 10.0.2.7 --port tcp/8080 --app http",
    )
    .argument("<files...>", "policy files (.nvp)")
    .requiredOption("--from <ip>", "source address")
    .requiredOption("--to <ip>", "destination address")
    .requiredOption("--port <port>", "tcp/N, udp/N, icmp, or a bare N (tcp)")
    .option("--app <name>", "identified application (omit: not yet identified; `unknown`: not recognised)")
    .option("--host <name>", "virtual host: HTTP Host or TLS SNI (omit: not yet known)")
    .option("--xff <ip>", "leftmost X-Forwarded-For address")
    .option("--inventory <file>", "inventory (nvp YAML/JSON or kubectl JSON; repeatable)", collect, [])
    .option("--dns <name=ip,...>", "a DNS resolution the enforcer has seen (repeatable)", collect, [])
    .option("--dns-file <file>", "DNS resolutions as a JSON/YAML table")
    .addOption(setOption())
    .addOption(formatOption())
    .addOption(new Option("--engine <engine>", "decide with").choices([...ENGINES]).default("wasm"))
    .action((files: string[], opts: ExplainOptions) => {
      const raw: Record<string, unknown> = { src: opts.from, dst: opts.to };
      raw["port"] = /^\d+$/.test(opts.port) ? Number(opts.port) : opts.port;
      for (const k of ["app", "host", "xff"] as const) if (opts[k] !== undefined) raw[k] = opts[k];
      const parsed = parseFlow(raw, "command line");
      // On the command line an unparsable --xff is refused too (in a flows file it is kept and ignored).
      const bad = parsed.diagnostics.filter((d) => d.severity === "error" || d.code === FLOWS.badXff);
      if (!parsed.flow || bad.length > 0) {
        const help = bad[0]?.code === FLOWS.badXff ? "give the leftmost X-Forwarded-For address, e.g. `--xff 203.0.113.7`" : bad[0]?.help;
        throw new UsageError(bad.map((d) => d.message).join("; "), bad[0]?.code, help);
      }
      if (opts.inventory.length === 0) warnNoInventory(ctx);
      const inventory = readInventory(ctx, opts.inventory);
      const dns = readDns(ctx, opts.dns, opts.dnsFile);
      if (!inventory || !dns) return;
      const s = openSession({ policy: files, params: parseSets(opts.set), inventory, dns, engine: opts.engine, cwd: ctx.io.cwd });
      reportDiagnostics(ctx, s.diagnostics.filter((d) => d.severity === "error"), "sources" in s ? s.sources : new Map(), "human");
      if (!s.decider) {
        ctx.exit(s.ioError ? EXIT.usage : EXIT.findings);
        return;
      }
      const v = s.decider.decide(parsed.flow);
      if (opts.format === "json") ctx.io.out(JSON.stringify({ flow: parsed.flow, ...v, engine: s.decider.engine }, null, 2) + "\n");
      else ctx.io.out(renderExplanation(v, s.decider.engine, { model: s.decider.model, dns, flow: parsed.flow }));
    });
}

export function describeFlow(f: Flow): string {
  const port = f.proto === "icmp" ? "icmp" : typeof f.proto === "number" ? `proto ${f.proto}` : `${f.proto}/${f.port ?? "?"}`;
  const extras = [
    f.app !== undefined ? `app ${f.app}` : "app not yet identified",
    f.host !== undefined ? `host ${f.host || "(none)"}` : undefined,
    f.xff !== undefined ? `xff ${f.xff}` : undefined,
  ].filter(Boolean);
  return `${f.src} -> ${f.dst} ${port}, ${extras.join(", ")}`;
}

export function describeVerdict(v: { action: string; rule: number; mode?: string; awaiting?: string }): string {
  const rule = v.rule === 0 ? "implicit rule" : `rule ${v.rule}`;
  const parts = [rule, v.mode ? `mode ${v.mode}` : "unmanaged", v.awaiting ? `awaiting ${v.awaiting}` : undefined];
  return `${v.action} (${parts.filter(Boolean).join(", ")})`;
}

/**
 * After "destination not in `g`" for a group of DNS names, why: the resolutions known for its names,
 * or that none is known (the engine learns them from DNS answers on the wire, never from this machine).
 */
function withDnsNotes(line: string, why: { model: PolicyModel; dns: DnsTable; flow: Flow }): string[] {
  const notes: string[] = [];
  for (const m of line.matchAll(/(source|destination) not in `([^`]+)`/g)) {
    const ip = m[1] === "source" ? why.flow.src : why.flow.dst;
    const note = dnsGroupNote(why.model, why.dns, m[2]!, ip);
    if (note) notes.push(`  \`${m[2]}\`: ${note}`);
  }
  return [line, ...notes];
}

function renderExplanation(v: Verdict, engine: string, why: { model: PolicyModel; dns: DnsTable; flow: Flow }): string {
  const lines = [...v.trace.filter((t) => !t.startsWith("verdict:")).flatMap((t) => withDnsNotes(t, why)), ""];
  if (v.xff) lines.push(`xff      ${v.xff.src.ip} (${v.xff.src.kind}): ${describeVerdict(v.xff)}`);
  lines.push(`verdict  ${describeVerdict(v)}${engine === "wasm" ? "  [engine: wasm]" : ""}`);
  return lines.join("\n") + "\n";
}

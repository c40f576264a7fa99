import { writeFileAtomic } from "../../common/atomic-write.js";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { compileModule, DUMP_STAGES, loadAndCheck, signModule, type DumpStage } from "../../compiler/index.js";
import { readKey } from "../keys.js";
import { EXIT } from "../io.js";
import { VERSION } from "../version.js";
import { allWarningsOption, formatOption, parseSets, reportDiagnostics, setOption, type CommandContext } from "../shared.js";

interface CompileOptions {
  output: string;
  set: string[];
  dumpAfter?: DumpStage;
  format: string;
  timings?: boolean;
  allWarnings?: boolean;
  sign?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("compile")
    .summary("compile a policy into one WebAssembly decision module")
    .description(
      "Check the policy, lower it to a decision table and write it into the prebuilt engine: one self-contained\n" +
        "policy.wasm that enforcers load. The same sources and parameters give a byte-identical module.\n" +
        "Exit: 0 written, 1 the policy has errors, 2 usage or I/O error.\n\n" +
        "Example:\n  nvp compile examples/shop/shop.nvp --set ns=shop --set db=prod-db -o policy.wasm",
    )
    .argument("<files...>", "policy files (.nvp)")
    .requiredOption("-o, --output <file>", "where to write the module")
    .addOption(setOption())
    .addOption(new Option("--dump-after <stage>", "print the intermediate form after a stage").choices([...DUMP_STAGES]))
    .option("--timings", "print each stage's time on stderr")
    .option("--sign <key>", "sign the module with this Ed25519 private key (PEM); enforcers verify it with the public key")
    .addOption(allWarningsOption())
    .addOption(formatOption())
    .action((files: string[], opts: CompileOptions) => {
      const stages: { name: string; ms: number }[] = [];
      const t0 = performance.now();
      // The key is read first: a bad key is a usage error before any work is done.
      const key = opts.sign ? readKey(ctx.io.cwd, opts.sign, "private") : undefined;
      const checked = loadAndCheck(files, { params: parseSets(opts.set), cwd: ctx.io.cwd });
      stages.push({ name: "parse+check", ms: performance.now() - t0 });
      reportDiagnostics(ctx, checked.diagnostics, checked.sources, "human", opts.allWarnings ? "all" : "limited");
      if (!checked.model) {
        ctx.exit(checked.ioError ? EXIT.usage : EXIT.findings);
        return;
      }
      const out = compileModule(checked.model, {
        compilerVersion: VERSION,
        ...(opts.dumpAfter ? { dumpAfter: opts.dumpAfter, onDump: (_stage: string, text: string) => ctx.io.out(text.endsWith("\n") ? text : text + "\n") } : {}),
      });
      stages.push(...out.stages);
      const bytes = key ? signModule(out.bytes, key) : out.bytes;
      writeFileAtomic(resolve(ctx.io.cwd, opts.output), bytes, opts.output);
      const summary = { output: opts.output, bytes: bytes.length, signed: Boolean(key), tableBytes: out.tableBytes, rules: checked.model.rules.length, groups: checked.model.groups.length, stages };
      if (opts.format === "json") ctx.io.out(JSON.stringify(summary, null, 2) + "\n");
      else if (!opts.dumpAfter) {
        ctx.io.err(`wrote ${opts.output}: ${bytes.length} bytes, ${summary.rules} rules, ${summary.groups} groups${key ? ", signed" : ""}\n`);
      }
      if (opts.timings) for (const s of stages) ctx.io.err(`  ${s.name.padEnd(12)} ${s.ms.toFixed(2)} ms\n`);
    });
}

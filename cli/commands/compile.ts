import { writeFileAtomic } from "../../common/atomic-write.js";
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { compileFiles, signModule, STAGES, type Stage } from "../../compiler/index.js";
import { readKey } from "../keys.js";
import { EXIT } from "../io.js";
import { expandPolicyArgs, policyRoots } from "../policy-files.js";
import { VERSION } from "../version.js";
import { allWarningsOption, formatOption, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";

interface CompileOptions {
  output: string;
  set: string[];
  dumpAfter?: Stage;
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
        "Several files are one policy; a folder stands for the one policy in it (its .nvp files that no\n" +
        "other file there imports must be exactly one).\n" +
        "Exit: 0 written, 1 the policy has errors, 2 usage or I/O error.\n\n" +
        "Example:\n  nvp compile examples/shop/shop.nvp --set ns=shop --set db=prod-db -o policy.wasm",
    )
    .argument("<paths...>", "policy files (.nvp), or a folder holding one policy")
    .requiredOption("-o, --output <file>", "where to write the module")
    .addOption(setOption())
    .addOption(new Option("--dump-after <stage>", "print a stage's output on stdout (compiler/pipeline.ts)").choices([...STAGES]))
    .option("--timings", "print every stage's time on stderr")
    .option("--sign <key>", "sign the module with this Ed25519 private key (PEM); enforcers verify it with the public key")
    .addOption(allWarningsOption())
    .addOption(formatOption())
    .action((paths: string[], opts: CompileOptions) => {
      const files = policyFiles(paths, ctx.io.cwd);
      // The key is read first: a bad key is a usage error before any work is done.
      const key = opts.sign ? readKey(ctx.io.cwd, opts.sign, "private") : undefined;
      const out = compileFiles(files, {
        params: parseSets(opts.set),
        cwd: ctx.io.cwd,
        compilerVersion: VERSION,
        ...(opts.dumpAfter ? { dumpAfter: opts.dumpAfter, onDump: (_stage: Stage, text: string) => ctx.io.out(text.endsWith("\n") || text === "" ? text : text + "\n") } : {}),
      });
      reportDiagnostics(ctx, out.diagnostics, out.sources, "human", opts.allWarnings ? "all" : "limited");
      const timings = () => {
        if (opts.timings) for (const s of out.stages) ctx.io.err(`  ${s.name.padEnd(8)} ${s.ms.toFixed(2)} ms\n`);
      };
      if (!out.model || !out.module) {
        timings();
        ctx.exit(out.ioError ? EXIT.usage : EXIT.findings);
        return;
      }
      const { model, stages } = out;
      const bytes = key ? signModule(out.module.bytes, key) : out.module.bytes;
      writeFileAtomic(resolve(ctx.io.cwd, opts.output), bytes, opts.output);
      const summary = { output: opts.output, bytes: bytes.length, signed: Boolean(key), tableBytes: out.module.tableBytes, rules: model.rules.length, groups: model.groups.length, stages };
      if (opts.format === "json") ctx.io.out(JSON.stringify(summary, null, 2) + "\n");
      else if (!opts.dumpAfter) {
        ctx.io.err(`wrote ${opts.output}: ${bytes.length} bytes, ${summary.rules} rules, ${summary.groups} groups${key ? ", signed" : ""}\n`);
      }
      timings();
    });
}

/**
 * The files to compile as one policy. Named files are taken as they are (several files are one
 * policy); a folder contributes its .nvp files that no other file imports, and must hold one.
 */
function policyFiles(paths: readonly string[], cwd: string): string[] {
  const { files, fromFolder } = expandPolicyArgs(paths, cwd);
  if (!fromFolder) return files;
  const roots = policyRoots(files, cwd).map((r) => r.file);
  if (roots.length === 0) throw new UsageError(`no .nvp files in ${paths.map((p) => `\`${p}\``).join(", ")}`);
  if (roots.length > 1) {
    throw new UsageError(
      `${paths.map((p) => `\`${p}\``).join(", ")} hold${paths.length === 1 ? "s" : ""} ${roots.length} policies (${roots.join(", ")}); ` +
        "a module is one policy: name its file (files it imports come along)",
    );
  }
  return roots;
}

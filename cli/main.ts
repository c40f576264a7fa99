import { Command, CommanderError } from "commander";
import { helpConfig } from "./help.js";
import { EXIT, processIo, type Io } from "./io.js";
import { UsageError, type CommandContext } from "./shared.js";
import { VERSION } from "./version.js";
import { InputFileError } from "../common/input-file.js";
import { AtomicWriteError } from "../common/atomic-write.js";

/**
 * Each command's module, loaded only when needed: `nvp replay …` loads replay's modules and not the
 * store's DuckDB bindings or the CRD importer (start-up is part of every whole-process run);
 * `nvp --help`, `nvp help …` and unknown commands load them all. Order = the help's order.
 */
const COMMANDS: readonly (readonly [string, () => Promise<{ register(program: Command, ctx: CommandContext): void }>])[] = [
  ["check", () => import("./commands/check.js")],
  ["fmt", () => import("./commands/fmt.js")],
  ["compile", () => import("./commands/compile.js")],
  ["inspect", () => import("./commands/inspect.js")],
  ["test", () => import("./commands/test.js")],
  ["explain", () => import("./commands/explain.js")],
  ["eval", () => import("./commands/eval.js")],
  ["replay", () => import("./commands/replay.js")],
  ["import", () => import("./commands/import.js")],
  ["export", () => import("./commands/export.js")],
  ["diff", () => import("./commands/diff.js")],
  ["learn", () => import("./commands/learn.js")],
  ["ingest", () => import("./commands/ingest.js")],
  ["export-parquet", () => import("./commands/export-parquet.js")],
  ["report", () => import("./commands/report.js")],
  ["serve", () => import("./commands/serve.js")],
];

/** Run `nvp` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const ctx: CommandContext = {
    io,
    exit(c) {
      code = Math.max(code, c);
    },
  };
  const program = new Command("nvp")
    .description("policy-as-code for container network segmentation: check, test and compile .nvp policies")
    .version(VERSION, "-V, --version")
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .configureHelp(helpConfig)
    .showHelpAfterError("(run with --help for usage)")
    .enablePositionalOptions();
  const first = argv.find((a) => !a.startsWith("-"));
  const only = COMMANDS.find(([name]) => name === first);
  for (const [, load] of only ? [only] : COMMANDS) (await load()).register(program, ctx);
  program.commands.forEach((c) => c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) }));
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything commander rejects is a usage error.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof InputFileError || e instanceof AtomicWriteError) {
      // Input that cannot be read and output that cannot be written are the user's to fix: exit 2.
      const help = "help" in e && e.help ? `  = help: ${e.help}\n` : "";
      io.err(`error${e.code ? `[${e.code}]` : ""}: ${e.message}\n${help}`);
      return EXIT.usage;
    }
    // A bug in nvp, not in the input: one line, and the stack only when asked for.
    const detail = e instanceof Error ? (process.env["NVP_DEBUG"] ? (e.stack ?? e.message) : e.message) : String(e);
    io.err(`internal error: ${detail}\n(set NVP_DEBUG=1 for a stack trace, and please report this)\n`);
    return EXIT.usage;
  }
  return code;
}

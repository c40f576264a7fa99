import { Command, CommanderError } from "commander";
import { EXIT, processIo, type Io } from "./io.js";
import { UsageError, type CommandContext } from "./shared.js";
import { VERSION } from "./version.js";
import { InputFileError } from "../common/input-file.js";
import { AtomicWriteError } from "../common/atomic-write.js";
import * as check from "./commands/check.js";
import * as compile from "./commands/compile.js";
import * as inspect from "./commands/inspect.js";
import * as replay from "./commands/replay.js";
import * as evalCmd from "./commands/eval.js";
import * as explain from "./commands/explain.js";
import * as fmt from "./commands/fmt.js";
import * as test from "./commands/test.js";
import * as importCmd from "./commands/import.js";
import * as exportCmd from "./commands/export.js";
import * as learn from "./commands/learn.js";
import * as diff from "./commands/diff.js";

const COMMANDS = [check, fmt, compile, inspect, test, explain, evalCmd, replay, importCmd, exportCmd, diff, learn];

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
    .showHelpAfterError("(run with --help for usage)")
    .enablePositionalOptions();
  for (const c of COMMANDS) c.register(program, ctx);
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

import { Command, CommanderError } from "commander";
import { EXIT, processIo, type Io } from "./io.js";
import { VERSION } from "./version.js";

/** Run `nvp` with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = new Command("nvp")
    .description("policy-as-code for container network segmentation")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError("(run with --help for usage)");
  let code: number = EXIT.ok;
  const setCode = (c: number) => {
    code = c;
  };
  void setCode;
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  }
  return code;
}

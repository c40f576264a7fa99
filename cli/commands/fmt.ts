import { resolve } from "node:path";
import { writeFileAtomic, AtomicWriteError } from "../../common/atomic-write.js";
import { InputFileError, readInputFile } from "../../common/input-file.js";
import { MAX_SOURCE_BYTES } from "../../compiler/source.js";
import type { Command } from "commander";
import { formatText } from "../../compiler/index.js";
import { EXIT } from "../io.js";
import { reportDiagnostics, UsageError, type CommandContext } from "../shared.js";

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("fmt")
    .summary("format policy files in the canonical layout (comments kept)")
    .description(
      "Print each file in the canonical layout, or rewrite it with -w. With --check, list the files that are\n" +
        "not formatted and exit 1 (for CI). Files with syntax errors are reported and left alone.",
    )
    .argument("<files...>", "policy files (.nvp)")
    .option("-w, --write", "rewrite the files in place")
    .option("--check", "do not write; exit 1 if any file is not formatted")
    .action((files: string[], opts: { write?: boolean; check?: boolean }) => {
      if (opts.write && opts.check) throw new UsageError("use either -w or --check, not both");
      const unformatted: string[] = [];
      for (const file of files) {
        let bytes: Uint8Array;
        try {
          bytes = readInputFile(resolve(ctx.io.cwd, file), { shown: file, what: "policy file", limit: MAX_SOURCE_BYTES });
        } catch (e) {
          if (!(e instanceof InputFileError)) throw e;
          ctx.io.err(`error[${e.code}]: ${e.message}\n`);
          ctx.exit(EXIT.usage);
          continue;
        }
        const r = formatText(file, bytes);
        if (r.text === undefined) {
          reportDiagnostics(ctx, r.diagnostics, r.sources, "human");
          ctx.exit(EXIT.findings);
          continue;
        }
        const changed = r.text !== r.original;
        if (opts.check) {
          if (changed) unformatted.push(file);
        } else if (opts.write) {
          if (changed) {
            try {
              writeFileAtomic(resolve(ctx.io.cwd, file), r.text, file);
            } catch (e) {
              if (!(e instanceof AtomicWriteError)) throw e;
              ctx.io.err(`error[${e.code}]: ${e.message}\n`);
              ctx.exit(EXIT.usage);
              continue;
            }
            ctx.io.err(`formatted ${file}\n`);
          }
        } else {
          ctx.io.out(r.text);
        }
      }
      if (opts.check && unformatted.length > 0) {
        for (const f of unformatted) ctx.io.out(`${f}: not formatted\n`);
        ctx.io.err(`${unformatted.length} file(s) need \`nvp fmt -w\`\n`);
        ctx.exit(EXIT.findings);
      }
    });
}

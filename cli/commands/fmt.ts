import { resolve } from "node:path";
import { writeFileAtomic, AtomicWriteError } from "../../common/atomic-write.js";
import { InputFileError, readInputFile } from "../../common/input-file.js";
import { MAX_SOURCE_BYTES } from "../../compiler/source.js";
import type { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import { formatText } from "../../compiler/index.js";
import { EXIT } from "../io.js";
import { expandPolicyArgs } from "../policy-files.js";
import { reportDiagnostics, UsageError, type CommandContext } from "../shared.js";

interface FmtOptions {
  write?: boolean;
  check?: boolean;
  diff?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("fmt")
    .summary("format policy files in the canonical layout (comments kept)")
    .description(
      "Print each file in the canonical layout, rewrite it with -w, or show what would change as a unified\n" +
        "diff with -d. With --check, list the files that are not formatted and exit 1 (for CI). A folder\n" +
        "stands for every .nvp file under it. Files with syntax errors are reported and left alone.\n" +
        "Exit: 0 formatted (or printed), 1 a file is not formatted (--check, -d) or has syntax errors,\n" +
        "2 usage or I/O error.\n\n" +
        "Examples:\n  nvp fmt -w policies/\n  nvp fmt --check examples/\n  nvp fmt -d shop.nvp",
    )
    .argument("<paths...>", "policy files (.nvp) or folders")
    .option("-w, --write", "rewrite the files in place")
    .option("--check", "do not write; exit 1 if any file is not formatted")
    .option("-d, --diff", "do not write; print a unified diff of the changes and exit 1 if there are any")
    .action((paths: string[], opts: FmtOptions) => {
      if ([opts.write, opts.check, opts.diff].filter(Boolean).length > 1) throw new UsageError("use only one of -w, --check and -d");
      const { files } = expandPolicyArgs(paths, ctx.io.cwd);
      if (files.length === 0) ctx.io.err(`warning: no .nvp files in ${paths.map((p) => `\`${p}\``).join(", ")}\n`);
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
        if (opts.check || opts.diff) {
          if (!changed) continue;
          unformatted.push(file);
          if (opts.diff) ctx.io.out(createTwoFilesPatch(`a/${file.replace(/^\/+/, "")}`, `b/${file.replace(/^\/+/, "")}`, r.original!, r.text, undefined, undefined, { context: 3 }).replace(/^=+\n/, ""));
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
      if (unformatted.length > 0) {
        if (opts.check) for (const f of unformatted) ctx.io.out(`${f}: not formatted\n`);
        ctx.io.err(`${unformatted.length} file(s) need \`nvp fmt -w\`\n`);
        ctx.exit(EXIT.findings);
      }
    });
}

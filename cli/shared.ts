/** Option handling shared by the commands: --set, --format, colours, and diagnostics output. */
import { Option } from "commander";
import { renderAll, diagnosticToJson, type Diagnostic, type SourceTexts } from "../common/diagnostics.js";
import type { Io } from "./io.js";

/** What a command's action reports back to main(). */
export interface CommandContext {
  io: Io;
  /** Set the process exit code (the highest set wins). */
  exit(code: number): void;
}

/** Thrown by a command for a usage or I/O problem: printed as `error: …` (`error[code]: …` with a code), exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--set k=v` repeated → params. */
export function parseSets(sets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set expects \`name=value\`, got \`${s}\``);
    out[s.slice(0, eq).trim()] = s.slice(eq + 1);
  }
  return out;
}

export const setOption = () =>
  new Option("--set <name=value>", "override a policy parameter (repeatable)").argParser(collect).default([]);

export function formatOption(choices: readonly string[] = ["human", "json"]) {
  return new Option("--format <format>", "output format").choices([...choices]).default("human");
}

export function useColor(io: Io): boolean {
  return io.isTty && !process.env["NO_COLOR"];
}

/**
 * Warnings of one code printed before the rest are only counted (`--all-warnings` prints them all):
 * a ClassBench set of 100k rules has 96k shadowed ones, 45 MB of text no one reads.
 */
export const WARNINGS_PER_CODE = 200;

export const allWarningsOption = () =>
  new Option("--all-warnings", `print every warning (by default at most ${WARNINGS_PER_CODE} of one code, then a count)`);

/**
 * Print diagnostics the way `--format` asks; human output goes to stderr so stdout stays data.
 * `warnings: "limited"` (commands with `--all-warnings`) prints at most WARNINGS_PER_CODE of one
 * code; machine formats always carry every diagnostic.
 */
export function reportDiagnostics(
  ctx: CommandContext,
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  format: string,
  warnings: "all" | "limited" = "all",
): void {
  if (diagnostics.length === 0) return;
  if (format === "json") {
    ctx.io.out(JSON.stringify({ diagnostics: diagnostics.map(diagnosticToJson) }, null, 2) + "\n");
  } else {
    const limitWarnings = warnings === "all" ? undefined : { perCode: WARNINGS_PER_CODE, help: "`--all-warnings` shows them" };
    ctx.io.err(renderAll(diagnostics, sources, { color: useColor(ctx.io), ...(limitWarnings ? { limitWarnings } : {}) }) + "\n");
  }
}

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

/** Thrown by a command for a usage or I/O problem: printed as `error: …`, exit 2. */
export class UsageError extends Error {}

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

/** Print diagnostics the way `--format` asks; human output goes to stderr so stdout stays data. */
export function reportDiagnostics(
  ctx: CommandContext,
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  format: string,
): void {
  if (diagnostics.length === 0) return;
  if (format === "json") {
    ctx.io.out(JSON.stringify({ diagnostics: diagnostics.map(diagnosticToJson) }, null, 2) + "\n");
  } else {
    ctx.io.err(renderAll(diagnostics, sources, { color: useColor(ctx.io) }) + "\n");
  }
}

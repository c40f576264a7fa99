/**
 * The README's commands, run, and their output compared with what the README shows: figures (module
 * sizes, test counts) and outputs come from the current code. In a README block, `$ ` starts a
 * command (a trailing `\` continues it); the lines up to the next command are its output, where a
 * line `…` stands for any lines and `…` inside a line for any text. Commands run through bash with
 * `npx nvp` as `node bin/nvp.js` (the build `npm test` makes first), stdout and stderr together.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../repo-files.js";

interface Step {
  command: string;
  expected: string[];
}

/** Commands and their shown output, from every fenced block without a language. */
export function readmeSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  let inBlock = false;
  /** A block without a language: a transcript (```sh blocks are instructions, not run). */
  let shell = false;
  let indent = 0;
  let current: Step | undefined;
  let continued = false;
  for (const raw of markdown.split("\n")) {
    const fence = /^(\s*)```(\S*)\s*$/.exec(raw);
    if (fence) {
      if (!inBlock) {
        inBlock = true;
        shell = fence[2] === "";
        indent = fence[1]!.length;
      } else {
        inBlock = false;
        current = undefined;
      }
      continue;
    }
    if (!inBlock || !shell) continue;
    const line = raw.slice(indent);
    if (continued && current) {
      current.command += " " + line.trim().replace(/\\$/, "").trim();
      continued = line.trimEnd().endsWith("\\");
      continue;
    }
    if (line.startsWith("$ ")) {
      current = { command: line.slice(2).replace(/\\$/, "").trim(), expected: [] };
      continued = line.trimEnd().endsWith("\\");
      steps.push(current);
    } else if (current) {
      current.expected.push(line);
    }
  }
  return steps;
}

/** The shown output as a pattern: `…` alone is any lines, `…` in a line any text. */
function pattern(expected: readonly string[]): RegExp {
  const lines = [...expected];
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  const body = lines
    .map((l) => (l.trim() === "…" ? "(?:[^\\n]*\\n)*?" : l.split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^\\n]*") + "\\n"))
    .join("");
  return new RegExp(`^${body}$`);
}

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const STEPS = readmeSteps(README).filter((s) => s.command.includes("nvp ") || s.command.startsWith("printf "));

describe("README", () => {
  test("has commands to run", () => {
    expect(STEPS.length).toBeGreaterThanOrEqual(8);
  });

  // One test per command, run in order (tests of a file run one after another): a later command may
  // read what an earlier one wrote (/tmp/bad.nvp, build/policy.wasm).
  test.each(STEPS.map((s, i) => [i + 1, s.command, s] as const))("%i: $ %s", (_i, _command, step) => {
    const cmd = step.command.replace(/\bnpx nvp\b/g, "node bin/nvp.js");
    let out: string;
    try {
      out = execFileSync("bash", ["-c", `${cmd} 2>&1`], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? "");
    }
    if (!out.endsWith("\n") && out !== "") out += "\n";
    if (step.expected.every((l) => l.trim() === "")) return;
    expect(out, `$ ${step.command}`).toMatch(pattern(step.expected));
  });
});

/**
 * Errors that teach, and help that reads well: port forms from other tools get a did-you-mean (in a
 * policy and on the command line), unknown applications on the command line the same did-you-mean
 * as in a policy, --src/--dst are aliases, help is wrapped once, and every command lists its exit
 * codes in its help and in the README.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import { REPO_ROOT } from "../repo-files.js";
import { runCli, scratchDir } from "./run-cli.js";

const run = runCli;

const COMMANDS = ["check", "fmt", "compile", "inspect", "test", "explain", "eval", "replay", "diff", "import", "export", "learn"];
const EXPLAIN = ["explain", "examples/egress/egress.nvp", "--inventory", "examples/egress/inventory.yaml"];

describe("port forms from other tools", () => {
  test.each([
    ["tcp:5432", "NV0014", "did you mean `tcp/5432`?"],
    ["5432/tcp", "NV0014", "did you mean `tcp/5432`? (the protocol comes first)"],
    ["UDP:53", "NV0014", "did you mean `udp/53`?"],
    ["sctp/5000", "NV0014", "`sctp` has no ports here: only TCP and UDP are matched by port (as in NeuVector); did you mean `tcp/5000` or `udp/5000`? Other IP protocols match only `any`"],
    ["TCP 80", "NV1002", "did you mean `tcp/80`?"],
  ])("in a policy, `port %s`: %s with a did-you-mean, never \"quote it\"", (form, code, help) => {
    const ds = parseSource("p.nvp", `rule 10 allow a -> b port ${form}\n`).diagnostics;
    const d = ds.find((x) => x.code === code);
    expect(d?.help).toBe(help);
    for (const x of ds) expect(x.help ?? "").not.toMatch(/quote/);
  });

  test("`TCP/80` is simply accepted", () => {
    expect(parseSource("p.nvp", "rule 10 allow a -> b port TCP/80\n").diagnostics).toEqual([]);
  });

  test.each([
    ["tcp:5432", "did you mean `tcp/5432`?"],
    ["5432/tcp", "did you mean `tcp/5432`? (the protocol comes first)"],
    ["sctp/5000", "`sctp` has no ports here"],
    ["TCP 80", "did you mean `tcp/80`?"],
  ])("on the command line, --port %s: exit 2 with the same did-you-mean", async (form, help) => {
    const r = await run([...EXPLAIN, "--from", "10.8.1.10", "--to", "1.1.1.1", "--port", form]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error\[NV52\d\d\]: /);
    expect(r.err).toContain(`\`${form}\` is not a flow port\n  = help: ${help}`);
  });

  test("an unknown application on the command line gets the policy's did-you-mean", async () => {
    const policy = parseSource("p.nvp", "group a { address 10.0.0.0/8 }\nrule 10 allow a -> a app mysqll\n");
    expect(policy.diagnostics).toEqual([]); // the name is checked after parsing, by NV2206 (test/check)
    const r = await run([...EXPLAIN, "--from", "10.8.1.10", "--to", "1.1.1.1", "--port", "tcp/3306", "--app", "mysqll"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown application `mysqll`\n  = help: did you mean `mysql`?");
    const dir = scratchDir({ "p.nvp": "group a { address 10.0.0.0/8 }\nrule 10 allow a -> a app mysqll\n" });
    const checked = await runCli(["check", "p.nvp"], dir);
    expect(checked.code).toBe(1);
    expect(checked.err).toContain("error[NV2206]: unknown application `mysqll`");
    expect(checked.err).toContain("= help: did you mean `mysql`?");
  });
});

describe("--src and --dst", () => {
  test("are aliases of --from and --to (flow JSON says src/dst)", async () => {
    const a = await run([...EXPLAIN, "--from", "10.8.1.10", "--to", "1.1.1.1", "--port", "tcp/443"]);
    const b = await run([...EXPLAIN, "--src", "10.8.1.10", "--dst", "1.1.1.1", "--port", "tcp/443"]);
    expect(b).toEqual(a);
    expect(a.code).toBe(0);
  });

  test("disagreeing with --from is a usage error; neither given names both", async () => {
    const r = await run([...EXPLAIN, "--from", "10.8.1.10", "--src", "10.8.1.11", "--to", "1.1.1.1", "--port", "80"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--from `10.8.1.10` and --src `10.8.1.11` disagree");
    const none = await run([...EXPLAIN, "--to", "1.1.1.1", "--port", "80"]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("required option --from <ip> not given (--src is the same)");
  });
});

/** The exit codes a help text or README row lists: the digits of its `Exit:` paragraph. */
function codes(text: string): number[] {
  return [...new Set([...text.matchAll(/(?<![-\w/])([0-9])(?![\w/])/g)].map((m) => Number(m[1])))].sort();
}

describe("help texts", () => {
  test.each(COMMANDS)("nvp %s --help: wrapped once at 80 columns, examples whole, no doubled or empty default", async (cmd) => {
    const r = await run([cmd, "--help"]);
    expect(r.code).toBe(0);
    for (const line of r.out.split("\n")) {
      // Example commands are indented and never broken, so they may run past the width.
      if (!/^ {2}nvp |^ {2}echo /.test(line)) expect(line.length, line).toBeLessThanOrEqual(80);
      expect(line).not.toMatch(/\(default: [^)]*\).*\(default:/);
      expect(line).not.toContain("(default: [])");
    }
    // Wrapped once, greedily: within a paragraph no line could have taken the next line's first word
    // (a line broken twice, by the source and again by the wrapper, leaves such a short line).
    const lines = r.out.split("\n");
    lines.forEach((line, i) => {
      const next = lines[i + 1];
      if (!next || !line || /^\s/.test(line) || /^\s/.test(next) || /^[A-Z][a-z]*( [a-z]+)*:/.test(next)) return;
      const word = next.split(" ")[0]!;
      expect(line.length + 1 + word.length, `ragged: ${JSON.stringify(line)} then ${JSON.stringify(next)}`).toBeGreaterThan(80);
    });
  });

  test.each(COMMANDS)("nvp %s lists its exit codes in --help and the README lists the same", async (cmd) => {
    const help = (await run([cmd, "--help"])).out;
    const exit = /(?<=^|\n)Exit: [\s\S]*?(?=\n\n|$)/.exec(help);
    expect(exit, `${cmd} --help has no Exit: paragraph`).not.toBeNull();
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const row = new RegExp(`^\\| \`nvp ${cmd}\` \\| (.*) \\|$`, "m").exec(readme);
    expect(row, `README has no exit-code row for ${cmd}`).not.toBeNull();
    expect(codes(row![1]!)).toEqual(codes(exit![0].replace(/--fail-on-threat|--fail-on|--deny-warnings|-d\b/g, "")));
    expect(codes(exit![0])).toContain(0);
    expect(codes(exit![0])).toContain(2);
  });
});

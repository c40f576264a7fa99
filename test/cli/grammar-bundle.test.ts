/**
 * The built grammar's chevrotain is one bundled file (scripts/bundle-grammar.mjs): it loads no
 * package or file at run time (so no command pays for lodash-es's ~650 modules), exports what the
 * source module exports, and the built CLI parses with it exactly as the source does: the same
 * diagnostics for a policy with syntax errors, the same answer for a good one. Needs a current
 * `npm run build`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import * as source from "../../grammar/chevrotain.js";
import { REPO_ROOT } from "../repo-files.js";
import { runCli } from "./run-cli.js";

const BUNDLE = join(REPO_ROOT, "dist/grammar/chevrotain.js");
const scratch = mkdtempSync(join(tmpdir(), "nvp-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The built CLI as a user runs it: output and exit code. */
function built(args: string[]): { out: string; code: number } {
  try {
    return { out: execFileSync(process.execPath, [join(REPO_ROOT, "bin/nvp.js"), ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }), code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; status: number };
    return { out: err.stdout + err.stderr, code: err.status };
  }
}

describe("the bundled chevrotain", () => {
  test("imports nothing at run time", () => {
    const text = readFileSync(BUNDLE, "utf8");
    expect(text).not.toMatch(/^\s*(?:import|export)\s[^;]*?\bfrom\s*["']/m);
    expect(text).not.toMatch(/\bimport\s*\(|\brequire\s*\(\s*["'](?:chevrotain|lodash)/);
  });

  test("exports what grammar/chevrotain.ts exports", async () => {
    const bundle = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>;
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(source).sort());
    for (const name of Object.keys(source)) expect(typeof bundle[name]).toBe(typeof (source as Record<string, unknown>)[name]);
  });

  test("the built CLI reports a broken policy's errors as the source does", async () => {
    const file = join(scratch, "broken.nvp");
    writeFileSync(file, "policy p\ngroup web { label app=web\nrule 10 allow web -> -> any port tcp/80\nrule x deny any any\n");
    const fromBuild = built(["check", file, "--format", "json"]);
    const fromSource = await runCli(["check", file, "--format", "json"]);
    expect(fromBuild.code).toBe(fromSource.code);
    expect(fromBuild.code).not.toBe(0);
    expect(JSON.parse(fromBuild.out)).toEqual(JSON.parse(fromSource.out));
  });

  test("the built CLI checks a good policy", () => {
    const r = built(["check", join(REPO_ROOT, "examples/shop/shop.nvp"), "--set", "ns=shop", "--set", "db=prod-db"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: policy `shop`/);
  });
});

/**
 * The checker never throws, whatever it is given: random ASTs (test/arbitraries/check-ast.ts) and
 * random text mutations of valid policies through the whole front end. Every diagnostic is
 * well-formed and known, diagnostics are sorted, and a model comes back exactly when there is no
 * error, satisfying compiler/model.ts's invariants.
 */
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../common/diagnostics.js";
import { compareSpans } from "../../common/span.js";
import { checkPolicy } from "../../compiler/check/check.js";
import { CHECK_CODES } from "../../common/codes/check.js";
import { checkSources } from "../../compiler/pipeline.js";
import type { PolicyModel } from "../../compiler/model.js";
import { arbSourceFile } from "../arbitraries/ast.js";
import { arbParams, arbSourceFiles } from "../arbitraries/check-ast.js";
import { expectWellFormed } from "./helpers.js";

function expectSound(diagnostics: Diagnostic[], model: PolicyModel | undefined, onlyChecker: boolean): void {
  for (let i = 1; i < diagnostics.length; i++) expect(compareSpans(diagnostics[i - 1]!.span, diagnostics[i]!.span)).toBeLessThanOrEqual(0);
  for (const d of diagnostics) {
    expectWellFormed(d);
    if (onlyChecker) expect(CHECK_CODES[d.code], d.code).toBeDefined();
    if (d.code.startsWith("NV2")) expect(d.severity).toBe(CHECK_CODES[d.code]!.severity);
  }
  const errors = diagnostics.some((d) => d.severity === "error");
  expect(model === undefined).toBe(errors);
  if (!model) return;
  model.groups.forEach((g, i) => expect(g.index).toBe(i));
  for (let i = 1; i < model.rules.length; i++) expect(model.rules[i]!.id).toBeGreaterThan(model.rules[i - 1]!.id);
  for (const r of model.rules) {
    for (const g of [...r.from, ...r.to]) expect(g).toBeLessThan(model.groups.length);
    expect([...r.apps].sort((a, b) => a - b)).toEqual(r.apps);
    for (const p of r.ports) expect(p.lo <= p.hi && p.lo >= 0 && p.hi <= 65535).toBe(true);
  }
}

describe("the checker never throws", () => {
  test("on random ASTs", () => {
    fc.assert(
      fc.property(arbSourceFiles(), arbParams(), (files, params) => {
        const r = checkPolicy(files, { params });
        expectSound(r.diagnostics, r.model, true);
      }),
      { numRuns: 400 },
    );
  });

  test("on the formatter's syntactically valid ASTs (test/arbitraries/ast.ts)", () => {
    fc.assert(
      fc.property(fc.array(arbSourceFile({ maxItems: 15 }), { minLength: 1, maxLength: 2 }), (files) => {
        const r = checkPolicy(files);
        expectSound(r.diagnostics, r.model, true);
      }),
      { numRuns: 200 },
    );
  });

  const GOLDEN = join(import.meta.dirname, "..", "golden", "check");
  const seeds = readdirSync(GOLDEN).map((d) => readFileSync(join(GOLDEN, d, "main.nvp"), "utf8"));
  const SNIPPETS = ["{", "}", ";", "->", ",", "${ns}", '"', "nv.", "*.", "/", "-", "rule 5 allow", "group", " ", "\n", "~", "!=", "vh:", "port", "app", "0", "99999"];

  test("on random mutations of real policies (whole front end)", () => {
    const mutation = fc.record({
      seed: fc.nat(),
      edits: fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 6 }), ins: fc.constantFrom(...SNIPPETS) }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, edits }) => {
        let text = seeds[seed % seeds.length]!;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.ins + text.slice(at + e.del);
        }
        const r = checkSources({ "main.nvp": text, "base.nvp": "rule 1 allow nodes -> nodes" }, ["main.nvp"], { stage: "x" });
        expectSound(r.diagnostics, r.model, false);
      }),
      { numRuns: 300 },
    );
  });
});

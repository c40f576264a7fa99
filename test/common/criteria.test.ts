/**
 * common/criteria.ts, the one meaning of a criterion operator on one value, and that the checker,
 * the reference evaluator and the compiled module (through the runtime's membership) now agree on
 * the case where their three globs used to differ: `?` against an astral character (an emoji is
 * one character and two UTF-16 units).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkSources } from "../../compiler/pipeline.js";
import { accepts } from "../../compiler/check/group-facts.js";
import { referenceBatch, wasmBatch } from "../../cli/engines.js";
import { globMatch, globMatcher, isNegative, positiveOf, valueTest } from "../../common/criteria.js";
import type { Workload } from "../../common/schema.js";
import { propertyRuns } from "../property-runs.js";

const SMILE = "\u{1F600}";

/** The glob as an anchored regular expression over code points: the oracle of the property. */
function globByRegExp(pattern: string, value: string): boolean {
  let src = "";
  for (const ch of pattern) src += ch === "*" ? "[^]*" : ch === "?" ? "[^]" : ch.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  return new RegExp(`^${src}$`, "u").test(value);
}

describe("globMatch", () => {
  test.each([
    ["?", SMILE, true],
    ["??", SMILE, false],
    [`a?b`, `a${SMILE}b`, true],
    [`*${SMILE}`, `xx${SMILE}`, true],
    [`${SMILE}*`, SMILE, true],
    ["?", "\ud800", true], // a lone surrogate is one character
    ["??", "\ud800\ud800", true],
    ["?", "", false],
    ["*", "", true],
    ["a.c", "abc", false],
    ["a*b*c", "aXbYbc", true],
    ["web-*", "xweb-1", false],
  ])("%j against %j is %s", (pattern, value, want) => {
    expect(globMatch(pattern, value)).toBe(want);
  });

  test("a pathological glob stays linear: `*a` × 20 then `b` against 2000 `a`s", () => {
    expect(globMatch(`${"*a".repeat(20)}b`, "a".repeat(2000))).toBe(false);
  });

  test("agrees with the anchored code-point regular expression on random globs and values", () => {
    const alphabet = fc.constantFrom("a", "b", ".", "*", "?", SMILE, "\ud800", "\udc00");
    const text = fc.array(alphabet, { maxLength: 8 }).map((a) => a.join(""));
    const value = fc.array(fc.constantFrom("a", "b", ".", "*", "?", SMILE, "\ud800", "\udc00"), { maxLength: 10 }).map((a) => a.join(""));
    fc.assert(
      fc.property(text, value, (p, v) => {
        expect(globMatch(p, v)).toBe(globByRegExp(p, v));
        expect(globMatcher(p)(v)).toBe(globMatch(p, v));
      }),
      { numRuns: propertyRuns(3000, 30_000) },
    );
  });
});

describe("operators", () => {
  test("negatives and their positive forms", () => {
    expect(["=", "!=", "contains", "prefix", "regex", "!regex"].filter((op) => isNegative(op as never))).toEqual(["!=", "!regex"]);
    expect(positiveOf("!=")).toBe("=");
    expect(positiveOf("!regex")).toBe("regex");
    expect(positiveOf("prefix")).toBe("prefix");
  });
  test("value tests: any, contains, prefix, unanchored regex, a regex that does not compile", () => {
    expect(valueTest("=", "any")("whatever")).toBe(true);
    expect(valueTest("contains", "eb")("web")).toBe(true);
    expect(valueTest("prefix", "we")("web")).toBe(true);
    expect(valueTest("prefix", "eb")("web")).toBe(false);
    expect(valueTest("regex", "e")("web")).toBe(true);
    expect(valueTest("regex", "(")("(")).toBe(false);
  });
});

describe("checker, reference and module agree on `?` against an emoji", () => {
  const policy = [
    "service web = nv.web.shop { mode protect }",
    'group one-char { label app = "?" }',
    `group smile { label app = "${SMILE}" }`,
    'group two-chars { label app = "??" }',
    "rule 10 allow one-char -> web port tcp/80",
    "rule 20 deny smile -> web port tcp/80",
    "rule 30 allow two-chars -> web port tcp/81",
  ].join("\n");
  const workload = (name: string, ip: string, labels: Record<string, string>, service = "client"): Workload => ({
    name,
    namespace: "shop",
    service,
    labels,
    nsLabels: {},
    images: [],
    containers: [],
    node: "n",
    ips: [ip],
  });
  const inventory = {
    workloads: [workload("w", "10.0.0.9", {}, "web"), workload("e", "10.0.0.1", { app: SMILE }), workload("x", "10.0.0.2", { app: "xy" })],
    nodes: [],
    internalSubnets: [],
    serviceExternalIps: [],
  };

  test("the checker proves rule 20 shadowed: `?` accepts the emoji", () => {
    expect(accepts({ key: "label", labelKey: "app", op: "=", value: "?" }, SMILE)).toBe(true);
    expect(accepts({ key: "label", labelKey: "app", op: "!=", value: "?" }, SMILE)).toBe(false);
    const r = checkSources({ "p.nvp": policy }, ["p.nvp"]);
    const shadowed = r.diagnostics.filter((d) => d.code === "NV2302").map((d) => d.message);
    expect(shadowed).toEqual(["rule 20 never decides: rule 10 matches every flow it would"]);
  });

  test("the reference evaluator and the compiled module decide the same: rule 10 for the emoji, no `??` match", () => {
    const model = checkSources({ "p.nvp": policy }, ["p.nvp"]).model!;
    const flows = [
      { src: "10.0.0.1", dst: "10.0.0.9", proto: "tcp" as const, port: 80 },
      { src: "10.0.0.1", dst: "10.0.0.9", proto: "tcp" as const, port: 81 },
      { src: "10.0.0.2", dst: "10.0.0.9", proto: "tcp" as const, port: 81 },
    ];
    const ctx = { inventory, dns: {} };
    const reference = referenceBatch(model, ctx, flows).map((v) => ({ action: v.action, rule: v.rule }));
    const wasm = wasmBatch(model, ctx, flows).map((d) => ({ action: d.action, rule: d.rule }));
    expect(reference).toEqual([
      { action: "allow", rule: 10 },
      { action: "learn", rule: 0 }, // `??` does not take the emoji: the implicit rule (Discover)
      { action: "allow", rule: 30 },
    ]);
    expect(wasm).toEqual(reference);
  });
});

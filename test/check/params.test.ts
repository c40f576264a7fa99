import { describe, expect, test } from "vitest";
import { check, expectClean, expectOne } from "./helpers.js";

describe("parameters", () => {
  test("--set overrides the default everywhere it is used", () => {
    const text = [
      'param ns = "shop-dev"',
      'param key = "tier"',
      'param net = "10.1.0.0/16"',
      "service api = nv.api.${ns} { mode protect }",
      'group fe { domain = ns; label ${key} = "front-${ns}" }',
      'group ext { address ${net}, "db.${ns}.example.com" }',
      "rule 10 allow fe -> nv.api.${ns}",
      "rule 20 allow api -> ext",
    ].join("\n");
    const r = check(text, { params: { ns: "shop-prod" } });
    expectClean(r);
    const m = r.model!;
    expect(m.params).toEqual({ key: "tier", net: "10.1.0.0/16", ns: "shop-prod" });
    expect(m.groups.find((g) => g.name === "api")!.service).toEqual({ service: "api", namespace: "shop-prod" });
    expect(m.groups.find((g) => g.name === "fe")!.criteria).toEqual([
      { key: "namespace", op: "=", value: "shop-prod" },
      { key: "label", labelKey: "tier", op: "=", value: "front-shop-prod" },
    ]);
    expect(m.groups.find((g) => g.name === "ext")!.addresses!.map((a) => a.text)).toEqual(["10.1.0.0/16", "db.shop-prod.example.com"]);
    // `nv.api.${ns}` resolves to the declared service, not a second group.
    expect(m.rules[0]!.to).toEqual([m.groups.find((g) => g.name === "api")!.index]);
  });

  test("a default may use other parameters", () => {
    const r = check('param env = "prod"\nparam ns = "shop-${env}"\nservice s = nv.s.${ns}', { params: { env: "qa" } });
    expect(r.model!.params).toEqual({ env: "qa", ns: "shop-qa" });
  });

  test("--set of an undeclared parameter has no span and lists the declared ones (NV2107)", () => {
    const r = check('param ns = "a"\nparam env = "b"', { params: { nss: "x" } });
    expectOne(r, {
      code: "NV2107",
      message: "`--set nss` names a parameter the policy does not declare",
      underlined: null,
      help: "declared parameters: `env`, `ns`",
    });
  });

  test("--set with no parameters declared", () => {
    expectOne(check("rule 1 allow nodes -> nodes", { params: { a: "1" } }), { code: "NV2107", help: "the policy declares no parameters" });
  });

  test("a required parameter that is not set (NV2108)", () => {
    const r = check("param ns\nservice s = nv.s.${ns}");
    expectOne(r, {
      code: "NV2108",
      message: "parameter `ns` has no default and is not set",
      underlined: "ns",
      label: "required parameter",
      help: 'give it a value with `--set ns=<value>`, or a default: `param ns = "..."`',
    });
    // One error, no cascade into the selector that uses it.
    expect(r.diagnostics).toHaveLength(1);
    expectClean(check("param ns\nservice s = nv.s.${ns}", { params: { ns: "prod" } }));
  });

  test("an unknown ${x} in a template (NV2104)", () => {
    expectOne(check("service s = nv.s.${nss}\nparam ns = \"a\""), {
      code: "NV2104",
      message: "parameter `nss` is not defined",
      underlined: "${nss}",
      label: "unknown parameter",
      help: "did you mean `ns`?",
    });
  });

  test("a bare word as a value is a parameter reference; the help says to quote it", () => {
    expectOne(check("group g { label app = frontend }\nrule 1 allow g -> nodes"), {
      code: "NV2104",
      message: "parameter `frontend` is not defined",
      underlined: "frontend",
      help: 'to use the text itself, quote it: `"frontend"`; or declare `param frontend = "..."`',
    });
  });

  test("a bare `any` is the match-everything value", () => {
    const r = check("group g { image = any; domain = shop }\nrule 1 allow g -> nodes".replace("shop", '"shop"'));
    expectClean(r);
    expect(r.model!.groups[0]!.criteria![0]).toEqual({ key: "image", op: "=", value: "any" });
  });

  test("defaults that refer to each other (NV2109)", () => {
    const r = check('param a = "x-${b}"\nparam b = "y-${a}"');
    expectOne(r, {
      code: "NV2109",
      message: "the default of parameter `a` refers to itself",
      underlined: "${a}",
      help: /literal default/,
    });
  });
});

describe("modes from parameters", () => {
  const text = 'param m = "discover"\nservice web = nv.web.shop { mode ${m} }\nservice db = nv.db.shop { mode network ${m}; mode process monitor }\nrule 10 allow web -> db';

  test("the substituted mode goes into the model (network scope only for split modes)", () => {
    const r = check(text, { params: { m: "protect" } });
    expectClean(r);
    expect(r.model!.groups.filter((g) => g.kind === "service").map((g) => [g.name, g.mode])).toEqual([
      ["web", "protect"],
      ["db", "protect"],
    ]);
  });

  test("a parameter value that is no mode is NV2214 at the mode, with did-you-mean", () => {
    const r = check(text, { params: { m: "protekt" } });
    const d = r.diagnostics.filter((x) => x.code === "NV2214");
    expect(d.map((x) => [x.message, x.help])).toEqual([
      ["parameter value `protekt` is not a policy mode", "did you mean `protect`?"],
      ["parameter value `protekt` is not a policy mode", "did you mean `protect`?"],
    ]);
    expect(r.model).toBeUndefined();
  });

  test("an unknown parameter in a mode is NV2104", () => {
    const r = check("service web = nv.web.shop { mode ${nope} }");
    expect(r.diagnostics.map((x) => x.code)).toContain("NV2104");
  });
});

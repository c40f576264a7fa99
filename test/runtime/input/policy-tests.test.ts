import { describe, expect, test } from "vitest";
import { parsePolicyTests } from "../../../runtime/input/policy-tests.js";
import { only, view } from "../diag-view.js";

const parse = (text: string, path = "policies/shop.test.yaml") => {
  const r = parsePolicyTests(path, text);
  return { ...r, d: (code: string) => only(r.diagnostics, { [path]: text }, code), all: () => view(r.diagnostics, { [path]: text }) };
};

const EXAMPLE = `policy: [shop.nvp]
params: {ns: shop-dev}
inventory: inventory.yaml
dns: {db.internal.example.com: [10.30.1.5]}
tests:
  - name: web reaches the api over http
    flow: {src: 10.0.1.5, dst: 10.0.2.7, port: tcp/8080, app: http}
    expect: {action: allow, rule: 10}
  - name: outside cannot reach the api
    flow: {src: 198.51.100.7, dst: 10.0.2.7, port: tcp/8080}
    expect: deny
`;

describe("policy-test files", () => {
  test("the documented example", () => {
    const r = parse(EXAMPLE);
    expect(r.diagnostics).toEqual([]);
    const s = r.suite!;
    expect(s.policy).toMatchObject([{ path: "policies/shop.nvp", written: "shop.nvp" }]);
    expect(s.policyImplicit).toBe(false);
    expect(s.runs).toHaveLength(1);
    const run = s.runs[0]!;
    expect(run.variant).toBeUndefined();
    expect(run.params).toEqual({ ns: "shop-dev" });
    expect(run.inventory.files.map((f) => f.path)).toEqual(["policies/inventory.yaml"]);
    expect(run.inventory.files[0]?.span?.start.line).toBe(3);
    expect(run.dns).toEqual({ files: [], inline: { "db.internal.example.com": ["10.30.1.5"] } });
    expect(run.cases.map((c) => [c.name, c.span?.start.line, c.flow, c.expect.action, c.expect.rule])).toEqual([
      ["web reaches the api over http", 6, { src: "10.0.1.5", dst: "10.0.2.7", proto: "tcp", port: 8080, app: "HTTP" }, "allow", 10],
      ["outside cannot reach the api", 9, { src: "198.51.100.7", dst: "10.0.2.7", proto: "tcp", port: 8080 }, "deny", undefined],
    ]);
    expect(run.cases[1]?.expect.span?.start.line).toBe(11);
  });

  test("policy defaults to <name>.nvp beside <name>.test.yaml", () => {
    const r = parse("inventory: {workloads: []}\ntests: [{flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 80}, expect: allow}]\n", "p/web.test.yml");
    expect(r.diagnostics).toEqual([]);
    expect(r.suite?.policy).toEqual([{ path: "p/web.nvp", written: "web.nvp" }]);
    expect(r.suite?.policyImplicit).toBe(true);
    expect(r.suite?.runs[0]?.cases[0]?.name).toBe("test 1");
    expect(r.suite?.runs[0]?.inventory.inline).toEqual({ workloads: [], nodes: [], internalSubnets: [], serviceExternalIps: [] });
  });

  test("variants: params overlay, shared tests filtered by `variants`, own tests, inputs overridden", () => {
    const r = parse(`policy: shop.nvp
params: {ns: shop-dev, tier: gold}
inventory: dev.yaml
tests:
  - name: everywhere
    flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 80}
    expect: allow
  - name: prod only
    variants: [prod]
    flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 22}
    expect: {action: deny, mode: protect}
variants:
  - name: qa
    params: {ns: shop-qa}
  - name: prod
    params: {ns: shop-prod}
    inventory: [prod-pods.json, prod-nodes.json]
    dns: prod-dns.json
    tests:
      - flow: {src: 10.0.0.1, dst: 10.0.0.3, port: udp/53}
        expect: {action: pending, awaiting: app}
`);
    expect(r.diagnostics).toEqual([]);
    const runs = r.suite!.runs;
    expect(runs.map((x) => [x.variant, x.params, x.cases.map((c) => c.name), x.inventory.files.map((f) => f.written), x.dns.files.map((f) => f.written)])).toEqual([
      ["qa", { ns: "shop-qa", tier: "gold" }, ["everywhere"], ["dev.yaml"], []],
      ["prod", { ns: "shop-prod", tier: "gold" }, ["everywhere", "prod only", "prod test 1"], ["prod-pods.json", "prod-nodes.json"], ["prod-dns.json"]],
    ]);
    expect(runs[1]?.cases[1]?.expect).toMatchObject({ action: "deny", mode: "protect" });
    expect(runs[1]?.cases[2]?.expect).toMatchObject({ action: "pending", awaiting: "app" });
  });

  test("`alert` is accepted for `violate`", () => {
    const r = parse("tests: [{flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 80}, expect: alert}]");
    expect(r.suite?.runs[0]?.cases[0]?.expect.action).toBe("violate");
  });

  test("errors inside flows and inline inventories keep their own codes, and no suite is returned", () => {
    const r = parse("inventory: {workloads: [{name: a, namespace: n, ips: [bad]}]}\ntests: [{flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 80, app: htp}, expect: allow}]\n");
    expect(r.suite).toBeUndefined();
    expect(r.all().map((d) => [d.code, d.at])).toEqual([
      ["NV5106", "bad"],
      ["NV5208", "htp"],
    ]);
  });
});

describe("policy-test diagnostics", () => {
  const flow = "{src: 10.0.0.1, dst: 10.0.0.2, port: 80}";

  test("NV5301 syntax", () => {
    expect(parse("tests: [\n").d("NV5301").message).toMatch(/^invalid YAML\/JSON: /);
  });

  test("NV5302 not a mapping, or several documents", () => {
    expect(parse("- a\n").d("NV5302")).toMatchObject({ message: "a test file must be a mapping, found a list" });
    expect(parse(`tests: [{flow: ${flow}, expect: allow}]\n---\ntests: []\n`).d("NV5302")).toMatchObject({ message: "a test file holds one suite", help: "use `variants:` to run the tests with several parameter sets" });
  });

  test("NV5303 unknown keys are errors, with did-you-mean", () => {
    const r = parse(`tests: [{flow: ${flow}, expcet: allow}]\nparam: {}\n`);
    expect(r.all().filter((d) => d.code === "NV5303").map((d) => [d.message, d.at, d.help])).toEqual([
      ["unknown key `expcet` in a test", "expcet", "did you mean `expect`?"],
      ["unknown key `param` in a test file", "param", "did you mean `params`?"],
    ]);
  });

  test("NV5304 wrong types; unquoted numbers in params", () => {
    const r = parse(`params: {replicas: 3}\ntests: [{flow: ${flow}, expect: allow}]\n`);
    expect(r.d("NV5304")).toMatchObject({ message: "value of `replicas` in `params` must be a string, found a number", at: "3", help: 'quote it: `"3"` (it was read as a number)' });
    expect(parse(`policy: {a: 1}\ntests: [{flow: ${flow}, expect: allow}]\n`).d("NV5304")).toMatchObject({ message: "`policy` must be a path or a list of paths, found a mapping" });
  });

  test("NV5305 missing flow, expect, action, policy", () => {
    const r = parse("tests:\n  - name: x\n  - flow: {src: 10.0.0.1, dst: 10.0.0.2, port: 80}\n    expect: {rule: 1}\n");
    expect(r.all().map((d) => [d.code, d.message, d.line])).toEqual([
      ["NV5305", "test is missing `flow`", 2],
      ["NV5305", "test is missing `expect`", 2],
      ["NV5305", "`expect` is missing `action`", 4],
    ]);
    expect(parse(`tests: [{flow: ${flow}, expect: allow}]`, "ci/cases.yaml").d("NV5305")).toMatchObject({
      message: "test file is missing `policy`",
      help: "add `policy: shop.nvp`, or name the file `shop.test.yaml` beside `shop.nvp`",
    });
  });

  test("NV5306 bad action, mode, awaiting", () => {
    const r = parse(`tests:\n  - {flow: ${flow}, expect: {action: alow}}\n  - {flow: ${flow}, expect: {action: deny, mode: protected}}\n  - {flow: ${flow}, expect: {action: allow, awaiting: app}}\n`);
    expect(r.all().map((d) => [d.code, d.message, d.at, d.help])).toEqual([
      ["NV5306", "`alow` is not a valid action", "alow", "did you mean `allow`?"],
      ["NV5306", "`protected` is not a valid mode", "protected", "did you mean `protect`?"],
      ["NV5306", "`awaiting` only applies to `pending`, not `allow`", "awaiting", "remove `awaiting`, or expect `action: pending`"],
    ]);
  });

  test("NV5307 bad rule id", () => {
    expect(parse(`tests: [{flow: ${flow}, expect: {action: deny, rule: "10"}}]`).d("NV5307")).toMatchObject({ message: "`10` is not a rule id", at: '"10"', label: "expected a rule id" });
  });

  test("NV5308 duplicate test names, reported once even with variants", () => {
    const r = parse(`tests:\n  - {name: a, flow: ${flow}, expect: allow}\n  - {name: a, flow: ${flow}, expect: deny}\nvariants: [{name: qa}, {name: prod}]\n`);
    expect(r.d("NV5308")).toMatchObject({ message: "test `a` is defined twice in variant `qa`", line: 3, label: "second test with this name" });
  });

  test("NV5309 variants: duplicates, unknown references, filters without variants", () => {
    const r = parse(`tests:\n  - {flow: ${flow}, expect: allow, variants: [qa, prdo]}\nvariants:\n  - {name: qa}\n  - {name: prod}\n  - {name: qa}\n`);
    expect(r.all().map((d) => [d.code, d.message, d.help])).toEqual([
      ["NV5309", "variant `prdo` is not defined", "did you mean `prod`?"],
      ["NV5309", "variant `qa` is defined twice", "give each variant its own name"],
    ]);
    expect(parse(`tests: [{flow: ${flow}, expect: allow, variants: [qa]}]`).d("NV5309")).toMatchObject({ message: "`variants` has no effect here", at: "variants" });
  });

  test("NV5310 no tests is a warning", () => {
    const r = parse("inventory: inv.yaml\n");
    expect(r.d("NV5310")).toMatchObject({ severity: "warning", message: "test file has no tests", help: "add `tests:` with flows and expected verdicts" });
    expect(r.suite?.runs[0]?.cases).toEqual([]);
  });

  test("NV5311 a policy path that is not a .nvp file", () => {
    expect(parse(`policy: [shop.yaml]\ntests: [{flow: ${flow}, expect: allow}]`).d("NV5311")).toMatchObject({ message: "`shop.yaml` is not a policy file", at: "shop.yaml", label: "expected a `.nvp` file" });
  });
});

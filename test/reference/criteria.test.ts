/** S2.7–S2.8: criterion operators, glob matching, and NeuVector's OR/AND combination rule. */
import { describe, expect, test } from "vitest";
import { criterionMet, globMatch, workloadSelected } from "../../compiler/reference/criteria.js";
import { crit, workload } from "./build.js";

describe("globMatch (anchored, * and ? only)", () => {
  const cases: [string, string, boolean][] = [
    ["web", "web", true],
    ["web", "web-1", false],
    ["web*", "web-1", true],
    ["web*", "web", true],
    ["*-dev", "shop-dev", true],
    ["*-dev", "shop-dev2", false],
    ["s?op", "shop", true],
    ["s?op", "sop", false],
    ["s?op", "shhop", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["*", "", true],
    ["?", "", false],
    ["nginx.1", "nginx.1", true],
    ["nginx.1", "nginxX1", false],
    ["[ab]", "a", false],
    ["[ab]", "[ab]", true],
    ["^web$", "web", false],
    ["Web", "web", false],
    ["", "", true],
    ["", "x", false],
  ];
  test.each(cases)("%j vs %j → %s", (p, v, want) => {
    expect(globMatch(p, v)).toBe(want);
  });
});

describe("operators on one attribute", () => {
  const w = workload("web-1", ["10.0.0.1"], {
    namespace: "shop-dev",
    service: "web",
    labels: { app: "web", tier: "front" },
    nsLabels: { team: "payments" },
    images: ["nginx:1.25", "registry.local/sidecar:2"],
    containers: ["web", "envoy"],
    node: "node-7",
  });
  const cases: [string, ReturnType<typeof crit>, boolean][] = [
    ["= exact", crit("namespace", "=", "shop-dev"), true],
    ["= glob", crit("namespace", "=", "shop-*"), true],
    ["= any", crit("service", "=", "any"), true],
    ["!= any matches nothing", crit("service", "!=", "any"), false],
    ["!= glob", crit("namespace", "!=", "prod-*"), true],
    ["!= negates =", crit("namespace", "!=", "shop-?ev"), false],
    ["contains", crit("node", "contains", "de-"), true],
    ["contains is case-sensitive", crit("node", "contains", "NODE"), false],
    ["prefix", crit("service", "prefix", "we"), true],
    ["prefix is not suffix", crit("service", "prefix", "eb"), false],
    ["regex is unanchored", crit("namespace", "regex", "op-d"), true],
    ["regex anchors when asked", crit("namespace", "regex", "^dev"), false],
    ["!regex", crit("namespace", "!regex", "^prod"), true],
    ["!regex fails on a match", crit("namespace", "!regex", "dev$"), false],
    ["label = value", crit("label", "=", "front", "tier"), true],
    ["label other key", crit("label", "=", "front", "app"), false],
    ["missing label fails =", crit("label", "=", "x", "missing"), false],
    ["missing label fails = any", crit("label", "=", "any", "missing"), false],
    ["missing label meets !=", crit("label", "!=", "x", "missing"), true],
    ["missing label meets !regex", crit("label", "!regex", ".*", "missing"), true],
    ["present label = any", crit("label", "=", "any", "app"), true],
    ["ns-label", crit("ns-label", "=", "pay*", "team"), true],
    ["ns-label is not a pod label", crit("ns-label", "=", "web", "app"), false],
    ["image: any image meets a positive", crit("image", "prefix", "registry.local/"), true],
    ["image: != fails if any image matches", crit("image", "!=", "nginx*"), false],
    ["image: != holds when none matches", crit("image", "!=", "redis*"), true],
    ["container: any container", crit("container", "=", "envoy"), true],
    ["container: !regex needs every container to miss", crit("container", "!regex", "^env"), false],
    ["an invalid regex matches nothing", crit("service", "regex", "("), false],
  ];
  test.each(cases)("%s", (_name, c, want) => {
    expect(criterionMet(w, c)).toBe(want);
  });
  test("a workload with no images fails positive image criteria and meets negative ones", () => {
    const bare = workload("x-1", []);
    expect(criterionMet(bare, crit("image", "=", "*"))).toBe(false);
    expect(criterionMet(bare, crit("image", "!=", "nginx"))).toBe(true);
  });
});

describe("combination (IsWorkloadSelected)", () => {
  const w = workload("web-1", [], { namespace: "shop", service: "web", labels: { app: "web", tier: "back" } });
  test("same key, positives: OR", () => {
    expect(workloadSelected(w, [crit("service", "=", "api"), crit("service", "=", "web")])).toBe(true);
  });
  test("same key, all negative: AND", () => {
    expect(workloadSelected(w, [crit("service", "!=", "api"), crit("service", "!=", "db")])).toBe(true);
    expect(workloadSelected(w, [crit("service", "!=", "api"), crit("service", "!=", "web")])).toBe(false);
  });
  test("same key, mixed positive and negative: OR of all", () => {
    expect(workloadSelected(w, [crit("service", "!=", "web"), crit("service", "=", "web")])).toBe(true);
    expect(workloadSelected(w, [crit("service", "!=", "web"), crit("service", "=", "api")])).toBe(false);
  });
  test("different keys: AND", () => {
    expect(workloadSelected(w, [crit("service", "=", "web"), crit("namespace", "=", "shop")])).toBe(true);
    expect(workloadSelected(w, [crit("service", "=", "web"), crit("namespace", "=", "prod")])).toBe(false);
  });
  test("label surprise: two labels with different names are one class, so OR", () => {
    const both = [crit("label", "=", "web", "app"), crit("label", "=", "front", "tier")];
    expect(workloadSelected(w, both)).toBe(true);
  });
  test("label criteria still AND with other keys", () => {
    expect(workloadSelected(w, [crit("label", "=", "front", "tier"), crit("service", "=", "web")])).toBe(false);
  });
  test("pod labels and namespace labels are different classes", () => {
    const v = workload("a-1", [], { labels: { env: "prod" }, nsLabels: {} });
    expect(workloadSelected(v, [crit("label", "=", "prod", "env"), crit("ns-label", "=", "prod", "env")])).toBe(false);
  });
  test("no criteria selects nothing", () => {
    expect(workloadSelected(w, [])).toBe(false);
  });
});

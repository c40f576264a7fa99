/** S5 (X-Forwarded-For), S7 (verdict shape and trace), and the oracle's speed on big policies. */
import { describe, expect, test } from "vitest";
import type { Flow } from "../../common/schema.js";
import { evaluate, TRACE_ALL_RULES_LIMIT } from "../../compiler/reference/index.js";
import { address, inventory, model, service, workload, type RuleSpec } from "./build.js";

const inv = inventory({
  workloads: [workload("ingress-1", ["10.0.0.1"], { service: "ingress" }), workload("web-1", ["10.0.0.2"], { service: "web" })],
  nodes: [{ name: "n1", ips: ["10.0.1.1"] }],
  internalSubnets: ["10.0.9.0/24"],
});
const ctx = { inventory: inv, dns: {} };
const groups = [service("ingress", "shop", "protect"), service("web", "shop", "protect"), address("bad-net", "203.0.113.0/24")];
const rules: RuleSpec[] = [
  { id: 10, action: "deny", from: ["bad-net"], to: ["nv.web.shop"] },
  { id: 20, action: "allow", from: ["nv.ingress.shop"], to: ["nv.web.shop"] },
  { id: 30, action: "allow", from: ["external"], to: ["nv.web.shop"], apps: ["http"] },
];
const flow: Flow = { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 80, app: "http" };

describe("X-Forwarded-For (S5)", () => {
  test("without xff the ingress is allowed by rule 20", () => {
    expect(evaluate(model(groups, rules), ctx, flow)).toMatchObject({ action: "allow", rule: 20, mode: "protect" });
  });
  test("a denied client behind the ingress blocks the connection; both lookups are reported", () => {
    const v = evaluate(model(groups, rules), ctx, { ...flow, xff: "203.0.113.7" });
    expect(v).toMatchObject({ action: "deny", rule: 10, mode: "protect" });
    expect(v.xff).toMatchObject({ action: "deny", rule: 10, src: { ip: "203.0.113.7", kind: "external" } });
    expect(v.src.name).toBe("shop/ingress-1");
  });
  test("an allowed client keeps the primary verdict (tie → primary)", () => {
    const v = evaluate(model(groups, rules), ctx, { ...flow, xff: "198.51.100.7" });
    expect(v).toMatchObject({ action: "allow", rule: 20 });
    expect(v.xff).toMatchObject({ action: "allow", rule: 30 });
  });
  test("a client no rule covers is judged by the implicit rule", () => {
    const v = evaluate(model(groups, rules.slice(0, 2)), ctx, { ...flow, xff: "198.51.100.7" });
    expect(v).toMatchObject({ action: "deny", rule: 0, mode: "protect" });
  });
  test("the xff client is resolved like any source: an internal address is not external", () => {
    const v = evaluate(model(groups, rules.slice(0, 2)), ctx, { ...flow, xff: "10.0.9.9" });
    expect(v.xff?.src.kind).toBe("internal");
  });
  test("IPv6 XFF clients are honoured", () => {
    const g = [...groups.slice(0, 2), address("bad6", "2001:db8::/32")];
    const v = evaluate(model(g, [{ id: 5, action: "deny", from: ["bad6"], to: ["nv.web.shop"] }, rules[1] as RuleSpec]), ctx, {
      ...flow,
      xff: "2001:db8::9",
    });
    expect(v).toMatchObject({ action: "deny", rule: 5 });
  });
  test("with `xff off` the header is ignored", () => {
    const v = evaluate(model(groups, rules, { xff: false }), ctx, { ...flow, xff: "203.0.113.7" });
    expect(v).toMatchObject({ action: "allow", rule: 20 });
    expect(v.xff).toBeUndefined();
    expect(v.trace).toContain("xff: X-Forwarded-For matching is off; header ignored");
  });
  test("a pending xff lookup outranks an allow", () => {
    const r: RuleSpec[] = [rules[1] as RuleSpec, { id: 40, action: "allow", from: ["external"], to: ["nv.web.shop"], apps: ["ssh"] }];
    const v = evaluate(model(groups, r), ctx, { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 80, xff: "198.51.100.1" });
    expect(v).toMatchObject({ action: "pending", rule: 40, awaiting: "app" });
  });
});

describe("verdict and trace (S7)", () => {
  test("endpoints carry kind, name, mode and groups", () => {
    const withNodes = [...rules, { id: 50, from: ["nodes"], to: ["any"] }];
    const v = evaluate(model(groups, withNodes), ctx, { src: "10.0.1.1", dst: "10.0.0.2", proto: "tcp", port: 80 });
    expect(v.src).toEqual({ ip: "10.0.1.1", kind: "node", name: "n1", groups: ["nodes", "any"] });
    expect(v.dst).toEqual({ ip: "10.0.0.2", kind: "workload", name: "shop/web-1", groups: ["nv.web.shop", "any"], mode: "protect" });
  });
  test("IPv6 addresses are reported in canonical form", () => {
    const v = evaluate(model([], []), ctx, { src: "2001:DB8:0:0::1", dst: "::ffff:10.0.0.2", proto: "icmp" });
    expect(v.src.ip).toBe("2001:db8::1");
    expect(v.dst.kind).toBe("workload");
  });
  test("the trace walks endpoints, each rule considered, the mode and the action", () => {
    const v = evaluate(model(groups, rules), ctx, { src: "198.51.100.7", dst: "10.0.0.2", proto: "tcp", port: 80 });
    expect(v.trace).toEqual([
      "flow 198.51.100.7 -> 10.0.0.2 tcp/80, app not yet identified, host not yet known",
      "source 198.51.100.7: external address (unmanaged), unmanaged; groups: external",
      "destination 10.0.0.2: workload shop/web-1, mode protect; groups: nv.web.shop",
      "rule 10: no match: source not in `bad-net`",
      "rule 20: no match: source not in `nv.ingress.shop`",
      "rule 30: may match, awaiting app: application not yet identified, rule wants HTTP",
      "mode: only the destination is managed: protect",
      "action: pending on rule 30 until the application is known",
      "verdict: pending, rule 30, mode protect",
    ]);
  });
  test("a big policy's trace lists only rules whose groups matched", () => {
    const many: RuleSpec[] = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, from: ["bad-net"], to: ["nv.web.shop"], ports: ["tcp/1"] }));
    many.push({ id: 500, from: ["nv.ingress.shop"], to: ["nv.web.shop"] });
    const v = evaluate(model(groups, many), ctx, flow);
    expect(v.rule).toBe(500);
    expect(v.trace).toContain("rules: 201 of 201 looked at; 200 skipped because source or destination is not in their groups");
    expect(v.trace.filter((l) => l.startsWith("rule "))).toEqual(["rule 500: matches (allow)"]);
    expect(many.length).toBeGreaterThan(TRACE_ALL_RULES_LIMIT);
  });
});

describe("scale", () => {
  // A correctness check at realistic size; timing lives in bench/, the vitest timeout catches blow-ups.
  test("10k rules × 1000 flows: each flow decided by the one rule on its port, or the implicit rule", () => {
    const big: RuleSpec[] = Array.from({ length: 10_000 }, (_, j) => ({
      id: j + 1,
      action: j % 3 === 0 ? "deny" : "allow",
      from: [j % 2 ? "bad-net" : "nv.ingress.shop"],
      to: ["nv.web.shop"],
      ports: [`tcp/${10_000 + j}`],
      apps: j % 5 === 0 ? ["redis"] : [],
    }));
    const m = model(groups, big);
    for (let i = 0; i < 1000; i++) {
      const j = (i * 7) % 12_000;
      const v = evaluate(m, ctx, { src: i % 2 ? "203.0.113.1" : "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 10_000 + j, app: "http" });
      const hit = j < 10_000 && j % 2 === i % 2 && j % 5 !== 0;
      expect({ i, rule: v.rule, action: v.action }).toEqual({
        i,
        rule: hit ? j + 1 : 0,
        action: hit ? (j % 3 === 0 ? "deny" : "allow") : "deny",
      });
    }
  });
});

/** S3: ports, applications, and three-valued first match (pending / awaiting). */
import { describe, expect, test } from "vitest";
import type { Flow } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { address, inventory, model, type RuleSpec } from "./build.js";

const ctx = { inventory: inventory(), dns: { "shop.example.com": ["203.0.113.13"] } };
const groups = [address("a", "192.0.2.0/24"), address("b", "198.51.100.0/24", "2001:db8::/32"), address("shop", "vh:shop.example.com")];
const base: Flow = { src: "192.0.2.1", dst: "198.51.100.1", proto: "tcp", port: 80 };
const decide = (rules: RuleSpec[], flow: Partial<Flow>) => {
  const v = evaluate(model(groups, rules, { defaultMode: "protect" }), ctx, { ...base, ...flow } as Flow);
  return { action: v.action, rule: v.rule, ...(v.awaiting ? { awaiting: v.awaiting } : {}) };
};
const only = (ports: string[]) => [{ id: 1, from: ["a"], to: ["b"], ports }];

describe("ports", () => {
  const cases: [string[], Partial<Flow>, boolean][] = [
    [["tcp/80"], {}, true],
    [["tcp/80"], { port: 81 }, false],
    [["tcp/80"], { proto: "udp" }, false],
    [["80"], {}, true],
    [["8000-8080"], { port: 8000 }, true],
    [["8000-8080"], { port: 8080 }, true],
    [["8000-8080"], { port: 8081 }, false],
    [["udp/53"], { proto: "udp", port: 53 }, true],
    [["udp/53"], { proto: 17, port: 53 }, true],
    [["udp/1-100"], { proto: "tcp", port: 53 }, false],
    [["tcp/any"], { port: 65535 }, true],
    [["tcp/any"], { proto: "udp", port: 1 }, false],
    [["udp/any"], { proto: "udp", port: 0 }, true],
    [["icmp"], { proto: "icmp" }, true],
    [["icmp"], { proto: 1 }, true],
    [["icmp"], { proto: 58, dst: "2001:db8::1" }, true],
    [["icmp"], {}, false],
    [["tcp/any"], { proto: "icmp" }, false],
    [["any"], { proto: "icmp" }, false],
    [["any"], { proto: "udp", port: 9 }, true],
    [["tcp/1-65535"], { proto: 6, port: 443 }, true],
    [[], { proto: "icmp" }, false],
  ];
  test.each(cases)("%j with %j → %s", (ports, flow, match) => {
    expect(decide(only(ports), flow).rule).toBe(match ? 1 : 0);
  });
  test("with icmp-policy on, `any` and port-less rules cover ICMP; unmatched ICMP takes the implicit rule", () => {
    const on = (rules: RuleSpec[], flow: Partial<Flow>) =>
      evaluate(model(groups, rules, { defaultMode: "protect", extra: { "icmp-policy": "on" } }), ctx, { ...base, ...flow } as Flow);
    expect(on(only(["any"]), { proto: "icmp" }).rule).toBe(1);
    expect(on(only([]), { proto: 1 }).rule).toBe(1);
    expect(on(only(["tcp/any"]), { proto: "icmp" })).toMatchObject({ action: "deny", rule: 0 });
  });
  test("with icmp-policy off, unmatched ICMP passes with rule 0 and says why", () => {
    const v = evaluate(model(groups, only(["any"]), { defaultMode: "protect" }), ctx, { ...base, proto: "icmp" } as Flow);
    expect(v).toMatchObject({ action: "allow", rule: 0 });
    expect(v.trace).toContain("rule 1: no match: port not in any");
    expect(v.trace).toContain("action: ICMP policy is off: unmatched ICMP passes (NeuVector's default ICMP pass rule)");
  });
  test("other IP protocols never reach the rules: open, with rule 0", () => {
    for (const ports of [["any"], [], ["tcp/any", "udp/any", "icmp"]]) {
      const v = evaluate(model(groups, only(ports), { defaultMode: "protect" }), ctx, { ...base, proto: 47 } as Flow);
      expect(v).toMatchObject({ action: "allow", rule: 0 });
      expect(v.trace).toContain("ip protocol 47 is not policed (NeuVector looks up TCP, UDP and ICMP only): open");
    }
  });
});

describe("applications", () => {
  const http = [{ id: 1, from: ["a"], to: ["b"], apps: ["http"] }];
  test("the identified application must be in the list (names and aliases, any case)", () => {
    expect(decide(http, { app: "HTTP" })).toEqual({ action: "allow", rule: 1 });
    expect(decide([{ id: 1, from: ["a"], to: ["b"], apps: ["postgresql"] }], { app: "postgres" }).rule).toBe(1);
    expect(decide(http, { app: "ssl" })).toEqual({ action: "deny", rule: 0 });
  });
  test("an HTTP server satisfies http (parent), not the other way round", () => {
    expect(decide(http, { app: "nginx" }).rule).toBe(1);
    expect(decide([{ id: 1, from: ["a"], to: ["b"], apps: ["nginx"] }], { app: "http" }).rule).toBe(0);
  });
  test("not yet identified → pending on that rule, awaiting the app", () => {
    expect(decide(http, {})).toEqual({ action: "pending", rule: 1, awaiting: "app" });
  });
  test("unknown, or a name that is not NeuVector's, matches no list", () => {
    expect(decide(http, { app: "unknown" }).rule).toBe(0);
    expect(decide(http, { app: "gopher" }).rule).toBe(0);
  });
  test("rules without apps match every application state", () => {
    for (const app of [undefined, "unknown", "redis"]) expect(decide([{ id: 1, from: ["a"], to: ["b"] }], { app }).rule).toBe(1);
  });
  test("apps and ports must both hold", () => {
    const r = [{ id: 1, from: ["a"], to: ["b"], apps: ["http"], ports: ["tcp/8080"] }];
    expect(decide(r, { app: "http", port: 8080 }).rule).toBe(1);
    expect(decide(r, { app: "http", port: 80 }).rule).toBe(0);
    expect(decide(r, { port: 80 }).rule).toBe(0);
    expect(decide(r, { port: 8080 })).toEqual({ action: "pending", rule: 1, awaiting: "app" });
  });
});

describe("first match", () => {
  test("lowest id first, whatever the order given", () => {
    const rules: RuleSpec[] = [
      { id: 30, action: "allow", from: ["a"], to: ["b"] },
      { id: 20, action: "deny", from: ["a"], to: ["b"] },
    ];
    expect(decide(rules, {})).toEqual({ action: "deny", rule: 20 });
  });
  test("a maybe before a later definite match makes the flow pending on the earlier rule", () => {
    const rules: RuleSpec[] = [
      { id: 10, action: "deny", from: ["a"], to: ["b"], apps: ["ssh"] },
      { id: 20, action: "allow", from: ["a"], to: ["b"] },
    ];
    expect(decide(rules, {})).toEqual({ action: "pending", rule: 10, awaiting: "app" });
    expect(decide(rules, { app: "http" })).toEqual({ action: "allow", rule: 20 });
    expect(decide(rules, { app: "ssh" })).toEqual({ action: "deny", rule: 10 });
  });
  test("a definite match before a maybe decides at once", () => {
    const rules: RuleSpec[] = [
      { id: 10, action: "allow", from: ["a"], to: ["b"] },
      { id: 20, action: "deny", from: ["a"], to: ["b"], apps: ["ssh"] },
    ];
    expect(decide(rules, {})).toEqual({ action: "allow", rule: 10 });
  });
  test("vh: membership alone pending awaits the host; with an app also unknown it awaits the app", () => {
    const vh = { dst: "203.0.113.13" };
    expect(decide([{ id: 7, from: ["a"], to: ["shop"] }], vh)).toEqual({ action: "pending", rule: 7, awaiting: "host" });
    expect(decide([{ id: 7, from: ["a"], to: ["shop"], apps: ["http"] }], vh)).toEqual({ action: "pending", rule: 7, awaiting: "app" });
    expect(decide([{ id: 7, from: ["a"], to: ["shop"] }], { ...vh, host: "shop.example.com" })).toEqual({ action: "allow", rule: 7 });
    expect(decide([{ id: 7, from: ["a"], to: ["shop"] }], { ...vh, host: "evil.example.com" })).toEqual({ action: "deny", rule: 0 });
  });
  test("a definite from-group beats a maybe one in the same rule", () => {
    const flow = { src: "203.0.113.13", dst: "198.51.100.1" };
    expect(decide([{ id: 7, from: ["shop", "any"], to: ["b"] }], flow)).toEqual({ action: "allow", rule: 7 });
  });
});

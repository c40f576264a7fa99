/**
 * S4: every cell of NeuVector's contention table (reference/neuvector.md §1), basic and strict,
 * for a deny rule, a learned allow rule and the implicit rule, plus nodes as unmanaged peers.
 * The expectations are written out literally from the reference, not computed.
 */
import { describe, expect, test } from "vitest";
import type { Mode } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { address, inventory, model, service, workload } from "./build.js";

type Side = Mode | "unmanaged";
const SIDES: Side[] = ["discover", "monitor", "protect", "unmanaged"];
const ab: Record<Side, string> = { discover: "D", monitor: "M", protect: "P", unmanaged: "-" };

// "src dst: deny-rule learned-allow implicit"
const BASIC = `
D D: violate learn learn
D M: violate learn learn
D P: violate learn learn
D -: violate learn learn
M D: violate learn learn
M M: violate allow violate
M P: violate allow violate
M -: violate allow violate
P D: violate learn learn
P M: violate allow violate
P P: deny allow deny
P -: deny allow deny
- D: violate learn learn
- M: violate allow violate
- P: deny allow deny`;
const STRICT = `
D D: violate learn learn
D M: violate learn violate
D P: deny learn deny
D -: violate learn learn
M D: violate learn violate
M M: violate allow violate
M P: deny allow deny
M -: violate allow violate
P D: deny learn deny
P M: deny allow deny
P P: deny allow deny
P -: deny allow deny
- D: violate learn learn
- M: violate allow violate
- P: deny allow deny`;

function table(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.trim().split("\n")) {
    const [key, rest] = line.split(": ") as [string, string];
    m.set(key, rest.split(" "));
  }
  return m;
}

// Workloads a (10.0.0.1) and b (10.0.0.2) in services whose modes vary; 192.0.2.x are unmanaged.
function ipFor(side: Side, which: "src" | "dst"): string {
  if (side === "unmanaged") return which === "src" ? "192.0.2.1" : "192.0.2.2";
  return which === "src" ? "10.0.0.1" : "10.0.0.2";
}

function setup(src: Side, dst: Side, contention: "basic" | "strict") {
  const groups = [
    service("a", "shop", src === "unmanaged" ? undefined : src),
    service("b", "shop", dst === "unmanaged" ? undefined : dst),
    address("outside", "192.0.2.0/24"),
  ];
  const from = src === "unmanaged" ? "outside" : "nv.a.shop";
  const to = dst === "unmanaged" ? "outside" : "nv.b.shop";
  const inv = inventory({ workloads: [workload("a-1", ["10.0.0.1"]), workload("b-1", ["10.0.0.2"])] });
  const flow = { src: ipFor(src, "src"), dst: ipFor(dst, "dst"), proto: "tcp" as const, port: 80 };
  const mk = (rules: Parameters<typeof model>[1]) => model(groups, rules, { contention });
  return {
    ctx: { inventory: inv, dns: {} },
    flow,
    deny: mk([{ id: 1, action: "deny", from: [from], to: [to] }]),
    learned: mk([{ id: 10001, action: "allow", learned: true, from: [from], to: [to] }]),
    implicit: mk([]),
  };
}

for (const contention of ["basic", "strict"] as const) {
  describe(`${contention} contention`, () => {
    const expected = table(contention === "basic" ? BASIC : STRICT);
    for (const src of SIDES) {
      for (const dst of SIDES) {
        if (src === "unmanaged" && dst === "unmanaged") continue;
        const want = expected.get(`${ab[src]} ${ab[dst]}`);
        test(`${src} -> ${dst}: deny rule ${want?.[0]}, learned allow ${want?.[1]}, implicit ${want?.[2]}`, () => {
          const s = setup(src, dst, contention);
          expect(evaluate(s.deny, s.ctx, s.flow)).toMatchObject({ action: want?.[0], rule: 1 });
          expect(evaluate(s.learned, s.ctx, s.flow)).toMatchObject({ action: want?.[1], rule: 10001 });
          expect(evaluate(s.implicit, s.ctx, s.flow)).toMatchObject({ action: want?.[2], rule: 0 });
        });
      }
    }
  });
}

describe("effective mode", () => {
  test("reported after contention: basic picks the less, strict the more restrictive", () => {
    const b = setup("monitor", "protect", "basic");
    expect(evaluate(b.implicit, b.ctx, b.flow).mode).toBe("monitor");
    const s = setup("monitor", "protect", "strict");
    expect(evaluate(s.implicit, s.ctx, s.flow).mode).toBe("protect");
  });
  test("one managed side decides alone", () => {
    const s = setup("unmanaged", "monitor", "strict");
    expect(evaluate(s.implicit, s.ctx, s.flow).mode).toBe("monitor");
  });
  test.each([
    ["discover", "learn", "violate"],
    ["monitor", "violate", "violate"],
    ["protect", "deny", "deny"],
  ] as const)("both sides unmanaged: default-mode %s decides (implicit %s, deny rule %s) and no mode is reported", (dm, implicit, deny) => {
    const groups = [address("outside", "192.0.2.0/24")];
    const ctx = { inventory: inventory(), dns: {} };
    const flow = { src: "192.0.2.1", dst: "192.0.2.2", proto: "udp" as const, port: 53 };
    const v = evaluate(model(groups, [], { defaultMode: dm }), ctx, flow);
    expect(v).toMatchObject({ action: implicit, rule: 0 });
    expect(v.mode).toBeUndefined();
    const d = evaluate(model(groups, [{ id: 5, action: "deny", from: ["outside"], to: ["outside"] }], { defaultMode: dm }), ctx, flow);
    expect(d).toMatchObject({ action: deny, rule: 5 });
  });
  test("a workload whose service group is not declared takes default-mode", () => {
    const m = model([], [], { defaultMode: "protect" });
    const ctx = { inventory: inventory({ workloads: [workload("x-1", ["10.0.0.9"])] }), dns: {} };
    expect(evaluate(m, ctx, { src: "8.8.8.8", dst: "10.0.0.9", proto: "tcp", port: 1 })).toMatchObject({ action: "deny", mode: "protect" });
  });
  test("a declared service group without a mode also takes default-mode", () => {
    const m = model([service("x", "shop")], [], { defaultMode: "monitor" });
    const ctx = { inventory: inventory({ workloads: [workload("x-1", ["10.0.0.9"])] }), dns: {} };
    expect(evaluate(m, ctx, { src: "8.8.8.8", dst: "10.0.0.9", proto: "tcp", port: 1 })).toMatchObject({ action: "violate", mode: "monitor" });
  });
});

describe("nodes are unmanaged peers (adjustAction, policyModeToDefaultAction)", () => {
  const inv = inventory({ workloads: [workload("db-1", ["10.0.0.2"])], nodes: [{ name: "n1", ips: ["10.0.1.1"] }] });
  const ctx = { inventory: inv, dns: {} };
  const groups = [service("db", "shop", "protect")];
  for (const contention of ["basic", "strict"] as const) {
    test(`${contention}: node -> protect workload, deny rule and implicit → deny`, () => {
      const settings = { contention, nodesMode: "discover" as const };
      const flow = { src: "10.0.1.1", dst: "10.0.0.2", proto: "tcp" as const, port: 5432 };
      const d = evaluate(model(groups, [{ id: 3, action: "deny", from: ["nodes"], to: ["nv.db.shop"] }], settings), ctx, flow);
      expect(d).toMatchObject({ action: "deny", rule: 3, mode: "protect" });
      expect(d.trace).toContain("mode: only the destination is managed: protect");
      expect(evaluate(model(groups, [], settings), ctx, flow)).toMatchObject({ action: "deny", rule: 0, mode: "protect" });
    });
  }
  test("between a node and an outside address nobody is managed: default-mode, no mode reported", () => {
    const flow = { src: "203.0.113.9", dst: "10.0.1.1", proto: "tcp" as const, port: 22 };
    const v = evaluate(model(groups, [{ id: 4, action: "deny", from: ["external"], to: ["nodes"] }], { nodesMode: "protect", defaultMode: "monitor" }), ctx, flow);
    expect(v).toMatchObject({ action: "violate", rule: 4 });
    expect(v.mode).toBeUndefined();
  });
  test("nodes-mode is not a network mode", () => {
    const flow = { src: "203.0.113.9", dst: "10.0.1.1", proto: "tcp" as const, port: 22 };
    expect(evaluate(model([], []), ctx, flow)).toMatchObject({ action: "learn" });
    expect(evaluate(model([], [], { nodesMode: "protect" }), ctx, flow)).toMatchObject({ action: "learn" });
  });
});

/**
 * Engine = reference on generated policies large enough for multi-word summaries (more than 4096
 * rules), many inventory classes and DNS names: the paths the small random policies cannot reach.
 * The 40,000-rule case is in large-sparse.test.ts.
 */
import { describe, expect, test } from "vitest";
import { V4_BASE } from "../../common/ip.js";
import { emptyInventory, type Flow } from "../../common/schema.js";
import type { PolicyModel } from "../../compiler/model.js";
import { compileModule } from "../../compiler/pipeline.js";
import { evaluate } from "../../compiler/reference/index.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { generatedAgrees } from "./generated-agrees.js";
import { referenceDecision } from "./helpers.js";

describe("large generated policies", () => {
  test("5000 rules, 300 workloads, DNS names: wasm = reference on 800 flows", () => {
    generatedAgrees(5000, 300, 800);
  });
});

describe("more than 262,144 rules (super-summary bits cover two summary words each)", () => {
  test("wasm = reference on a flat 270,000-rule policy", () => {
    const n = 270_000;
    const groups: PolicyModel["groups"] = [
      { index: 0, name: "any", kind: "builtin", builtin: "any" },
      { index: 1, name: "a", kind: "address", addresses: [{ kind: "ip", lo: V4_BASE | 0x0a000000n, hi: V4_BASE | 0x0a0000ffn, text: "10.0.0.0/24" }] },
      { index: 2, name: "b", kind: "address", addresses: [{ kind: "ip", lo: V4_BASE | 0x0a000100n, hi: V4_BASE | 0x0a0001ffn, text: "10.0.1.0/24" }] },
    ];
    // Mostly a -> b on one port each; every 997th rule any -> b on a port range; the last rule catches all.
    const rules: PolicyModel["rules"] = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      action: i % 3 ? "allow" : "deny",
      learned: false,
      from: [i % 997 === 996 ? 0 : 1],
      to: [2],
      apps: [],
      ports: i === n - 1 ? [] : i % 997 === 996 ? [{ proto: "udp", lo: i % 60000, hi: (i % 60000) + 500 }] : [{ proto: "tcp", lo: i % 65536, hi: i % 65536 }],
    }));
    const model: PolicyModel = {
      name: "flat",
      params: {},
      settings: { xff: true, contention: "basic", defaultMode: "protect", nodesMode: "discover", extra: {} },
      groups,
      rules,
    };
    const enforcer = new Enforcer(loadModule(compileModule(model).bytes));
    const ctx = { inventory: emptyInventory(), dns: {} };
    const flows: Flow[] = [
      { src: "10.0.0.5", dst: "10.0.1.5", proto: "tcp", port: 7 },
      { src: "10.0.0.5", dst: "10.0.1.5", proto: "tcp", port: 65535 },
      { src: "192.0.2.1", dst: "10.0.1.5", proto: "udp", port: 59_990 },
      { src: "192.0.2.1", dst: "10.0.1.5", proto: "udp", port: 12 },
      { src: "192.0.2.1", dst: "10.0.2.5", proto: "udp", port: 12 },
      { src: "10.0.0.9", dst: "10.0.1.9", proto: "icmp" },
    ];
    expect(enforcer.decideMany(flows)).toEqual(flows.map((f) => referenceDecision(evaluate(model, ctx, f))));
  });
});

// The package entry exposes what an embedder needs: compile in CI, load and enforce on the node.
import { expect, test } from "vitest";
import { compileModule, compileSources, Enforcer, loadModule, NvpRuntimeError } from "../index.js";

test("compile, load and enforce through the package entry", () => {
  const c = compileSources({ "p.nvp": "service web = nv.web.shop { mode protect }\nrule 10 allow web -> external port tcp/443\n" }, ["p.nvp"]);
  const e = new Enforcer(loadModule(compileModule(c.model!).bytes));
  e.setInventory({
    workloads: [{ name: "w", namespace: "shop", service: "web", labels: {}, nsLabels: {}, images: [], containers: [], node: "n", ips: ["10.0.0.1"] }],
    nodes: [],
    internalSubnets: [],
    serviceExternalIps: [],
  });
  expect(e.decide({ src: "10.0.0.1", dst: "1.1.1.1", proto: "tcp", port: 443 })).toMatchObject({ action: "allow", rule: 10 });
  expect(e.decide({ src: "10.0.0.1", dst: "1.1.1.1", proto: "tcp", port: 80 })).toMatchObject({ action: "deny", rule: 0, mode: "protect" });
  expect(() => loadModule(new Uint8Array([0, 1, 2, 3]))).toThrow(NvpRuntimeError);
});

/**
 * `nvp diff` and the places NeuVector opens before any rule: a link-local address never stands for
 * an ordinary one (a found counterexample had 169.254.0.1 in an address group and the outside address
 * in one class, so the planted rule's only change, outside → the planted address, went unseen), and
 * a Service's cluster IP is represented (its own class: open at the client on kubernetes).
 */
import { expect, test } from "vitest";
import { diffModules } from "../../cli/diff/module-deciders.js";
import { checkText } from "../crd/helpers.js";

test("a link-local address in a group does not hide the outside's change", () => {
  const head = "policy p\ngroup ll { address 169.254.0.1 }\ngroup planted { address 198.51.100.7 }\n";
  const r = diffModules(checkText(head), checkText(`${head}rule 1 allow external -> planted port tcp/1\n`));
  const regions = r.changes.flatMap((c) => c.regions);
  expect(regions.length).toBeGreaterThan(0);
  expect(regions.every((g) => g.witness.flow.src !== "169.254.0.1")).toBe(true);
});

test("rules to a Service's cluster IPs (nv.ip groups) change verdicts the diff finds, at a cluster IP", () => {
  const head = "policy p\nsettings { platform openshift }\nservice web = nv.web.shop { mode protect }\n";
  const r = diffModules(checkText(`${head}rule 10 allow web -> nv.ip.api.shop port tcp/8080\n`), checkText(`${head}rule 10 allow web -> nv.ip.api.shop port tcp/9090\n`));
  const regions = r.changes.flatMap((c) => c.regions);
  expect(regions.length).toBeGreaterThan(0);
  const api = r.context.inventory.services?.find((s) => s.name === "api" && s.namespace === "shop");
  expect(api).toBeDefined();
  expect(regions.every((g) => g.witness.flow.dst === api!.ips[0])).toBe(true);
});

test("on kubernetes a flow to a cluster IP is open at the client: a rule change there changes nothing", () => {
  const head = "policy p\nservice web = nv.web.shop { mode protect }\n";
  const r = diffModules(checkText(`${head}rule 10 allow web -> nv.ip.api.shop port tcp/8080\n`), checkText(`${head}rule 10 deny web -> nv.ip.api.shop port tcp/8080\n`));
  expect(r.changes.flatMap((c) => c.regions)).toEqual([]);
});

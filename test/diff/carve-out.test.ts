/**
 * `nvp diff` never lets a link-local address (open before any rule, docs/semantics.md) stand for an
 * ordinary one: a found counterexample had 169.254.0.1 in an address group and the outside address in
 * the same class, so the planted rule's only change (outside → the planted address) went unseen.
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

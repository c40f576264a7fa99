/**
 * `nvp diff` represents every combination of group memberships attribute values can realise
 * (compiler/diff/atoms.ts), not only one workload per group and per pair: each case below has a
 * verdict change that only a workload in three groups at once, or in one group but not in an
 * overlapping one, shows — found, with a witness the reference evaluator confirms.
 */
import { describe, expect, test } from "vitest";
import { workloadAtoms } from "../../compiler/diff/atoms.js";
import { diffModules } from "../../cli/diff/module-deciders.js";
import { workloadOf } from "../../compiler/diff/instances.js";
import { evaluate } from "../../compiler/reference/index.js";
import { workloadSelected } from "../../compiler/reference/criteria.js";
import { checkText } from "../crd/helpers.js";

const regions = (a: string, b: string) => {
  const ma = checkText(a);
  const mb = checkText(b);
  const r = diffModules(ma, mb);
  for (const c of r.changes)
    for (const g of c.regions) {
      expect(evaluate(ma, r.context, g.witness.flow)).toMatchObject({ action: g.old.action, rule: g.old.rule });
      expect(evaluate(mb, r.context, g.witness.flow)).toMatchObject({ action: g.new.action, rule: g.new.rule });
    }
  return [...new Set(r.changes.flatMap((c) => c.regions.map((g) => `${g.old.rule} -> ${g.new.rule}`)))].sort();
};

describe("workload atoms", () => {
  test("a two-group overlap whose first spelling lands in a third group", () => {
    // c's first instance ("px") also meets g (contains "x"); only a workload in a and c but not in g
    // ("pa") goes from rule 20 to rule 5 — one more group than a pair merge keeps apart.
    const head = `policy p
service db = nv.db.shop { mode protect }
group a { label app = "web" }
group c { namespace prefix "p" }
group g { namespace contains "x" }
`;
    const old = `${head}rule 10 deny g -> db\nrule 20 allow a -> db\n`;
    const neu = `${head}rule 5 deny c -> db port tcp/100-200\nrule 10 deny g -> db\nrule 20 allow a -> db\n`;
    expect(regions(old, neu)).toContain("20 -> 5");
  });

  test("one group but not an overlapping one on the same attribute", () => {
    // prefix "pro" and contains "rox" overlap ("prox…"); a namespace in o1 but not o2 ("proa")
    // is the only source whose verdict changes.
    const head = `policy p
service db = nv.db.shop { mode protect }
group o1 { namespace prefix "pro" }
group o2 { namespace contains "rox" }
`;
    const old = `${head}rule 10 deny o1 -> db\nrule 20 allow o2 -> db\nrule 30 allow o1 -> db port tcp/80\n`;
    const neu = `${head}rule 20 allow o2 -> db\nrule 30 allow o1 -> db port tcp/80\n`;
    expect(regions(old, neu)).toEqual(["10 -> 0", "10 -> 20", "10 -> 30"]);
  });

  test("a regex selector gets a member spelled from the pattern itself", () => {
    // The derived instance of this pattern ("reg-0{3}xio/web") fails it; randexp's strings meet it.
    const head = `policy p
service db = nv.db.shop { mode protect }
group r { image regex "^reg-[0-9]{3}[.]io/(api|web)$" }
`;
    expect(regions(`${head}rule 10 allow r -> db\n`, `${head}rule 10 deny r -> db\n`)).toEqual(["10 -> 10"]);
  });

  test("every atom is a distinct membership set and meets exactly the groups it stands for", () => {
    const m = checkText(`policy p
service web = nv.web.shop
group a { label app = "web" }
group b { label app != "web"
  label tier != "db" }
group c { namespace = "shop"
  image prefix "r/" }
group d { namespace = "s*" }
`);
    const atoms = workloadAtoms(m.groups, { cap: 1000 });
    expect(atoms).toBeDefined();
    const sets = atoms!.map((at) => {
      const w = workloadOf(at, "w", "::1");
      return m.groups
        .filter((g) => (g.kind === "service" ? w.service === g.service?.service && w.namespace === g.service?.namespace : g.kind === "workload" && workloadSelected(w, g.criteria ?? [])))
        .map((g) => g.name)
        .join(",");
    });
    expect(new Set(sets).size).toBe(sets.length);
    // a and b never together (b needs app != web); c implies d ("shop" matches s*); web (shop) too.
    expect(sets).toContain("web,a,c,d");
    expect(sets).toContain("b,c,d");
    expect(sets.some((s) => s.split(",").includes("a") && s.split(",").includes("b"))).toBe(false);
    expect(sets).toContain("d");
    expect(sets).toContain("b");
  });

  test("past the cap no atoms are given (the diff then uses one workload per group and per pair)", () => {
    const groups = Array.from({ length: 14 }, (_, i) => `group g${i} { label k${i} = "v" }`).join("\n");
    const m = checkText(`policy p\nservice db = nv.db.shop\n${groups}\n`);
    expect(workloadAtoms(m.groups, { cap: 100 })).toBeUndefined();
  });
});

/**
 * The layering of docs/design.md, checked on the import graph of the sources (type imports count:
 * they couple files as much as value imports do):
 *   common ← grammar ← compiler;  common ← runtime;  asm alone;  cli uses all but asm.
 * So the compiler and the runtime never import each other (what both need lives in common/, like
 * the diagnostic codes in common/codes/), the engine imports nothing outside asm/, and no folder
 * has an import cycle except the edges listed below, each with its reason, so that any new cycle
 * fails. Run: NO_COLOR=1 npx vitest run test/layering/
 */
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { edgesWithin, importCycles, importGraph, type ImportGraph } from "./import-graph.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Layer → the layers its files may import (itself included; `*`: top-level folders not in this table). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  asm: ["asm"],
  common: ["common"],
  grammar: ["grammar", "common"],
  compiler: ["compiler", "grammar", "common"],
  runtime: ["runtime", "common"],
  // cli/ is the top: any layer but the engine's sources (other top-level folders included).
  cli: ["cli", "compiler", "runtime", "grammar", "common", "*"],
};

/**
 * Imports that break the table above today, each with the work that removes it. Any other fails;
 * a listed import that is gone fails too, so that the list only shrinks.
 */
const KNOWN_LAYER_BREAKS: Record<string, string> = {};

/**
 * The edges that close the import cycles that exist today: with them taken out the graph has no
 * cycle, so any new cycle fails. Each stays until the named work removes it; a listed edge that is
 * gone or no longer on a cycle fails too, so that the list only shrinks.
 */
const CYCLE_CLOSING_EDGES: Record<string, string> = {};

const graphs = new Map<string, ImportGraph>(Object.keys(MAY_IMPORT).map((layer) => [layer, importGraph(root, [layer])]));
const layerOf = (file: string) => file.split("/")[0] as string;

describe("layering", () => {
  test("every relative import names a file", () => {
    expect([...graphs.values()].flatMap((g) => g.unresolved)).toEqual([]);
  });

  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    test(`${layer}/ imports only ${allowed.join(", ")}`, () => {
      const g = graphs.get(layer) as ImportGraph;
      const ok = (t: string) => allowed.includes(layerOf(t)) || (allowed.includes("*") && layerOf(t) !== "asm" && !(layerOf(t) in MAY_IMPORT));
      const wrong = [...g.edges].flatMap(([from, to]) => [...to].filter((t) => !ok(t)).map((t) => `${from} → ${t}`));
      expect(wrong.filter((e) => !(e in KNOWN_LAYER_BREAKS))).toEqual([]);
      const known = Object.keys(KNOWN_LAYER_BREAKS).filter((e) => layerOf(e) === layer);
      expect(known.filter((e) => !wrong.includes(e)), "gone: delete them from KNOWN_LAYER_BREAKS").toEqual([]);
    });
  }

  test("the engine (asm/) imports no package: AssemblyScript has none at run time", () => {
    const g = graphs.get("asm") as ImportGraph;
    expect([...g.packages].filter(([, p]) => p.size > 0).map(([f, p]) => `${f}: ${[...p].join(", ")}`)).toEqual([]);
  });

  test("the root entry joins the runtime and the compiler and adds nothing from cli/", () => {
    const g = importGraph(root, ["index.ts"]);
    expect(new Set([...(g.edges.get("index.ts") ?? [])].map(layerOf))).toEqual(new Set(["runtime", "compiler", "common"]));
  });

  test("no folder has an import cycle once the known cycle-closing edges are taken out", () => {
    const cycles = [...graphs.values()].flatMap((g) => {
      const cut = new Map([...g.edges].map(([f, to]) => [f, new Set([...to].filter((t) => !(`${f} → ${t}` in CYCLE_CLOSING_EDGES)))]));
      return importCycles(cut).map((scc) => edgesWithin(cut, scc).join("\n"));
    });
    expect(cycles, "new import cycles (their edges)").toEqual([]);
  });

  test("every known cycle-closing edge still exists and still closes a cycle", () => {
    const onCycle = new Set([...graphs.values()].flatMap((g) => importCycles(g.edges).flatMap((scc) => edgesWithin(g.edges, scc))));
    expect(Object.keys(CYCLE_CLOSING_EDGES).filter((e) => !onCycle.has(e)), "gone: delete them from CYCLE_CLOSING_EDGES").toEqual([]);
  });
});

/**
 * Turning a corpus case's inputs into what engines take: the `.nvp` text through the real front
 * end (checkSources: load, imports incl. `std/`, parse, check) into a PolicyModel, and the inline inventory through the real inventory
 * loader. Any error diagnostic is a broken case, reported with the rendered diagnostics.
 */
import { stringify } from "yaml";
import { hasErrors, renderAll } from "../../common/diagnostics.js";
import type { Inventory } from "../../common/schema.js";
import { checkSources } from "../../compiler/pipeline.js";
import type { PolicyModel } from "../../compiler/model.js";
import { loadInventory } from "../../runtime/inventory/index.js";

/** Compile one policy file (it may import `std/…`) with `--set` overrides; throws on any error. */
export function compilePolicy(path: string, text: string, params: Record<string, string> = {}): PolicyModel {
  const compiled = checkSources({ [path]: text }, [path], params);
  if (!compiled.model || hasErrors(compiled.diagnostics)) {
    throw new Error(`case policy does not compile:\n${renderAll(compiled.diagnostics, compiled.sources)}`);
  }
  return compiled.model;
}

/** Load a case's inline inventory (docs/formats.md shape) with the runtime's loader; throws on errors. */
export function loadCaseInventory(path: string, value: unknown): Inventory {
  const source = { path: `${path}.inventory.yaml`, text: stringify(value ?? {}) };
  const loaded = loadInventory([source]);
  if (hasErrors(loaded.diagnostics)) {
    throw new Error(`case inventory does not load:\n${renderAll(loaded.diagnostics, new Map([[source.path, source.text]]))}`);
  }
  return loaded.inventory;
}

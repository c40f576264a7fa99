/**
 * Load and merge inventory sources, detecting each document's shape: nvp's own format, or raw
 * kubectl JSON (pods, nodes, namespaces, services, or a List mixing them). Every problem in every
 * source is reported; nothing throws on bad input.
 */
import { sortDiagnostics, type Diagnostic } from "../../common/diagnostics.js";
import type { Inventory } from "../../common/schema.js";
import { INVENTORY } from "../input/codes.js";
import { isRecord, rootLoc, Sink, type Loc } from "../input/reader.js";
import { readDocuments } from "../input/source-doc.js";
import { emptyCollected, inventoryReader, type Collected, type SkippedPods } from "./collect.js";
import { looksLikeKubectl, readKubectl } from "./kubectl.js";
import { mergeCollected } from "./merge.js";
import { readOwnFormat } from "./own-format.js";
import { inventoryStats, type InventoryStats } from "./stats.js";

export interface InventorySource {
  path: string;
  text: string;
}

export interface LoadedInventory {
  inventory: Inventory;
  diagnostics: Diagnostic[];
  stats: InventoryStats;
  skipped: SkippedPods;
}

export function loadInventory(sources: readonly InventorySource[]): LoadedInventory {
  const sink = new Sink();
  const collected = emptyCollected();
  for (const src of sources) {
    const { docs, diagnostics } = readDocuments(src.path, src.text, INVENTORY.syntax);
    sink.addAll(diagnostics);
    if (docs.length === 0 && diagnostics.length === 0) {
      sink.push({
        code: INVENTORY.shape,
        severity: "warning",
        message: "inventory file is empty",
        file: src.path,
        help: "add `workloads:` and `nodes:`, or save `kubectl get pods -A -o json` into it",
      });
    }
    for (const doc of docs) collectValue(rootLoc(doc), sink, collected);
  }
  const inventory = mergeCollected(collected, sink);
  return {
    inventory,
    diagnostics: sortDiagnostics(sink.diagnostics),
    stats: inventoryStats(inventory, collected.skipped),
    skipped: collected.skipped,
  };
}

/** Read one inventory value (a whole document, or an inline `inventory:` of a test file). */
export function collectValue(loc: Loc, sink: Sink, out: Collected): void {
  const r = inventoryReader(sink);
  const value = loc.value;
  if (value == null) return;
  if (!isRecord(value)) {
    sink.error(INVENTORY.shape, `an inventory must be a mapping, found ${Array.isArray(value) ? "a list" : `a ${typeof value}`}`, loc, {
      label: "not an inventory",
      help: "an inventory has `workloads:` and/or `nodes:`, or is the output of `kubectl get pods -A -o json`",
    });
    return;
  }
  if (looksLikeKubectl(value)) readKubectl(value, loc, r, out);
  else readOwnFormat(value, loc, r, out);
}

/** An inline inventory (e.g. inside a policy-test file), merged on its own. */
export function inventoryFromValue(loc: Loc, sink: Sink): Inventory {
  const collected = emptyCollected();
  collectValue(loc, sink, collected);
  return mergeCollected(collected, sink);
}

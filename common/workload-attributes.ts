/**
 * The workload attribute values a group criterion looks at (docs/semantics.md S2.7, S2.8): one
 * reading shared by the reference evaluator (compiler/reference/criteria.ts) and the runtime
 * (runtime/host/membership.ts), so the two cannot drift on which values a criterion sees.
 */
import type { MetaCriterionKey } from "./abi-meta.js";
import type { Workload } from "./schema.js";

/**
 * Single-valued attributes give one value; images and containers give all of the workload's; a
 * label the workload lacks gives none.
 */
export function attributeValues(w: Workload, key: MetaCriterionKey, labelKey: string | undefined): readonly string[] {
  switch (key) {
    case "namespace":
      return [w.namespace];
    case "service":
      return [w.service];
    case "node":
      return [w.node];
    case "image":
      return w.images;
    case "container":
      return w.containers;
    case "label":
    case "ns-label": {
      const labels = key === "label" ? w.labels : w.nsLabels;
      const k = labelKey ?? "";
      return Object.prototype.hasOwnProperty.call(labels, k) ? [labels[k] ?? ""] : [];
    }
  }
}

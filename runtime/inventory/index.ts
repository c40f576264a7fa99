/** The inventory loader's public surface (docs/formats.md "Inventory"). */
export { loadInventory, inventoryFromValue, type InventorySource, type LoadedInventory } from "./load.js";
export { inventoryStats, formatInventoryStats, type InventoryStats } from "./stats.js";
export type { SkippedPods } from "./collect.js";
export { deriveService, type OwnerRef } from "./service-name.js";

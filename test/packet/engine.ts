/** Test helpers: a PacketEngine for policy text, capture fixtures as packet inputs, small inventories. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Inventory, Workload } from "../../common/schema.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { loadModule } from "../../runtime/index.js";
import { PacketEngine, type PacketEngineOptions, type PacketInput } from "../../runtime/packet/engine.js";
import { moduleBytes } from "../engine/helpers.js";

export const CAPTURES = join(import.meta.dirname, "../fixtures/captures");

const modules = new Map<string, ReturnType<typeof loadModule>>();

/** A packet engine for `.nvp` text (modules cached per text). */
export function engineFor(text: string, options: PacketEngineOptions = {}): PacketEngine {
  let m = modules.get(text);
  if (!m) {
    m = loadModule(moduleBytes(text));
    modules.set(text, m);
  }
  return new PacketEngine(m, options);
}

/** The packets of a capture fixture. */
export function capture(file: string): PacketInput[] {
  return parseCaptureBuffer(readFileSync(join(CAPTURES, file))).packets;
}

export function workload(name: string, ns: string, service: string, ips: string[], labels: Record<string, string> = {}): Workload {
  return { name, namespace: ns, service, labels, nsLabels: {}, images: [], containers: [], node: "node-1", ips };
}

export function inventory(workloads: Workload[], nodes: { name: string; ips: string[] }[] = []): Inventory {
  return { workloads, nodes, internalSubnets: [], serviceExternalIps: [] };
}

/**
 * `nvp replay --store FILE`: the run's records go into the flow store after the replay, tagged by
 * capture (flow ids count up across captures, so each capture's last id says where a flow began).
 */
import type { Inventory } from "../../common/schema.js";
import type { PolicyModule } from "../../runtime/index.js";
import type { PacketEngine, PacketEvent } from "../../runtime/packets.js";
import { storeReplay } from "../../runtime/store/index.js";
import type { CommandContext } from "../shared.js";
import { withStore } from "../store-cli.js";
import { VERSION } from "../version.js";

export interface StoreMark {
  flowMark: number;
  eventMark: number;
  /** DNS resolutions in force at the end of the capture (snooped answers expire). */
  dns: Map<string, string[]>;
}

export function storeMark(engine: PacketEngine, events: readonly PacketEvent[]): StoreMark {
  return { flowMark: engine.stats().flows.created, eventMark: events.length, dns: engine.resolutions() };
}

export function mergeDns(marks: readonly StoreMark[]): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const m of marks) for (const [n, ips] of m.dns) all.set(n, [...new Set([...(all.get(n) ?? []), ...ips])]);
  return all;
}

interface Replayed {
  module: PolicyModule;
  inventory: Inventory;
  reports: { file: string; packets: number; bytes: number; error?: { message: string } }[];
  marks: StoreMark[];
  events: PacketEvent[];
  dns: Map<string, string[]>;
}

/** Prints one line (`stored run 3 in FILE: …`) or an NV56xx error (exit 2); the store is unchanged on error. */
export async function addToStore(ctx: CommandContext, file: string, r: Replayed): Promise<number | undefined> {
  return withStore(ctx, file, async (store) => {
    const captures = r.reports.map((c, i) => ({
      capture: c.file,
      packets: c.packets,
      bytes: c.bytes,
      ...(c.error ? { error: c.error.message } : {}),
      flowMark: r.marks[i]!.flowMark,
      eventMark: r.marks[i]!.eventMark,
    }));
    const res = await storeReplay(store, { kind: "replay", nvpVersion: VERSION }, captures, r.events, { meta: r.module.meta, inventory: r.inventory, dns: r.dns });
    ctx.io.err(`stored run ${res.runId} in ${file}: ${res.flows} flows, ${res.events} events, ${res.threats} threats\n`);
    return res.runId;
  });
}

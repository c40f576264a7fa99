/**
 * `nvp replay --store FILE`: one more sink beside --events and --flows (runtime/store/record-events.ts),
 * ingested into the flow store when the replay has finished; the store is unchanged on any error.
 */
import type { Inventory } from "../../common/schema.js";
import type { PolicyModule } from "../../runtime/index.js";
import type { StoreRecorder } from "../../runtime/store/index.js";
import type { CommandContext } from "../shared.js";
import { withStore } from "../store-cli.js";
import { VERSION } from "../version.js";

/** Prints `stored run N in FILE: …` on stderr (stdout is the summary), or an NV56xx error (exit 2). */
export async function addToStore(ctx: CommandContext, file: string, recorder: StoreRecorder, module: PolicyModule, inventory: Inventory): Promise<void> {
  const res = await withStore(ctx, file, (store) => recorder.store(store, { kind: "replay", nvpVersion: VERSION }, { meta: module.meta, inventory }));
  recorder.cleanup();
  if (res) ctx.io.err(`stored run ${res.runId} in ${file}: ${res.flows} flows, ${res.events} events, ${res.threats} threats\n`);
}

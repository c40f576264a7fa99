/**
 * Captures through a policy module for learning: every packet through the packet path (decode,
 * flows, protocol identification, decisions), then every flow ended, and the events kept. The DNS
 * answers in the capture are read on the side (dns-answers.ts) so that external peers can be
 * grouped by the names they were reached by.
 */
import type { Inventory } from "../../common/schema.js";
import { readCapture } from "../capture/index.js";
import type { PolicyModule } from "../module/load.js";
import { PacketEngine, type PacketEvent, type PacketInput } from "../packet/engine.js";
import { DnsAnswers } from "./dns-answers.js";

export interface CaptureLearnInput {
  events: PacketEvent[];
  /** Address → names the capture's DNS answers gave it. */
  dnsNames: Map<string, string[]>;
  packets: number;
  /** Per file: a read error that stopped it (the packets before were used). */
  errors: { file: string; message: string; offset: number; truncated: boolean }[];
}

const BATCH = 1024;

export async function captureEvents(
  module: PolicyModule,
  inventory: Inventory,
  files: readonly { path: string; shown: string }[],
  dns: Readonly<Record<string, readonly string[]>> = {},
): Promise<CaptureLearnInput> {
  const engine = new PacketEngine(module, { inventory });
  const answers = new DnsAnswers();
  for (const [name, ips] of Object.entries(dns)) {
    engine.addDnsResolution(name, ips);
    for (const ip of ips) answers.add(ip, name);
  }
  const out: CaptureLearnInput = { events: [], dnsNames: answers.byAddress, packets: 0, errors: [] };
  for (const f of files) {
    const reader = readCapture(f.path);
    let batch: PacketInput[] = [];
    const run = () => {
      engine.feed(batch);
      out.events.push(...engine.drainEvents());
      batch = [];
    };
    for await (const p of reader) {
      answers.packet(p.data, p.l3Offset);
      batch.push({ data: p.data, l3Offset: p.l3Offset, ts: p.ts, originalLength: p.originalLength });
      if (batch.length === BATCH) run();
    }
    run();
    const s = reader.summary;
    out.packets += s.packets;
    if (s.error) out.errors.push({ file: f.shown, message: s.error.message, offset: s.error.offset, truncated: s.error.kind === "truncated" });
  }
  engine.flush();
  out.events.push(...engine.drainEvents());
  return out;
}

/**
 * Test helpers for threat detection on the packet path: a policy of two services in a chosen mode
 * with extra `settings`, an inventory (web-1 serves, cli-1 is a client workload, optional Service
 * externalIPs), and a run that returns the verdicts, the threat events and the counters, with
 * threat detection on or off (the PSF_THREATS switch).
 */
import type { Mode } from "../../common/schema.js";
import type { PacketEvent, PacketInput, PacketStats, PacketVerdict } from "../../runtime/packet/engine.js";
import { engineFor, inventory, workload } from "./engine.js";

export const WEB = "10.0.0.1";
export const CLI = "10.0.0.2";
export const OUTSIDE = "203.0.113.9";
export const WEB6 = "fd00::1";
export const MODES: Mode[] = ["discover", "monitor", "protect"];

export function threatPolicy(mode: Mode, settings = ""): string {
  return [
    "policy threats",
    `service web = nv.web.shop { mode ${mode} }`,
    `service cli = nv.cli.shop { mode ${mode} }`,
    "rule 10 allow any -> web",
    "rule 20 allow cli -> external",
    settings && `settings { ${settings} }`,
  ].join("\n");
}

export interface ThreatRun {
  verdicts: PacketVerdict[];
  events: PacketEvent[];
  threats: PacketEvent[];
  stats: PacketStats;
}

export interface RunOptions {
  settings?: string;
  threats?: boolean;
  externalIps?: string[];
}

/** Packets through a fresh engine; every flow ended at the end (flow-end records). */
export function runThreats(mode: Mode, packets: PacketInput[], o: RunOptions = {}): ThreatRun {
  const inv = inventory([workload("web-1", "shop", "web", [WEB, WEB6]), workload("cli-1", "shop", "cli", [CLI])]);
  inv.serviceExternalIps = o.externalIps ?? [];
  const e = engineFor(threatPolicy(mode, o.settings), { inventory: inv, settings: { threats: o.threats ?? true, flows: 256, prefixSlots: 16, events: 1024, meterSlots: 16 } });
  const verdicts = e.process(packets);
  e.flush();
  const events = e.drainEvents();
  return { verdicts, events, threats: events.filter((x) => x.type === "threat"), stats: e.stats() };
}

/** A verdict without its threat fields: what the policy alone decided for the packet. */
export function policyPart(v: PacketVerdict): Omit<PacketVerdict, "threat" | "threatRaised"> {
  const { threat: _t, threatRaised: _r, ...rest } = v;
  return rest;
}

/**
 * Threats never change a policy verdict outside Protect: random policies, inventories and flows
 * (test/arbitraries/model.ts) with every Protect mode turned into Monitor or Discover, each flow
 * rendered as real packets (test/packet/render.ts) with attacks mixed in (a small-MSS SYN, a
 * SYN answered by a SYN, an oversized ping, overlapping IPv4 fragments, a destination that is a
 * Service externalIP), go through one engine with threat detection on and one with it off: every
 * packet's verdict (action, rule, flags) and every flow's final verdict (action, rule, mode) and
 * application are the same, while the threats are reported.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import type { Mode } from "../../common/schema.js";
import { compileModule } from "../../compiler/pipeline.js";
import type { PolicyModel } from "../../compiler/model.js";
import { loadModule } from "../../runtime/index.js";
import { PacketEngine, type PacketInput } from "../../runtime/packets.js";
import { arbScenario, type Scenario } from "../arbitraries/model.js";
import { SYN, icmp, input, ip, ipv4, isV6, mssOption, tcp, udp } from "../packet/craft.js";
import { render } from "../packet/render.js";
import { policyPart } from "../packet/threats.js";
import { propertyRuns } from "../property-runs.js";

const RUNS = propertyRuns(150, 150);
const SMALL = { flows: 256, prefixSlots: 16, fragSlots: 4, events: 1024, dnsNames: 16, batchBytes: 256 * 1024, meterSlots: 16, externalIps: 64 };

type Attack = "none" | "small-mss" | "split" | "big-ping" | "teardrop";
const ATTACKS: Attack[] = ["none", "small-mss", "split", "big-ping", "teardrop"];

/** Protect becomes `to`: nothing may block, so threats may only report. */
function withoutProtect(model: PolicyModel, to: Mode): PolicyModel {
  const m = (x: Mode): Mode => (x === "protect" ? to : x);
  return {
    ...model,
    settings: { ...model.settings, defaultMode: m(model.settings.defaultMode), nodesMode: m(model.settings.nodesMode) },
    groups: model.groups.map((g) => (g.mode ? { ...g, mode: m(g.mode) } : g)),
  };
}

/** The client and server ports of a rendered flow's first packet (IPv4 or IPv6 without extensions). */
function ports(p: PacketInput): [number, number] {
  const at = (p.data[0]! >> 4) === 6 ? 40 : (p.data[0]! & 15) * 4;
  return [(p.data[at]! << 8) | p.data[at + 1]!, (p.data[at + 2]! << 8) | p.data[at + 3]!];
}

/** The flow's packets with `attack` mixed in (when the flow's protocol carries it). */
function attacked(packets: PacketInput[], src: string, dst: string, proto: number, attack: Attack): PacketInput[] {
  const first = packets[0];
  if (!first) return packets;
  const t = first.ts;
  const at = (bytes: Uint8Array): PacketInput => ({ ...input(bytes, 0), ts: t });
  const [cport, sport] = ports(first);
  if (proto === 6 && attack === "small-mss") return [first, at(ip(src, dst, 6, tcp(cport, sport, SYN, "", { seq: 1000, options: mssOption(48) }))), ...packets.slice(1)];
  if (proto === 6 && attack === "split") return [first, at(ip(dst, src, 6, tcp(sport, cport, SYN, "", { seq: 5000 }))), ...packets.slice(1)];
  if ((proto === 1 || proto === 58) && attack === "big-ping") {
    const v6 = isV6(src);
    const id = ((first.data[v6 ? 44 : 24]! << 8) | first.data[v6 ? 45 : 25]!) >>> 0;
    return [...packets, at(ip(src, dst, v6 ? 58 : 1, icmp(v6 ? 128 : 8, 0, id, 2, new Uint8Array(33_000))))];
  }
  if (proto === 17 && attack === "teardrop" && !isV6(src)) {
    const dgram = udp(cport, sport, new Uint8Array(32));
    return [...packets, at(ipv4(src, dst, 17, dgram.subarray(0, 24), { id: 77, more: true })), at(ipv4(src, dst, 17, dgram.subarray(16), { id: 77, fragOffset: 16 }))];
  }
  return packets;
}

/** Threats the engine with detection on reported, by slug, over the whole run. */
const reported = new Map<string, number>();

function check(s: Scenario, to: Mode, attacks: Attack[], external: boolean[]): void {
  const model = withoutProtect(s.model, to);
  const mod = loadModule(compileModule(model).bytes);
  const inventory = { ...s.ctx.inventory, serviceExternalIps: s.flows.filter((_, i) => external[i % external.length]).map((f) => f.dst) };
  const engines = [true, false].map((threats) => {
    const e = new PacketEngine(mod, { inventory, settings: { ...SMALL, threats } });
    for (const [name, ips] of Object.entries(s.ctx.dns)) e.addDnsResolution(name, ips);
    return e;
  });
  let t = 0;
  for (const [i, f] of s.flows.entries()) {
    const r = render(f, t);
    if (!r.ok) continue;
    t += 1000;
    const proto = f.proto === "tcp" ? 6 : f.proto === "udp" ? 17 : f.proto === "icmp" ? (isV6(f.src) ? 58 : 1) : f.proto;
    const packets = attacked(r.packets, f.src, f.dst, proto, attacks[i % attacks.length]!);
    const [on, off] = engines.map((e) => e.process(packets));
    expect({ flow: f, verdicts: on!.map(policyPart) }).toEqual({ flow: f, verdicts: off });
  }
  const ends = engines.map((e) => {
    e.flush();
    const events = e.drainEvents();
    for (const x of events.filter((x) => x.type === "threat")) {
      expect(x.action).toBe("report");
      reported.set(x.slug!, (reported.get(x.slug!) ?? 0) + 1);
    }
    return events.filter((x) => x.type === "flow-end").map((x) => [x.flow, x.action, x.rule, x.mode, x.app]);
  });
  expect(ends[0]).toEqual(ends[1]);
}

test("threats on or off: the same verdicts in Discover and Monitor", () => {
  fc.assert(
    fc.property(
      arbScenario({ maxFlows: 6 }),
      fc.constantFrom<Mode>("discover", "monitor"),
      fc.array(fc.constantFrom(...ATTACKS), { minLength: 1, maxLength: 6 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
      (s, to, attacks, external) => check(s, to, attacks, external),
    ),
    { numRuns: RUNS },
  );
  // The property is not vacuous: every attack was seen and reported.
  expect([...reported.keys()].sort()).toEqual(["ip-teardrop", "k8s-mitm", "ping-death", "tcp-small-mss", "tcp-split-handshake"]);
}, 120_000);

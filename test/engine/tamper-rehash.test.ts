/**
 * Every refusal at load time (issue 10, item 4). An attacker who edits a module also recomputes its
 * hash, so the hash proves nothing against them (signed modules do, test/engine/signed.test.ts). What
 * must hold is that the loader refuses whatever the host cannot walk: after each random mutation with
 * the hash recomputed, the module is either refused by loadModule (NV54xx), or it loads and then
 * decides flows and packets without ever throwing — with the original verdicts, or with other
 * verdicts from a well-formed but different table (counted; that is what a signature detects).
 * Sized by case count; the counts are printed for the closing note.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { customSection, SEC_CUSTOM, SEC_DATA, wasmSections } from "../../common/abi-wasm.js";
import { GROUPS_SECTION } from "../../common/abi-groups.js";
import type { Flow, Inventory } from "../../common/schema.js";
import { Enforcer, loadModule, NvpRuntimeError, PacketEngine, type PolicyModule } from "../../runtime/index.js";
import { ACK, input, ip, SYN, tcp, udp } from "../packet/craft.js";
import { editMeta, hashFor, moduleBytes, withoutMeta } from "./helpers.js";

const POLICY = `policy shop
service web = nv.web.shop { mode protect }
service api = nv.api.shop { mode monitor }
service db = nv.db.shop { mode protect }
group front { label tier = "front"; domain = "shop" }
group ext-db { address 10.20.0.0/16, 10.30.1.5-10.30.1.9, "db.example.com", "*.rds.example.com" }
group shop-vh { address vh:*.shop.example.com }
rule 10 allow web -> api app http port tcp/8080
rule 20 allow api -> db app postgresql port tcp/5432
rule 30 allow api -> ext-db port tcp/5432, udp/53
rule 40 allow front -> shop-vh
rule 50 deny external -> api
rule 60 allow web -> external port tcp/443
`;

const wl = (name: string, service: string, ips: string[], labels: Record<string, string> = {}) => ({
  name, namespace: "shop", service, labels, nsLabels: {}, images: [], containers: [], node: "n1", ips,
});
const INVENTORY: Inventory = {
  workloads: [wl("web-1", "web", ["10.0.0.1"], { tier: "front" }), wl("api-1", "api", ["10.0.0.2"]), wl("db-1", "db", ["10.0.0.3"])],
  nodes: [{ name: "n1", ips: ["10.0.1.1"] }],
  internalSubnets: ["10.0.2.0/24"],
  serviceExternalIps: [],
};
const DNS: Record<string, string[]> = { "db.example.com": ["192.0.2.20"], "x.rds.example.com": ["192.0.2.21"], "a.shop.example.com": ["192.0.2.30"] };

const ADDRS = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.1.1", "10.0.2.9", "10.20.3.4", "10.30.1.7", "192.0.2.20", "192.0.2.21", "192.0.2.30", "8.8.8.8"];
const FLOWS: Flow[] = ADDRS.flatMap((src) =>
  ADDRS.flatMap((dst): Flow[] => [
    { src, dst, proto: "tcp", port: 8080, app: "http" },
    { src, dst, proto: "tcp", port: 5432 },
    { src, dst, proto: "udp", port: 53 },
    { src, dst, proto: "tcp", port: 443, host: "a.shop.example.com" },
  ]),
);
const PACKETS = ADDRS.flatMap((src, i) => [
  input(ip(src, ADDRS[(i + 3) % ADDRS.length]!, 6, tcp(40000 + i, 5432, SYN)), i * 10),
  input(ip(src, ADDRS[(i + 5) % ADDRS.length]!, 6, tcp(40100 + i, 8080, ACK, "GET / HTTP/1.1\r\nHost: a.shop.example.com\r\n\r\n")), i * 10 + 1),
  input(ip(src, ADDRS[(i + 7) % ADDRS.length]!, 17, udp(40200 + i, 53, new Uint8Array(20))), i * 10 + 2),
]);

/** Everything a host does with a loaded module: decide flows, run packets, name endpoints in events. */
function exercise(mod: PolicyModule, packets = true): string {
  const e = new Enforcer(mod);
  e.setInventory(INVENTORY);
  for (const [name, ips] of Object.entries(DNS)) e.addDnsResolution(name, ips);
  const decisions = e.decideMany(FLOWS);
  void mod.rules;
  // A packet engine costs ~0.25 s to set up (its memory), so the fuzz runs packets on some mutants only.
  if (!packets) return JSON.stringify(decisions);
  const p = new PacketEngine(mod, { inventory: INVENTORY });
  const verdicts = p.process(PACKETS);
  p.flush();
  const events = p.drainEvents();
  return JSON.stringify([decisions, verdicts.map((v) => [v.action, v.rule]), events.length]);
}

const ORIGINAL = moduleBytes(POLICY);
const BASELINE = exercise(loadModule(ORIGINAL));
const BASELINE_FLOWS = exercise(loadModule(ORIGINAL), false);

/**
 * Byte ranges the host reads: the table segment, the groups section, the metadata. Engine code is
 * left out on purpose: code rewritten by an attacker (hash recomputed) can do anything a WebAssembly
 * function can, trap included; only a signature (docs/module.md) tells a host it is nvp's engine.
 */
function regions(bytes: Uint8Array): { name: string; from: number; to: number }[] {
  const secs = wasmSections(bytes);
  const data = secs.find((s) => s.id === SEC_DATA)!;
  const groups = secs.find((s) => s.id === SEC_CUSTOM && customSection(bytes, s).name === GROUPS_SECTION)!;
  const meta = secs[secs.length - 1]!;
  // The table is the data section's last bytes (the last segment).
  const tableLen = loadModule(bytes).table.length;
  return [
    { name: "table", from: data.end - tableLen, to: data.end },
    { name: "groups", from: groups.start, to: groups.end },
    { name: "meta", from: meta.start, to: meta.end },
  ];
}
const REGIONS = regions(ORIGINAL);

const mutation = fc.record({
  region: fc.constantFrom(...REGIONS),
  edits: fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom("byte", "bit", "ff", "zero"), value: fc.nat(255) }), { minLength: 1, maxLength: 4 }),
});

/** Apply the edits inside the region, then recompute the hash as an attacker would. */
function tamper(m: { region: { from: number; to: number }; edits: { at: number; kind: string; value: number }[] }): Uint8Array {
  const out = ORIGINAL.slice();
  const span = m.region.to - m.region.from;
  for (const e of m.edits) {
    const at = m.region.from + (e.at % span);
    out[at] = e.kind === "byte" ? e.value : e.kind === "bit" ? out[at]! ^ (1 << (e.value & 7)) : e.kind === "ff" ? 0xff : 0;
  }
  try {
    return editMeta(out, () => {}, (meta) => hashFor(withoutMeta(out), meta));
  } catch {
    // The sections or the metadata no longer parse, so no hash can be written: the loader must
    // refuse the bytes as they are.
    return out;
  }
}

describe("tampered modules with a recomputed hash", () => {
  test("are refused at load, or load and never throw afterwards (150 mutations)", () => {
    const counts = { refused: 0, identical: 0, different: 0, unchanged: 0 };
    let withPackets = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const bytes = tamper(m);
        if (bytes.length === ORIGINAL.length && bytes.every((b, i) => b === ORIGINAL[i])) {
          counts.unchanged++;
          return;
        }
        let mod: PolicyModule;
        try {
          mod = loadModule(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(NvpRuntimeError);
          counts.refused++;
          return;
        }
        // Loaded: using it must not throw, whatever the verdicts.
        const packets = withPackets++ < 8;
        const got = exercise(mod, packets);
        if (got === (packets ? BASELINE : BASELINE_FLOWS)) counts.identical++;
        else counts.different++;
      }),
      { numRuns: 150, seed: 20261207 },
    );
    console.log(`tamper fuzz (hash recomputed): ${JSON.stringify(counts)}`);
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.identical + counts.different + counts.refused + counts.unchanged).toBe(150);
  });

  test("a group rule list with a well-formed hash but values past the rule count is refused at load", () => {
    // The case from the issue: consistent hash, malformed list, which used to throw in TableView.gaps later.
    let refused = 0;
    const table = REGIONS[0]!;
    for (let at = table.from; at < table.to; at += 61) {
      const out = ORIGINAL.slice();
      out[at] = 0xff;
      const bytes = editMeta(out, () => {}, (meta) => hashFor(withoutMeta(out), meta));
      let mod: PolicyModule;
      try {
        mod = loadModule(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(NvpRuntimeError);
        refused++;
        continue;
      }
      expect(() => exercise(mod, false)).not.toThrow();
    }
    expect(refused).toBeGreaterThan(0);
  });
});

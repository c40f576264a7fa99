/**
 * Encoded flows belong to their module (issue 10, item 5). Records shorten virtual hosts to the
 * module's longest `vh:` name, so a batch encoded before `swap()` and decided after it would be read
 * under the wrong layout: `decideEncoded` refuses it (NV5424), re-encoding gives the new policy's
 * verdicts, and the same module reloaded (same hash) or a new inventory keeps the batch valid.
 */
import { describe, expect, test } from "vitest";
import type { DnsTable, Flow, Inventory } from "../../common/schema.js";
import * as A from "../../common/abi.js";
import { evaluate } from "../../compiler/reference/index.js";
import { decodeResult, type Decision } from "../../runtime/flow/flow-codec.js";
import { Enforcer, loadModule, MODULE_CODES, NvpRuntimeError, type EncodedFlows } from "../../runtime/index.js";
import { modelOf, moduleBytes, referenceDecision } from "./helpers.js";
import { thrown } from "../thrown.js";

const BEFORE = `policy shop
service web = nv.web.shop { mode protect }
group shop { address vh:*.example.com }
rule 30 allow web -> shop
`;
// A longer vh: name: hosts are kept longer in the records, so the old records are cut too short.
const AFTER = `policy shop
service web = nv.web.shop { mode protect }
group shop { address vh:*.orders.shop.corp.example.com }
rule 30 allow web -> shop
`;

const INVENTORY: Inventory = {
  workloads: [{ name: "web-1", namespace: "shop", service: "web", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.1"] }],
  nodes: [],
  internalSubnets: [],
  serviceExternalIps: [],
};
const DNS: DnsTable = { "api.orders.shop.corp.example.com": ["192.0.2.7"], "www.example.com": ["192.0.2.8"] };

const FLOWS: Flow[] = [
  { src: "10.0.0.1", dst: "192.0.2.7", proto: "tcp", port: 443, host: "api.orders.shop.corp.example.com" },
  { src: "10.0.0.1", dst: "192.0.2.8", proto: "tcp", port: 443, host: "www.example.com" },
  { src: "10.0.0.1", dst: "192.0.2.7", proto: "tcp", port: 443 },
];

function enforcerFor(policy: string): Enforcer {
  const e = new Enforcer(loadModule(moduleBytes(policy)));
  e.setInventory(INVENTORY);
  for (const [name, ips] of Object.entries(DNS)) e.addDnsResolution(name, ips);
  return e;
}

function decisions(raw: Uint8Array, n: number): Decision[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: n }, (_, i) => decodeResult(view, i * A.RESULT_SIZE) as Decision);
}

const expected = (policy: string, inventory = INVENTORY) => FLOWS.map((f) => referenceDecision(evaluate(modelOf(policy), { inventory, dns: DNS }, f)));

const refusal = (f: () => unknown) => thrown(f, NvpRuntimeError);

describe("pre-encoded batches and swap", () => {
  test("a batch encoded before swap is refused after it (NV5424); re-encoding decides like the reference", () => {
    const enforcer = enforcerFor(BEFORE);
    const enc = enforcer.encode(FLOWS);
    expect(decisions(enforcer.decideEncoded(enc), FLOWS.length)).toEqual(expected(BEFORE));
    enforcer.swap(loadModule(moduleBytes(AFTER)));
    const e = refusal(() => enforcer.decideEncoded(enc));
    expect(e.code).toBe(MODULE_CODES.encoded);
    expect(e.message).toMatch(/^these flows were encoded for module `[0-9a-f]{12}`, but the enforcer now runs `[0-9a-f]{12}`$/);
    expect(e.help).toContain("encode them again");
    expect(decisions(enforcer.decideEncoded(enforcer.encode(FLOWS)), FLOWS.length)).toEqual(expected(AFTER));
  });

  test("the refusal is needed: the old records under the new module give a wrong verdict", () => {
    const enforcer = enforcerFor(BEFORE);
    const enc = enforcer.encode(FLOWS);
    enforcer.swap(loadModule(moduleBytes(AFTER)));
    // What decideEncoded did before it checked: the same records, labelled as the new module's.
    const forged: EncodedFlows = { ...enc, moduleHash: enforcer.module.meta.hash };
    const wrong = decisions(enforcer.decideEncoded(forged), FLOWS.length);
    expect(wrong).not.toEqual(expected(AFTER));
    expect(wrong[0]).toMatchObject({ rule: 0 });
    expect(expected(AFTER)[0]).toMatchObject({ action: "allow", rule: 30 });
  });

  test("the same module loaded again (same hash) and a new inventory keep a batch valid", () => {
    const enforcer = enforcerFor(BEFORE);
    const enc = enforcer.encode(FLOWS);
    enforcer.swap(loadModule(moduleBytes(BEFORE)));
    expect(decisions(enforcer.decideEncoded(enc), FLOWS.length)).toEqual(expected(BEFORE));
    const moved: Inventory = { ...INVENTORY, workloads: [{ ...INVENTORY.workloads[0]!, ips: ["10.0.0.9"] }] };
    enforcer.setInventory(moved);
    // Records hold addresses, not endpoint classes: the new inventory applies to the old batch.
    expect(decisions(enforcer.decideEncoded(enc), FLOWS.length)).toEqual(expected(BEFORE, moved));
  });
});

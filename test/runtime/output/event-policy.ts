/**
 * A policy and inventory under which the committed captures give every event type (violation,
 * deny, learn, reset, threat, flow-end), for the NDJSON encoder and writer tests.
 */
import type { Inventory } from "../../../common/schema.js";
import { checkSources, compileModule } from "../../../compiler/pipeline.js";
import { loadModule } from "../../../runtime/index.js";
import { PacketEngine } from "../../../runtime/packet/engine.js";

const POLICY = `policy enc
service db = nv.db.data { mode protect }
service web = nv.web.data { mode monitor }
service dev = nv.dev.data { mode discover }
group names { address "www.example.test", vh:www.example.test }
rule 10 allow db -> db app postgresql
rule 20 deny db -> db app redis
rule 30 allow any -> any port udp/53
rule 40 allow any -> names app http
settings { tls-1.0 on; dns-null-type on }
`;
const INVENTORY: Inventory = {
  workloads: [
    { name: "db-0", namespace: "data", service: "db", labels: { tier: "db" }, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["127.0.0.1", "::1"] },
    { name: "web-\"0\"", namespace: "data", service: "web", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.9"] },
    { name: "dev-0", namespace: "data", service: "dev", labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: ["10.0.0.10"] },
  ],
  nodes: [{ name: "n1", ips: ["10.0.0.1"] }],
  internalSubnets: [],
  serviceExternalIps: [],
};

/** A packet engine with that policy and inventory, every threat detection on. */
export function eventEngine(): PacketEngine {
  const r = checkSources({ "enc.nvp": POLICY }, ["enc.nvp"]);
  return new PacketEngine(loadModule(compileModule(r.model!).bytes), { inventory: INVENTORY, settings: { threats: true } });
}

/**
 * Host ports on the packet path (docs/semantics.md S1.1): crafted captures of connections to a
 * node address on a mapped host port, written as a classic pcap, read back and replayed through
 * the engine. A workload client gets the mapped workload's verdict (its rule on the container
 * port and application, its mode); an outside client gets the translated flow's; a port the node
 * does not map stays the node's.
 */
import { describe, expect, test } from "vitest";
import { checkSources } from "../../compiler/pipeline.js";
import { evaluate } from "../../compiler/reference/index.js";
import type { Flow, Inventory } from "../../common/schema.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { frameFor, writePcap } from "../../runtime/capture/write.js";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { SYN, conversation, input, ipv4, tcp, udp } from "./craft.js";
import { engineFor, inventory, workload } from "./engine.js";

const POLICY = `policy hostports
service client = nv.client.shop { mode protect }
service web = nv.web.shop { mode monitor }
rule 10 allow client -> web app http port tcp/80
rule 20 allow external -> web port tcp/80
rule 30 deny client -> web port udp/53
`;

const INV: Inventory = inventory(
  [
    workload("client-0", "shop", "client", ["10.0.0.2"]),
    {
      ...workload("web-0", "shop", "web", ["10.0.0.5"]),
      hostPorts: [
        { hostPort: 8080, containerPort: 80, protocol: "tcp" },
        { hostPort: 5353, containerPort: 53, protocol: "udp" },
      ],
    },
  ],
  [{ name: "node-1", ips: ["10.0.1.1"] }],
);

const http = "GET / HTTP/1.1\r\nHost: web\r\n\r\n";
const reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

interface Crafted {
  name: string;
  packets: PacketInput[];
  flow: Flow;
  /** The verdict S1.1 gives: action, rule. */
  want: [string, number];
}

function crafted(t0: number): Crafted[] {
  const talk = (client: string, server: string, port: number) =>
    conversation({ client, server, cport: 40000 + t0, sport: port, messages: [[true, http], [false, reply]], t0 });
  return [
    { name: "a workload's HTTP to node:8080 is the web pod's rule 10 on port 80", packets: talk("10.0.0.2", "10.0.1.1", 8080), flow: { src: "10.0.0.2", dst: "10.0.1.1", proto: "tcp", port: 8080, app: "http", host: "web" }, want: ["allow", 10] },
    { name: "UDP to node:5353 meets deny rule 30, softened by the web pod's monitor mode", packets: [input(ipv4("10.0.0.2", "10.0.1.1", 17, udp(40001, 5353, "x")), t0)], flow: { src: "10.0.0.2", dst: "10.0.1.1", proto: "udp", port: 5353 }, want: ["violate", 30] },
    { name: "an unmapped node port is the node's: the client's Protect denies", packets: [input(ipv4("10.0.0.2", "10.0.1.1", 6, tcp(40002, 8081, SYN)), t0)], flow: { src: "10.0.0.2", dst: "10.0.1.1", proto: "tcp", port: 8081 }, want: ["deny", 0] },
    { name: "an outside client's SYN to node:8080 is the translated flow to web:80 (rule 20)", packets: [input(ipv4("198.51.100.9", "10.0.1.1", 6, tcp(40003, 8080, SYN)), t0)], flow: { src: "198.51.100.9", dst: "10.0.1.1", proto: "tcp", port: 8080 }, want: ["allow", 20] },
  ];
}

function throughPcap(packets: PacketInput[]): PacketInput[] {
  const bytes = writePcap(packets.map((p) => ({ ts: p.ts, data: frameFor(1, p.data) })), 1);
  return parseCaptureBuffer(bytes).packets;
}

describe("captures to a node's host port replay as the mapped workload's flows", () => {
  const model = checkSources({ "hostports.nvp": POLICY }, ["hostports.nvp"]).model!;
  test.each(crafted(0).map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = crafted(i * 1000)[i]!;
    const engine = engineFor(POLICY, { inventory: INV });
    engine.process(throughPcap(c.packets));
    engine.flush();
    const end = engine.drainEvents().filter((e) => e.type === "flow-end");
    expect(end).toHaveLength(1);
    const ref = evaluate(model, { inventory: INV, dns: {} }, c.flow);
    expect([end[0]!.action, end[0]!.rule]).toEqual([ref.action, ref.rule]);
    expect([ref.action, ref.rule]).toEqual(c.want);
  });
});

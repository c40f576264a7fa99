/**
 * NeuVector fidelity on the packet path (docs/semantics.md S3.1, S4, S5): crafted captures — ICMP
 * echo, GRE, link-local peers, node peers, a Service cluster IP, an internal-subnet address and HTTP with X-Forwarded-For in both directions — are
 * written as a classic pcap, read back by the capture reader and replayed through the engine; each
 * flow's final verdict must be the reference evaluator's and the one NeuVector's code gives.
 */
import { describe, expect, test } from "vitest";
import { checkSources } from "../../compiler/pipeline.js";
import { evaluate } from "../../compiler/reference/index.js";
import type { Flow } from "../../common/schema.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { frameFor, writePcap } from "../../runtime/capture/write.js";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { SYN, conversation, icmp, input, ipv4, tcp } from "./craft.js";
import { engineFor, inventory, workload } from "./engine.js";

const POLICY = (settings: string) => `policy fidelity
service web = nv.web.shop { mode protect }
service ingress = nv.ingress.shop { mode protect }
group meta { address 169.254.169.254 }
group blocked { address 203.0.113.0/24 }
rule 10 deny web -> meta
rule 20 deny blocked -> any
rule 30 allow ingress, external -> web app http
rule 40 allow web -> external app http
rule 50 deny nodes -> web
rule 60 allow nodes -> web port tcp/10250
rule 70 deny web -> nv.ip.api.shop
group dbnet { address 10.20.0.0/16 }
rule 80 deny web -> dbnet
${settings}`;

const INV = {
  ...inventory([workload("web-1", "shop", "web", ["10.0.0.2"]), workload("ingress-1", "shop", "ingress", ["10.0.0.1"])], [{ name: "node-1", ips: ["10.0.1.1"] }]),
  services: [{ name: "api", namespace: "shop", ips: ["10.96.0.10"], endpoints: ["10.0.0.3"] }],
  internalSubnets: ["10.20.0.0/16"],
};

const http = (xff?: string) => `GET / HTTP/1.1\r\nHost: web\r\n${xff ? `X-Forwarded-For: ${xff}\r\n` : ""}\r\n`;
const reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

interface Crafted {
  name: string;
  packets: PacketInput[];
  /** The flow as the packets reveal it, for the reference evaluator. */
  flow: Flow;
  /** What NeuVector's code gives (action, rule). */
  nv: [string, number];
}

function crafted(t0: number): Crafted[] {
  const talk = (client: string, server: string, port: number, xff?: string) =>
    conversation({ client, server, cport: 40000 + t0, sport: port, messages: [[true, http(xff)], [false, reply]], t0 });
  return [
    { name: "ICMP echo into Protect, icmp-policy off: default pass", packets: [input(ipv4("198.51.100.9", "10.0.0.2", 1, icmp(8, 0, 7, 1)), t0)], flow: { src: "198.51.100.9", dst: "10.0.0.2", proto: "icmp" }, nv: ["allow", 0] },
    { name: "GRE is never looked up", packets: [input(ipv4("10.0.0.2", "198.51.100.9", 47, new Uint8Array(8)), t0)], flow: { src: "10.0.0.2", dst: "198.51.100.9", proto: 47 }, nv: ["allow", 0] },
    { name: "link-local metadata is open before rule 10", packets: talk("10.0.0.2", "169.254.169.254", 80), flow: { src: "10.0.0.2", dst: "169.254.169.254", proto: "tcp", port: 80, app: "http", host: "web" }, nv: ["allow", 0] },
    { name: "a node reaching the Protect pod: its deny rule 50 comes after rule 60", packets: [input(ipv4("10.0.1.1", "10.0.0.2", 6, tcp(40001, 10250, SYN)), t0)], flow: { src: "10.0.1.1", dst: "10.0.0.2", proto: "tcp", port: 10250 }, nv: ["allow", 60] },
    { name: "a node reaching the Protect pod on another port: the moved deny rule 50", packets: [input(ipv4("10.0.1.1", "10.0.0.2", 6, tcp(40002, 22, SYN)), t0)], flow: { src: "10.0.1.1", dst: "10.0.0.2", proto: "tcp", port: 22 }, nv: ["deny", 50] },
    { name: "a Service cluster IP on kubernetes: open at the client despite deny rule 70", packets: [input(ipv4("10.0.0.2", "10.96.0.10", 6, tcp(40003, 8080, SYN)), t0)], flow: { src: "10.0.0.2", dst: "10.96.0.10", proto: "tcp", port: 8080 }, nv: ["allow", 0] },
    { name: "ingress HTTP with a blocked XFF client is denied", packets: talk("10.0.0.1", "10.0.0.2", 80, "203.0.113.7"), flow: { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 80, app: "http", host: "web", xff: "203.0.113.7" }, nv: ["deny", 20] },
    { name: "an internal-subnet address on kubernetes: open at the client despite deny rule 80", packets: [input(ipv4("10.0.0.2", "10.20.0.9", 6, tcp(40004, 5432, SYN)), t0)], flow: { src: "10.0.0.2", dst: "10.20.0.9", proto: "tcp", port: 5432 }, nv: ["allow", 0] },
    { name: "egress HTTP with the same XFF header is decided once", packets: talk("10.0.0.2", "198.51.100.80", 80, "203.0.113.7"), flow: { src: "10.0.0.2", dst: "198.51.100.80", proto: "tcp", port: 80, app: "http", host: "web", xff: "203.0.113.7" }, nv: ["allow", 40] },
  ];
}

/** Write the packets as a pcap (Ethernet) and read them back, as `nvp replay` would. */
function throughPcap(packets: PacketInput[]): PacketInput[] {
  const bytes = writePcap(packets.map((p) => ({ ts: p.ts, data: frameFor(1, p.data) })), 1);
  return parseCaptureBuffer(bytes).packets;
}

describe("crafted captures through the packet path agree with the reference and NeuVector", () => {
  const model = checkSources({ "fidelity.nvp": POLICY("") }, ["fidelity.nvp"]).model!;
  test.each(crafted(0).map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const c = crafted(i * 1000)[i]!;
    const engine = engineFor(POLICY(""), { inventory: INV });
    engine.process(throughPcap(c.packets));
    engine.flush();
    const end = engine.drainEvents().filter((e) => e.type === "flow-end");
    expect(end).toHaveLength(1);
    const want = evaluate(model, { inventory: INV, dns: {} }, c.flow);
    expect([end[0]!.action, end[0]!.rule]).toEqual([want.action, want.rule]);
    expect([want.action, want.rule]).toEqual(c.nv);
  });

  test("with icmp-policy on, link-local-policy on and platform openshift the captures are decided as those settings say", () => {
    const text = POLICY("settings { icmp-policy on; link-local-policy on; platform openshift }");
    const cases = crafted(0);
    const got = [0, 2, 4, 5, 7].map((i) => {
      const engine = engineFor(text, { inventory: INV });
      engine.process(throughPcap(cases[i]!.packets));
      engine.flush();
      const end = engine.drainEvents().find((e) => e.type === "flow-end")!;
      return [end.action, end.rule];
    });
    expect(got).toEqual([
      ["deny", 0],
      ["deny", 10],
      ["allow", 0], // a node into a pod: on openshift only the source's egress would be checked
      ["deny", 70],
      ["deny", 80],
    ]);
  });
});

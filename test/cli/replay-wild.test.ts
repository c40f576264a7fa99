/**
 * `nvp replay` on captures from the wild (test/fixtures/wild): VLAN copies of one connection stay
 * three flows (through the pcap frame reader and the general one), tunnelled flows name their
 * tunnel, and frames and packets not decoded are counted by kind in the summary
 * (docs/formats.md "Replay output records").
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";

const wild = join(import.meta.dirname, "../fixtures/wild");

async function replay(files: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "nvp-replay-wild-"));
  writeFileSync(join(dir, "allow.nvp"), "rule 10 allow any -> any\n");
  const io = memoryIo(dir);
  const code = await main(["replay", "--policy", "allow.nvp", ...files.map((f) => join(wild, f)), "--flows", "flows.ndjson"], io);
  const flows = readFileSync(join(dir, "flows.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  return { code, out: io.stdout, err: io.stderr, flows };
}

test("one connection copied on VLAN 0, 42 and QinQ 10/20 is three flow records, each with its VLAN", async () => {
  const r = await replay(["vlan-collisions.pcap"]);
  expect(r.code).toBe(0);
  expect(r.flows.map((f) => [f.vlan, f.innerVlan, f.app, f.confidence])).toEqual([
    [undefined, undefined, "Apache", "certain"],
    [42, undefined, "Apache", "certain"],
    [10, 20, "Apache", "certain"],
  ]);
  // One capture: no capture field (the file is the one given).
  expect(r.flows.every((f) => !("capture" in f))).toBe(true);
});

test("several captures: tunnels in the records; frames and packets not decoded, by kind", async () => {
  const r = await replay(["pppoe.pcap", "tunnels-vxlan.pcap", "tunnels-vxlan-encapsulated-http.pcap"]);
  expect(r.code).toBe(0);
  const http = r.flows.find((f) => f.app === "HTTP")!;
  expect(http).toMatchObject({ capture: join(wild, "tunnels-vxlan-encapsulated-http.pcap"), dst: { port: 80 }, confidence: "certain", tunnel: { type: "vxlan", id: 1, src: "10.1.200.131", dst: "10.1.1.172" } });
  // Each record names the capture its flow began in (the first key).
  expect(new Set(r.flows.map((f) => f.capture)).size).toBeGreaterThan(1);
  expect(r.flows.every((f) => Object.keys(f)[0] === "capture")).toBe(true);
  // PPPoE discovery and LCP/IPCP are no IP; VXLAN carrying ARP is a tunnel with no IP inside.
  const line = r.out.split("\n").find((l) => l.includes("not decoded"))!;
  expect(line).toMatch(/pppoe-discovery 4/);
  expect(line).toMatch(/pppoe-session 36/);
  expect(line).toMatch(/tunnel-not-ip 2/);
});

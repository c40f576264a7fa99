/**
 * `nvp replay` on captures from the wild (test/fixtures/wild): VLAN copies of one connection stay
 * three flows, tunnelled flows name their tunnel, several captures name their file in each record,
 * and frames not decoded are counted by reason in the summary (docs/formats.md "Replay output records").
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
});

test("several captures: each record names its file; tunnels, and frames not decoded by reason", async () => {
  // In time order (2010, 2016, 2021), as rotated capture files come: the engine's clock only moves forward.
  const r = await replay(["pppoe.pcap", "tunnels-vxlan.pcap", "tunnels-vxlan-encapsulated-http.pcap"]);
  expect(r.code).toBe(0);
  const http = r.flows.find((f) => f.app === "HTTP")!;
  expect(http).toMatchObject({ capture: join(wild, "tunnels-vxlan-encapsulated-http.pcap"), dst: { port: 80 }, tunnel: { type: "vxlan" } });
  expect(new Set(r.flows.map((f) => f.capture)).size).toBeGreaterThan(1);
  // PPPoE discovery and LCP/IPCP are no IP; VXLAN carrying ARP is a tunnel with no IP inside.
  expect(r.out).toMatch(/^not decoded {3}ppp-control 36, pppoe-discovery 4, tunnel-not-ip 2; 20 packets decoded inside tunnels$/m);
});

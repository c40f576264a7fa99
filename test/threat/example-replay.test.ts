/**
 * The threats example (examples/threats, docs/threats.md "Replaying a capture") works as the docs
 * show: `nvp replay` of a threat capture with its policy and inventory lists the threat, Protect
 * denies, and --fail-on-threat exits 4; a look-alike capture reports nothing and exits 0.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";

const root = join(import.meta.dirname, "../..");
const base = ["replay", "--policy", "examples/threats/threats.nvp", "--inventory", "examples/threats/inventory.yaml"];

async function replay(file: string, ...extra: string[]) {
  const io = memoryIo(root);
  const code = await main([...base, `test/fixtures/threats/${file}`, ...extra], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("examples/threats with nvp replay", () => {
  test("syn-flood.pcap: the flood is listed and denied, --fail-on-threat exits 4", async () => {
    const r = await replay("syn-flood.pcap", "--fail-on-threat");
    expect(r.err).toBe("");
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/^ {2}verdicts {4}allow 799, deny 1; denied 1$/m);
    expect(r.out).toMatch(/^threats {7}TCP\.SYN\.Flood 1 \(deny 1\)$/m);
  });

  test("k8s-mitm.pcap: the Service externalIP from the inventory", async () => {
    const r = await replay("k8s-mitm.pcap");
    expect(r.out).toMatch(/^threats {7}K8S\.externalIPs\.MitM 1 \(deny 1\)$/m);
  });

  test("syn-700.pcap: below the threshold, nothing", async () => {
    const r = await replay("syn-700.pcap", "--fail-on-threat");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^threats {7}none$/m);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";

const root = join(import.meta.dirname, "../..");
const caps = join(root, "test/fixtures/captures");

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-replay-"));
  writeFileSync(join(dir, "inv.yaml"), 'workloads:\n  - {name: postgres-0, namespace: data, service: postgres, node: n1, ips: [127.0.0.1, "::1"]}\n');
  writeFileSync(join(dir, "allow.nvp"), "service db = nv.postgres.data { mode protect }\nrule 10 allow db -> db app postgresql port tcp/5432\n");
  writeFileSync(join(dir, "deny.nvp"), "service db = nv.postgres.data { mode protect }\nrule 10 deny db -> db app postgresql\nrule 20 allow db -> db\n");
  return dir;
}

async function run(args: string[], cwd: string) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("nvp replay", () => {
  test("a clean capture: summary by rule and application, NDJSON events and flow records, exit 0", async () => {
    const dir = scratch();
    const r = await run(["replay", "--policy", "allow.nvp", "--inventory", "inv.yaml", join(caps, "postgresql.pcap"), "--flows", "flows.ndjson", "--events", "events.ndjson", "--format", "json"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.flowsByRule["rule 10"]).toBeGreaterThanOrEqual(2);
    expect(s.applications["PostgreSQL"]).toBeGreaterThanOrEqual(2);
    expect(s.denied).toBe(0);
    const flows = readFileSync(join(dir, "flows.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(flows.length).toBe(s.flows);
    expect(flows.find((f) => f.rule === 10)).toMatchObject({ type: "flow-end", action: "allow", app: "PostgreSQL", src: { name: "data/postgres-0" } });
  });

  test("a deny after the application is identified resets the flow and exits 3 (compiled module input)", async () => {
    const dir = scratch();
    expect((await run(["compile", "deny.nvp", "-o", "deny.wasm"], dir)).code).toBe(0);
    const r = await run(["replay", "--module", "deny.wasm", "--inventory", "inv.yaml", join(caps, "postgresql.pcap"), "--events", "events.ndjson"], dir);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/denied [1-9]/);
    const events = readFileSync(join(dir, "events.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === "reset" && e.rule === 10)).toBe(true);
  });

  test("a truncated capture is an error (exit 2) naming the packets replayed before the cut and its offset", async () => {
    const dir = scratch();
    const bytes = readFileSync(join(caps, "postgresql.pcap"));
    writeFileSync(join(dir, "cut.pcap"), bytes.subarray(0, bytes.length - 7));
    const r = await run(["replay", "--policy", "allow.nvp", "--inventory", "inv.yaml", "cut.pcap"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: cut\.pcap: truncated packet record: .* at byte \d+; 33 packets before it were replayed/m);
    expect(r.out).toMatch(/^packets +33 /m);
  });

  test("a capture fault wins over denied packets and threats (exit 2, not 3 or 4); an empty capture is an error", async () => {
    const dir = scratch();
    const bytes = readFileSync(join(caps, "postgresql.pcap"));
    writeFileSync(join(dir, "cut.pcap"), bytes.subarray(0, bytes.length - 7));
    const denied = await run(["replay", "--policy", "deny.nvp", "--inventory", "inv.yaml", join(caps, "postgresql.pcap")], dir);
    expect(denied.code).toBe(3);
    const r = await run(["replay", "--policy", "deny.nvp", "--inventory", "inv.yaml", join(caps, "postgresql.pcap"), "cut.pcap", "--fail-on-threat", "--format", "json"], dir);
    expect(JSON.parse(r.out).denied).toBeGreaterThan(0);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: cut\.pcap: truncated packet record: .*; 33 packets before it were replayed$/m);
    writeFileSync(join(dir, "empty.pcap"), "");
    const e = await run(["replay", "--policy", "allow.nvp", "--inventory", "inv.yaml", "empty.pcap"], dir);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/^error: empty\.pcap: the capture is empty at byte 0; 0 packets before it were replayed$/m);
  });

  test("a file that is no capture is an error with exit 2; a bad module is refused with exit 1", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "junk.pcap"), "this is not a capture at all\n");
    const r = await run(["replay", "--policy", "allow.nvp", "junk.pcap"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: junk\.pcap: not a pcap or pcapng capture .* at byte 0; 0 packets before it were replayed$/m);
    writeFileSync(join(dir, "bad.wasm"), "nope");
    const m = await run(["replay", "--module", "bad.wasm", join(caps, "postgresql.pcap")], dir);
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/^error\[NV54\d\d\]/);
  });

  test("--port-guess names a flow content left unknown by its port, in the flow record only", async () => {
    const dir = scratch();
    // 64 random bytes to a real PostgreSQL server: ruled out by every parser before the answer.
    const cap = join(caps, "neg-random-5432.pcap");
    const plain = await run(["replay", cap, "--flows", "plain.ndjson"], dir);
    const guessed = await run(["replay", cap, "--port-guess", "--flows", "guessed.ndjson"], dir);
    expect([plain.code, guessed.code]).toEqual([0, 0]);
    const read = (f: string) => readFileSync(join(dir, f), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(read("plain.ndjson").map((f) => [f.app, f.confidence, f.unidentified?.reason])).toEqual([["unknown", undefined, "one-sided"]]);
    expect(read("guessed.ndjson").map((f) => [f.app, f.confidence, f.unidentified])).toEqual([["PostgreSQL", "port-guess", undefined]]);
  });

  test("not both --module and --policy", async () => {
    const dir = scratch();
    expect((await run(["compile", "allow.nvp", "-o", "allow.wasm"], dir)).code).toBe(0);
    const r = await run(["replay", "--module", "allow.wasm", "--policy", "allow.nvp", join(caps, "postgresql.pcap")], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not both/);
  });
});

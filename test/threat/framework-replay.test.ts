/**
 * `nvp replay` and threats: the summary lists threats by name with their counts and actions
 * (human and --format json), --events writes the threat events, and --fail-on-threat exits 4
 * when any threat was reported (over 3 for denied packets), 0 or 3 without it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";
import { LINKTYPE, frameFor, writePcap } from "../../runtime/capture/index.js";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { SYN, conversation, input, ip, mssOption, tcp } from "../packet/craft.js";
import { OUTSIDE, WEB, threatPolicy } from "../packet/threats.js";

function pcap(packets: PacketInput[]): Uint8Array {
  return writePcap(packets.map((p) => ({ ts: p.ts, data: frameFor(LINKTYPE.ETHERNET, p.data) })), LINKTYPE.ETHERNET, { nanos: true });
}

function scratch(mode: "monitor" | "protect"): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-replay-threats-"));
  writeFileSync(join(dir, "inv.yaml"), `workloads:\n  - {name: web-1, namespace: shop, service: web, node: n1, ips: [${WEB}]}\n`);
  writeFileSync(join(dir, "p.nvp"), threatPolicy(mode));
  const small = (port: number, ms: number) => input(ip(OUTSIDE, WEB, 6, tcp(port, 80, SYN, "", { options: mssOption(48) })), ms);
  const ssh = conversation({ client: OUTSIDE, server: WEB, cport: 40000, sport: 22, t0: 10, messages: [[false, "SSH-1.5-old\r\n"], [true, "SSH-1.5-c\r\n"]] });
  writeFileSync(join(dir, "attack.pcap"), pcap([small(4000, 1), small(4001, 2), ...ssh]));
  writeFileSync(join(dir, "clean.pcap"), pcap(conversation({ client: OUTSIDE, server: WEB, cport: 40001, sport: 80, messages: [[true, "GET / HTTP/1.1\r\nHost: web\r\n\r\n"]] })));
  return dir;
}

async function run(args: string[], cwd: string) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe("nvp replay and threats", () => {
  test("Monitor: the summary lists them, --events writes them, --fail-on-threat exits 4", async () => {
    const dir = scratch("monitor");
    const base = ["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", "attack.pcap"];
    const plain = await run([...base, "--events", "events.ndjson"], dir);
    expect(plain.err).toBe("");
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^threats {7}TCP\.Small\.MSS 2 \(report 2\), SSH\.Version\.1 1 \(report 1\)$/m);
    const events = readFileSync(join(dir, "events.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === "threat").map((e) => [e.slug, e.action, e.evidence])).toEqual([
      ["tcp-small-mss", "report", "mss 48"],
      ["tcp-small-mss", "report", "mss 48"],
      ["ssh-v1", "report", "SSH-1.5-old"],
    ]);
    expect((await run([...base, "--fail-on-threat"], dir)).code).toBe(4);
    const clean = await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", "clean.pcap", "--fail-on-threat"], dir);
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/^threats {7}none$/m);
  });

  test("Protect: threats deny (exit 3), --fail-on-threat wins with 4; JSON summary", async () => {
    const dir = scratch("protect");
    const base = ["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", "attack.pcap", "--format", "json"];
    const r = await run(base, dir);
    expect(r.code).toBe(3);
    const s = JSON.parse(r.out);
    expect(s.threats).toEqual({ "TCP.Small.MSS": { count: 2, actions: { deny: 2 } }, "SSH.Version.1": { count: 1, actions: { report: 1 } } });
    expect(s.threatsReported).toBe(3);
    expect(s.stats.threats).toEqual({ reported: 3, blockedFlows: 2, byThreat: { "ssh-v1": 1, "tcp-small-mss": 2 }, streamGaps: 0 });
    expect(s.verdicts.deny).toBe(2);
    expect((await run([...base, "--fail-on-threat"], dir)).code).toBe(4);
  });

  test("--help documents the exit codes", async () => {
    const r = await run(["replay", "--help"], process.cwd());
    expect(r.out).toMatch(/4 a threat was reported \(with\s+--fail-on-threat\)/);
    expect(r.out).toMatch(/--fail-on-threat/);
  });
});

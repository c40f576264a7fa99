/**
 * `nvp replay`'s summary adds up: every figure checked against counts taken independently from
 * the --events and --flows files and from the captures themselves; frames that are not decoded are
 * named by kind; replay without a policy identifies only; --top; the no-inventory warning.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";
import { frameFor, LINKTYPE, parseCaptureBuffer, writePcap } from "../../runtime/capture/index.js";
import { ipv4, tcp, SYN } from "../packet/craft.js";

const root = join(import.meta.dirname, "../..");
const caps = join(root, "test/fixtures/captures");
const threats = join(root, "test/fixtures/threats");
const CAPTURES = [join(caps, "postgresql.pcap"), join(caps, "redis.pcap"), join(caps, "mysql-access-denied.pcap"), join(threats, "dns-axfr.pcap")];

async function run(args: string[], cwd: string) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-replay-sum-"));
  writeFileSync(
    join(dir, "inv.yaml"),
    'workloads:\n  - {name: db-0, namespace: data, service: db, node: n1, ips: [127.0.0.1, "::1"]}\n  - {name: dns-0, namespace: data, service: dns, node: n1, ips: [10.0.0.9, 10.0.0.10]}\n',
  );
  // db (Protect): Redis denied once identified (deny, reset, denied packets), MySQL denied by no
  // rule; dns (Monitor): the zone transfer over TCP matches no rule (violations) and is a threat.
  writeFileSync(
    join(dir, "p.nvp"),
    "policy sums\nservice db = nv.db.data { mode protect }\nservice dns = nv.dns.data { mode monitor }\nrule 10 allow db -> db app postgresql\nrule 20 deny db -> db app redis\nrule 30 allow any -> any port udp/53\n",
  );
  return dir;
}

const lines = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const countBy = <T>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});

describe("nvp replay summary", () => {
  test("every figure matches the events and flows files and the captures", async () => {
    const dir = scratch();
    const r = await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", ...CAPTURES, "--events", "ev.ndjson", "--flows", "fl.ndjson", "--format", "json"], dir);
    const s = JSON.parse(r.out);
    const events = lines(join(dir, "ev.ndjson"));
    const flows = lines(join(dir, "fl.ndjson"));
    // Packets: what the captures hold, all of them given a verdict.
    const inCaptures = CAPTURES.reduce((n, f) => n + parseCaptureBuffer(readFileSync(f)).packets.length, 0);
    expect(s.packets).toBe(inCaptures);
    expect(Object.values(s.verdicts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(inCaptures);
    expect(s.denied).toBe(s.verdicts.deny);
    // Flows: the flow records.
    expect(s.flows).toBe(flows.length);
    expect(flows.every((f) => f["type"] === "flow-end")).toBe(true);
    expect(s.flowsByRule).toEqual(countBy(flows, (f) => (f["rule"] === 0 ? "implicit" : `rule ${f["rule"]}`)));
    expect(s.applications).toEqual(countBy(flows, (f) => String(f["app"] ?? "unknown")));
    // Events: the events file, by type; violations are violation events only.
    const byType = countBy(events, (e) => String(e["type"]));
    for (const t of ["violation", "deny", "learn", "reset", "threat"]) expect([t, s.events[t]]).toEqual([t, byType[t] ?? 0]);
    expect(s.events["flow-end"]).toBe(flows.length);
    expect(s.violations).toBe(byType["violation"] ?? 0);
    expect(s.threatsReported).toBe(byType["threat"] ?? 0);
    const threatNames = countBy(events.filter((e) => e["type"] === "threat"), (e) => String(e["threat"]));
    expect(Object.fromEntries(Object.entries(s.threats as Record<string, { count: number }>).map(([k, v]) => [k, v.count]))).toEqual(threatNames);
    // The fixture set exercises each kind of figure.
    expect(s.denied).toBeGreaterThan(0);
    expect(byType["reset"]).toBeGreaterThan(0);
    expect(byType["violation"]).toBeGreaterThan(0);
    expect(s.threatsReported).toBeGreaterThan(0);
    expect(r.code).toBe(3);
    // The human summary prints the same figures on labelled lines.
    const h = await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", ...CAPTURES], dir);
    expect(h.out).toMatch(new RegExp(`^packets +${inCaptures} \\(`, "m"));
    expect(h.out).toMatch(new RegExp(`^  verdicts .*; denied ${s.denied}$`, "m"));
    expect(h.out).toMatch(new RegExp(`^flows +${flows.length}$`, "m"));
    expect(h.out).toMatch(new RegExp(`^events .*; violations ${s.violations}$`, "m"));
  });

  test("frames that are not decoded are counted by kind, never skipped silently", async () => {
    const dir = scratch();
    const arp = new Uint8Array(42);
    arp.set([0x08, 0x06], 12);
    const lldp = new Uint8Array(60);
    lldp.set([0x88, 0xcc], 12);
    const syn = frameFor(LINKTYPE.ETHERNET, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1234, 80, SYN)));
    const badIhl = frameFor(LINKTYPE.ETHERNET, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1235, 80, SYN)));
    badIhl[14] = 0x41; // IHL 4: malformed
    writeFileSync(join(dir, "mixed.pcap"), writePcap([arp, arp, lldp, syn, badIhl].map((data, i) => ({ data, ts: BigInt(i) * 1000n })), LINKTYPE.ETHERNET));
    const r = await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", "mixed.pcap", "--format", "json"], dir);
    const s = JSON.parse(r.out);
    expect(s.notDecoded).toEqual({ "not ip: arp": 2, "not ip: lldp": 1, "malformed: bad-ihl": 1 });
    expect(s.verdicts.skip).toBe(4);
    const h = await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", "mixed.pcap"], dir);
    expect(h.out).toMatch(/^  not decoded not ip: arp 2, malformed: bad-ihl 1, not ip: lldp 1$/m);
  });

  test("without a policy it identifies and reports, with a --top table of applications", async () => {
    const dir = scratch();
    const r = await run(["replay", ...CAPTURES.slice(0, 2), "--top", "--flows", "fl.ndjson"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/verdicts|by rule|allow-all/);
    const flows = lines(join(dir, "fl.ndjson"));
    const table = r.out.slice(r.out.indexOf("application"));
    expect(table.split("\n")[0]).toMatch(/^application +flows +packets +bytes$/);
    for (const app of ["PostgreSQL", "Redis"]) {
      const mine = flows.filter((f) => f["app"] === app);
      const packets = mine.reduce((n, f) => n + (f["packets"] as number[])[0]! + (f["packets"] as number[])[1]!, 0);
      const bytes = mine.reduce((n, f) => n + (f["bytes"] as number[])[0]! + (f["bytes"] as number[])[1]!, 0);
      expect(table).toMatch(new RegExp(`^${app} +${mine.length} +${packets} +${bytes}$`, "m"));
    }
    const j = JSON.parse((await run(["replay", ...CAPTURES.slice(0, 2), "--top", "1", "--format", "json"], dir)).out);
    expect(j.mode).toBe("identify");
    expect(j.top).toHaveLength(1);
    expect((await run(["replay", CAPTURES[0]!, "--top", "zero"], dir)).code).toBe(2);
  });

  test("a policy without an inventory warns once that every address is external", async () => {
    const dir = scratch();
    const r = await run(["replay", "--policy", "p.nvp", ...CAPTURES.slice(0, 2)], dir);
    expect(r.err.match(/warning: no --inventory: every address is external/g)).toHaveLength(1);
    expect((await run(["replay", "--policy", "p.nvp", "--inventory", "inv.yaml", CAPTURES[0]!], dir)).err).toBe("");
  });
});

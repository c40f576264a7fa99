/**
 * The flow store's ingest: what `nvp replay --store` and `nvp ingest` write, runs accumulating,
 * one transaction per ingest (a bad file leaves the store as it was), and the Parquet export.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { flowsPage, FlowStore, ingestRun, parseFilter, STORE_CODES, StoreError } from "../../runtime/store/index.js";
import { clusterFixture, INVENTORY, nvp, type Fixture } from "./fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await clusterFixture();
});

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const counts = async (store: FlowStore) => Object.fromEntries(await Promise.all(["runs", "captures", "flows", "events", "threats", "workloads", "services", "dns"].map(async (t) => [t, Number((await store.query(`SELECT count(*) AS n FROM ${t}`))[0]!["n"])])));

async function withStore<T>(path: string, body: (s: FlowStore) => Promise<T>): Promise<T> {
  const s = await FlowStore.open(path);
  try {
    return await body(s);
  } finally {
    s.close();
  }
}

describe("replay --store", () => {
  test("stores every flow record and event the replay wrote as NDJSON, with policy, inventory and snooped DNS", async () => {
    const flows = lines(fx.flows);
    const events = lines(fx.events);
    await withStore(fx.store, async (s) => {
      const c = await counts(s);
      expect(c["flows"]).toBe(flows.length);
      expect(c["events"] + c["threats"]).toBe(events.length);
      expect(c["threats"]).toBe(events.filter((e) => e["type"] === "threat").length);
      expect(c["threats"]).toBeGreaterThan(0);
      expect(c["services"]).toBe(6);
      expect(c["workloads"]).toBe(9);
      const dns = await s.query("SELECT name, ip FROM dns ORDER BY name");
      expect(dns).toEqual([{ name: "assets.cdn.example.net", ip: "93.184.215.14" }, { name: "canarytokens.com", ip: "52.18.63.80" }]);
      // Byte counts survive exactly: the sum over the store equals the sum over the NDJSON.
      const bytes = flows.reduce((n, f) => n + (f["bytes"] as number[])[0]! + (f["bytes"] as number[])[1]!, 0);
      expect(Number((await s.query("SELECT sum(bytes_out + bytes_in) AS b FROM flows"))[0]!["b"])).toBe(bytes);
      const one = flows.find((f) => f["app"] === "HTTP" && (f["src"] as { kind: string }).kind === "external")!;
      const row = (await s.query("SELECT * FROM flows WHERE flow_id = $1", [one["flow"] as number]))[0]!;
      expect(row).toMatchObject({ capture: fx.capture, src_ip: (one["src"] as { ip: string }).ip, dst_name: (one["dst"] as { name: string }).name, app: "HTTP", rule: one["rule"], action: one["action"], end_reason: one["end"] });
    });
  });

  test("captures of one replay are told apart by flow id", async () => {
    const r = await nvp(["replay", "--module", fx.module, "--inventory", INVENTORY, fx.capture, join(import.meta.dirname, "../fixtures/threats/dns-axfr.pcap"), "--store", "two.duckdb"], fx.dir);
    expect(r.err).toMatch(/stored run 1 in two\.duckdb/);
    await withStore(join(fx.dir, "two.duckdb"), async (s) => {
      const per = await s.query("SELECT capture, count(*) AS n FROM flows GROUP BY capture ORDER BY n DESC");
      expect(per.map((p) => String(p["capture"]).split("/").pop())).toEqual(["cluster.pcap", "dns-axfr.pcap"]);
      expect(per[1]!["n"]).toBeLessThan(5);
    });
  });
});

describe("nvp ingest", () => {
  test("runs accumulate, each tagged with its capture name", async () => {
    const store = join(fx.dir, "acc.duckdb");
    for (const name of ["monday", "tuesday"]) {
      const r = await nvp(["ingest", "--store", store, "--capture", name, "--inventory", INVENTORY, fx.events, fx.flows, "--format", "json"], fx.dir);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ capture: name, flows: lines(fx.flows).length });
    }
    await withStore(store, async (s) => {
      expect(await s.query("SELECT run_id, capture, count(*) AS n FROM flows GROUP BY ALL ORDER BY run_id")).toEqual([
        { run_id: 1, capture: "monday", n: lines(fx.flows).length },
        { run_id: 2, capture: "tuesday", n: lines(fx.flows).length },
      ]);
      expect((await counts(s))["workloads"]).toBe(18);
    });
  });

  test("a file that is not JSON: NV5603, exit 2, and the store keeps exactly what it had (the good file of the same ingest too)", async () => {
    const store = join(fx.dir, "tx.duckdb");
    await nvp(["ingest", "--store", store, fx.flows], fx.dir);
    const bad = join(fx.dir, "bad.ndjson");
    writeFileSync(bad, readFileSync(fx.events, "utf8").split("\n").slice(0, 3).join("\n") + "\n{\"type\": \"flow-end\", oops\n");
    const before = await withStore(store, counts);
    const r = await nvp(["ingest", "--store", store, fx.events, bad], fx.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error\[NV5603\]: `.*bad\.ndjson`: Malformed JSON/);
    expect(r.err).toMatch(/= help: give NDJSON event or flow files/);
    expect(await withStore(store, counts)).toEqual(before);
  });

  test("a record without addresses or with a bad time is refused with its record number (NV5604)", async () => {
    const store = join(fx.dir, "shape.duckdb");
    const good = readFileSync(fx.flows, "utf8").split("\n")[0]!;
    const cases: [string, RegExp][] = [
      [JSON.stringify({ ...JSON.parse(good), src: { port: 1 } }), /record 2 has no `src\.ip` or `dst\.ip`/],
      [JSON.stringify({ ...JSON.parse(good), first: "yesterday" }), /record 2 needs RFC 3339 `first` and `last` times/],
      [JSON.stringify({ ...JSON.parse(good), type: "party" }), /record 2 has an unknown `type` \(type `party`\)/],
      [JSON.stringify({ ...JSON.parse(good), packets: [1] }), /record 2 needs `packets` and `bytes`/],
    ];
    for (const [line, message] of cases) {
      writeFileSync(join(fx.dir, "shape.ndjson"), `${good}\n${line}\n`);
      const r = await nvp(["ingest", "--store", store, "shape.ndjson"], fx.dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/error\[NV5604\]/);
      expect(r.err).toMatch(message);
    }
    await withStore(store, async (s) => expect((await counts(s))["flows"]).toBe(0));
  });

  test("a store written by another schema version is refused (NV5602); a non-store file too (NV5601)", async () => {
    const store = join(fx.dir, "old.duckdb");
    await withStore(store, (s) => s.run("UPDATE meta SET value = '0' WHERE key = 'schema'"));
    const r = await nvp(["ingest", "--store", store, fx.flows], fx.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error\[NV5602\]: the store `.*old\.duckdb` has schema version 0, this nvp reads 2/);
    const r2 = await nvp(["report", "--store", fx.capture, "-o", "x.html"], fx.dir);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/error\[NV5601\]: cannot open the store/);
  });

  test("a version-1 store (no search column) is upgraded in place when written to; read-only it is refused with how", async () => {
    const store = join(fx.dir, "v1.duckdb");
    copyFileSync(fx.store, store);
    await withStore(store, async (s) => {
      await s.run("ALTER TABLE flows DROP COLUMN search");
      await s.run("UPDATE meta SET value = '1' WHERE key = 'schema'");
    });
    const r = await nvp(["report", "--store", store, "-o", "v1.html"], fx.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error\[NV5602\]: the store `.*v1\.duckdb` has schema version 1, this nvp reads 2\n.*\n.*upgraded in place when nvp first writes to it/);
    expect((await nvp(["ingest", "--store", store, "--capture", "again", fx.flows], fx.dir)).code).toBe(0);
    const flows = lines(fx.flows);
    await withStore(store, async (s) => {
      expect((await s.query("SELECT value FROM meta WHERE key = 'schema'"))[0]!["value"]).toBe("2");
      // The old run's rows got their search text as the new run's did: the same flows match.
      const per = await s.query("SELECT run_id, count(*) AS n FROM flows WHERE contains(search, 'payments') GROUP BY run_id ORDER BY run_id");
      const want = flows.filter((f) => JSON.stringify([(f["src"] as { name?: string }).name, (f["dst"] as { name?: string }).name]).includes("payments")).length;
      expect(per).toEqual([{ run_id: 1, n: want }, { run_id: 2, n: want }]);
      expect((await flowsPage(s, parseFilter({ q: "AGAIN" }))).total).toBe(flows.length);
    });
    expect((await nvp(["report", "--store", store, "-o", "v1.html"], fx.dir)).code).toBe(0);
  });

  test("ingestRun rolls back a run whose second capture fails", async () => {
    const s = await FlowStore.open(":memory:");
    try {
      const err = await ingestRun(s, { kind: "ingest" }, [{ capture: "a", files: [fx.flows] }, { capture: "b", files: [join(fx.dir, "missing.ndjson")] }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe(STORE_CODES.input);
      expect(await counts(s)).toMatchObject({ runs: 0, captures: 0, flows: 0 });
    } finally {
      s.close();
    }
  });
});

describe("nvp export-parquet", () => {
  test("writes every table; the Parquet files read back with the same rows", async () => {
    const r = await nvp(["export-parquet", "--store", fx.store, "-o", "pq", "--format", "json"], fx.dir);
    expect(r.code).toBe(0);
    const files = JSON.parse(r.out) as { table: string; file: string; rows: number }[];
    expect(files.map((f) => f.table)).toEqual(["meta", "runs", "captures", "flows", "events", "threats", "workloads", "services", "policy_groups", "dns", "geo"]);
    const s = await FlowStore.open(":memory:");
    try {
      for (const f of files) {
        const back = await s.query("SELECT count(*) AS n FROM read_parquet($1)", [f.file]);
        expect(back[0]!["n"]).toBe(f.rows);
      }
      const flows = files.find((f) => f.table === "flows")!;
      const cols = await s.query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($1))", [flows.file]);
      expect(cols).toContainEqual({ column_name: "first_ts", column_type: "TIMESTAMP_NS" });
      expect(cols).toContainEqual({ column_name: "src_groups", column_type: "VARCHAR[]" });
      // nvp's own search column stays in the store.
      expect(cols.map((c) => c["column_name"])).not.toContain("search");
      expect(cols.map((c) => c["column_name"])).toContain("end_reason");
    } finally {
      s.close();
    }
  });
});

/**
 * `nvp report`, `nvp ingest` and `nvp serve` as commands: what they write and print, their exit
 * codes, and their errors (the store's own behaviour is in test/store/, the server's in
 * test/explorer/).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { clusterFixture, nvp, type Fixture } from "../store/fixture.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await clusterFixture(200);
});

describe("nvp report", () => {
  test("writes one self-contained HTML file: data, ECharts and scripts inlined, nothing loaded from elsewhere", async () => {
    const r = await nvp(["report", "--store", fx.store, "-o", "report.html"], fx.dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote report\.html \(\d+ bytes\)\n$/);
    const html = readFileSync(join(fx.dir, "report.html"), "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/);
    expect(html).toContain("Licensed to the Apache Software Foundation"); // ECharts, inlined with its licence header
    expect(html).toContain("window.NVP_REPORT = {");
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    const data = JSON.parse(/window\.NVP_REPORT = (\{.*?\});<\/script>/s.exec(html)![1]!);
    expect(data.totals.flows).toBe(readFileSync(fx.flows, "utf8").trim().split("\n").length);
  });

  test("--run selects runs; --vulns must be Trivy JSON (NV5606); bad values are usage errors", async () => {
    expect((await nvp(["report", "--store", fx.store, "--run", "1", "-o", "r1.html"], fx.dir)).code).toBe(0);
    expect(JSON.parse(/window\.NVP_REPORT = (\{.*?\});<\/script>/s.exec(readFileSync(join(fx.dir, "r1.html"), "utf8"))![1]!).totals.runs).toBe(1);
    const none = await nvp(["report", "--store", fx.store, "--run", "99", "-o", "r99.html"], fx.dir);
    expect(none.code).toBe(0);
    expect(JSON.parse(/window\.NVP_REPORT = (\{.*?\});<\/script>/s.exec(readFileSync(join(fx.dir, "r99.html"), "utf8"))![1]!).totals.flows).toBe(0);
    expect((await nvp(["report", "--store", fx.store, "--run", "one", "-o", "x.html"], fx.dir)).err).toMatch(/--run expects a run number, got `one`/);
    writeFileSync(join(fx.dir, "notrivy.json"), "[1, 2]");
    const v = await nvp(["report", "--store", fx.store, "--vulns", "notrivy.json", "-o", "x.html"], fx.dir);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/^error\[NV5606\]: `.*notrivy\.json` is not a Trivy report/);
    const missing = await nvp(["report", "--store", join(fx.dir, "nothing.duckdb"), "-o", "x.html"], fx.dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/error\[NV5601\]/);
  });
});

describe("nvp serve", () => {
  test("a bad port or upload size is a usage error; --help names the safety defaults", async () => {
    expect((await nvp(["serve", "--store", "s.duckdb", "--port", "99999"], fx.dir)).err).toMatch(/--port expects 0…65535/);
    expect((await nvp(["serve", "--store", "s.duckdb", "--max-upload", "lots"], fx.dir)).err).toMatch(/--max-upload expects a number of bytes/);
    expect((await nvp(["serve", "--store", "s.duckdb", "--host", "10.0.0.1", "--token", "short"], fx.dir)).err).toMatch(/at least 16 characters/);
    const help = await nvp(["serve", "--help"], fx.dir);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Bound to 127\.0\.0\.1 by\s+default;\s+any\s+other\s+address\s+needs\s+--token/);
  });
});

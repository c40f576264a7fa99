/**
 * `nvp ingest` reads the paths it is given, not DuckDB glob patterns, and streams what is no regular
 * file (a FIFO, a process substitution) once into a temporary copy: a name with glob characters is
 * that file, a missing path and a directory get the input codes, a FIFO of NDJSON is stored whole,
 * and binary data on a FIFO is refused at its first chunk without touching the store.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { InputFileError } from "../../common/input-file.js";
import { ingestSource } from "../../runtime/store/ingest-source.js";
import { FlowStore, ingestRun, StoreError } from "../../runtime/store/index.js";
import { clusterFixture, type Fixture } from "./fixture.js";

let fx: Fixture;
let dir: string;
beforeAll(async () => {
  fx = await clusterFixture();
  dir = mkdtempSync(join(tmpdir(), "nvp-ingest-source-"));
});

const flowCount = async (path: string) => {
  const s = await FlowStore.open(path);
  try {
    return Number((await s.query("SELECT count(*) AS n FROM flows"))[0]!["n"]);
  } finally {
    s.close();
  }
};

describe("ingest sources", () => {
  test("a name with glob characters is read as that file, not as a pattern", async () => {
    const odd = join(dir, "flows[1]*.ndjson");
    copyFileSync(fx.flows, odd);
    const store = join(dir, "glob.duckdb");
    const s = await FlowStore.open(store);
    try {
      const r = await ingestRun(s, { kind: "ingest" }, [{ capture: "odd", files: [odd] }]);
      expect(r.flows).toBe(readFileSync(fx.flows, "utf8").trim().split("\n").length);
    } finally {
      s.close();
    }
  });

  test("a missing path and a directory get the input codes", async () => {
    await expect(ingestSource(join(dir, "nope.ndjson"))).rejects.toMatchObject({ code: "NV5003" });
    await expect(ingestSource(dir)).rejects.toBeInstanceOf(InputFileError);
    await expect(ingestSource(dir)).rejects.toMatchObject({ code: "NV5002" });
  });

  test("a FIFO of NDJSON is copied once and stored whole", async () => {
    const fifo = join(dir, "flows.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `cat ${JSON.stringify(fx.flows)} > ${JSON.stringify(fifo)}`], { stdio: "ignore" });
    const src = await ingestSource(fifo);
    try {
      expect(src.path).not.toBe(fifo);
      expect(readFileSync(src.path)).toEqual(readFileSync(fx.flows));
    } finally {
      src.done();
      writer.kill();
    }
    expect(existsSync(src.path)).toBe(false);
  });

  test("binary data on a FIFO is refused at once and the store keeps what it had", async () => {
    const store = join(dir, "kept.duckdb");
    const s0 = await FlowStore.open(store);
    await ingestRun(s0, { kind: "ingest" }, [{ capture: "good", files: [fx.flows] }]);
    s0.close();
    const before = await flowCount(store);
    const fifo = join(dir, "zero.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `exec cat /dev/zero > ${JSON.stringify(fifo)}`], { stdio: "ignore" });
    const s = await FlowStore.open(store);
    try {
      const err = await ingestRun(s, { kind: "ingest" }, [{ capture: "bad", files: [fx.events, fifo] }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).message).toContain(fifo);
      expect((err as StoreError).message).toContain("binary data");
    } finally {
      s.close();
      writer.kill();
    }
    expect(await flowCount(store)).toBe(before);
  });
});

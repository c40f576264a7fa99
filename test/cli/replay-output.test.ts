/**
 * `nvp replay`'s output files: written beside the target and renamed into place only when the
 * replay finished; a write that fails (ENOSPC from /dev/full) is exit 2 and leaves the other
 * file's old contents and no temporary file; an unwritable path is refused before replaying.
 * All of it both with the files written in the replay's thread and by the writer thread
 * (--output-thread), which write the same bytes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";

const capture = join(import.meta.dirname, "../fixtures/captures/postgresql.pcap");

async function run(args: string[], cwd: string) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

describe.each(["off", "on"])("nvp replay output files, --output-thread %s", (thread) => {
  test("a finished replay puts the file in place and leaves no temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-out-"));
    writeFileSync(join(dir, "flows.ndjson"), "old\n");
    const r = await run(["replay", capture, "--flows", "flows.ndjson", "--output-thread", thread], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "flows.ndjson"), "utf8")).toMatch(/^\{"type":"flow-end"/);
    expect(readdirSync(dir)).toEqual(["flows.ndjson"]);
  });

  test.skipIf(!existsSync("/dev/full"))("a failed write is exit 2 and the other file keeps its old contents", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-out-"));
    writeFileSync(join(dir, "events.ndjson"), "old\n");
    const f = await run(["replay", capture, "--flows", "/dev/full", "--events", "events.ndjson", "--output-thread", thread], dir);
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/^error: cannot write the output: ENOSPC; the files keep their old contents$/m);
    expect(readFileSync(join(dir, "events.ndjson"), "utf8")).toBe("old\n");
    expect(readdirSync(dir)).toEqual(["events.ndjson"]);
  });

  test("a policy with errors (the files open while it compiles) leaves the targets and no temporary file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-out-"));
    writeFileSync(join(dir, "flows.ndjson"), "old\n");
    writeFileSync(join(dir, "bad.nvp"), "policy bad\nrule 10 allow nowhere -> any\n");
    const r = await run(["replay", "--policy", "bad.nvp", capture, "--flows", "flows.ndjson", "--events", "events.ndjson", "--output-thread", thread], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[NV2\d+\]/);
    expect(readFileSync(join(dir, "flows.ndjson"), "utf8")).toBe("old\n");
    expect(readdirSync(dir).sort()).toEqual(["bad.nvp", "flows.ndjson"]);
  });

  test("an output path that cannot be opened is refused before anything is replayed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-out-"));
    mkdirSync(join(dir, "sub"));
    const r = await run(["replay", capture, "--flows", "sub", "--output-thread", thread], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: cannot write `sub`: EISDIR/m);
    expect(r.out).toBe("");
    const m = await run(["replay", capture, "--flows", "missing/flows.ndjson", "--output-thread", thread], dir);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/^error: cannot write `missing\/flows\.ndjson`: ENOENT/m);
  });
});

describe("nvp replay --output-thread", () => {
  test("the writer thread writes the same files as the replay's thread, for several captures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-out-"));
    const captures = ["postgresql.pcap", "mongodb.pcap", "redis.pcap"].map((f) => join(import.meta.dirname, "../fixtures/captures", f));
    const files = async (thread: string) => {
      const r = await run(["replay", ...captures, "--flows", `flows-${thread}.ndjson`, "--events", `events-${thread}.ndjson`, "--output-thread", thread], dir);
      expect(r.code).toBe(0);
      return [readFileSync(join(dir, `flows-${thread}.ndjson`), "utf8"), readFileSync(join(dir, `events-${thread}.ndjson`), "utf8")];
    };
    const off = await files("off");
    expect(off[0]).toMatch(/^\{"capture":"[^"]*postgresql\.pcap","type":"flow-end"/);
    expect(await files("on")).toEqual(off);
  });

  test("anything but on, off or auto is a usage error", async () => {
    const r = await run(["replay", capture, "--flows", "f.ndjson", "--output-thread", "yes"], mkdtempSync(join(tmpdir(), "nvp-out-")));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--output-thread takes on, off or auto, not `yes`/);
  });
});

// The bounded reader (issue 10, item 2): a regular file is refused from its size, a device or FIFO
// after `limit` bytes, a directory by name. The limits here are small so each case reads little.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { INPUT_FILE_CODES, InputFileError, readInputFile, readInputText } from "../../common/input-file.js";
import { thrown } from "../thrown.js";

const dir = mkdtempSync(join(tmpdir(), "nvp-input-"));

const refusal = (f: () => unknown) => thrown(f, InputFileError);

describe("readInputFile", () => {
  test("reads a file within the limit exactly, at the limit too", () => {
    writeFileSync(join(dir, "ok.txt"), "hello\n");
    expect(readInputText(join(dir, "ok.txt"), { limit: 6 })).toBe("hello\n");
    expect(readInputFile(join(dir, "ok.txt")).length).toBe(6);
  });

  test("a regular file over the limit is refused from its size, before any read", () => {
    // A sparse 1 TB file: reading it would never finish, so passing means it was not read.
    const path = join(dir, "huge.bin");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 1e12);
    closeSync(fd);
    const e = refusal(() => readInputFile(path, { what: "inventory file", shown: "huge.bin" }));
    expect(e.code).toBe(INPUT_FILE_CODES.tooLarge);
    expect(e.message).toBe("inventory file `huge.bin` is too large (1000000000000 bytes; the limit is 67108864)");
  });

  test.each(["/dev/zero", "/dev/urandom"])("%s ends with NV5001 after the limit", (dev) => {
    const e = refusal(() => readInputFile(dev, { limit: 200_000, what: "policy file" }));
    expect(e.code).toBe("NV5001");
    expect(e.message).toBe(`policy file \`${dev}\` is too large (more than the limit of 200000 bytes)`);
  });

  test("an endless FIFO is refused at the limit; a short one is read whole", async () => {
    const fifo = join(dir, "endless.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `cat /dev/zero > ${JSON.stringify(fifo)}`], { stdio: "ignore" });
    try {
      const e = refusal(() => readInputFile(fifo, { limit: 1_000_000, what: "flows file" }));
      expect(e.code).toBe("NV5001");
    } finally {
      writer.kill();
    }
    const short = join(dir, "short.fifo");
    execFileSync("mkfifo", [short]);
    const w2 = spawn("sh", ["-c", `printf 'abc' > ${JSON.stringify(short)}`], { stdio: "ignore" });
    expect(readInputText(short, { limit: 10 })).toBe("abc");
    await new Promise((r) => w2.on("exit", r));
  });

  test("a FIFO nobody writes to reads as empty instead of hanging", () => {
    const fifo = join(dir, "silent.fifo");
    execFileSync("mkfifo", [fifo]);
    expect(readInputFile(fifo).length).toBe(0);
  });

  test("a directory is NV5002, a missing file NV5003 with its errno", () => {
    const d = refusal(() => readInputFile(dir, { shown: "some-dir", what: "module" }));
    expect(d.code).toBe("NV5002");
    expect(d.message).toBe("`some-dir` is a directory, not a module");
    const m = refusal(() => readInputFile(join(dir, "missing.yaml"), { shown: "missing.yaml", what: "DNS file" }));
    expect(m.code).toBe("NV5003");
    expect(m.errno).toBe("ENOENT");
    expect(m.message).toBe("cannot read DNS file `missing.yaml`: no such file");
  });
});

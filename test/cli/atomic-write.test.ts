// Writes that fail leave the user's file as it was (issue 10, item 1): `fmt -w` and `compile -o` run
// in a child shell with a file-size limit (`ulimit -f`) or in a read-only directory, and the original
// bytes are compared after the failure. The child runs the built CLI (bin/nvp.js → dist/).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { AtomicWriteError, writeFileAtomic } from "../../common/atomic-write.js";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/nvp.js");

/** A policy of `n` rules written with extra spaces, so `fmt` rewrites it; about 57 bytes a rule. */
function untidyPolicy(n: number): string {
  const lines = ["policy p"];
  for (let i = 1; i <= n; i++) lines.push(`rule ${i}   allow   any ->   external port tcp/${i}  "c${i}"`);
  return lines.join("\n") + "\n";
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-atomic-"));
  chmodSync(dir, 0o777);
  return dir;
}

/** Run `nvp args` in `cwd` through bash, after `prelude` (e.g. `ulimit -f 8`). */
function nvpShell(prelude: string, args: string[], cwd: string, asNobody = false) {
  const cmd = `${prelude}; exec node ${JSON.stringify(bin)} ${args.map((a) => JSON.stringify(a)).join(" ")}`;
  const argv = asNobody ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-c", cmd] : ["bash", "-c", cmd];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.includes(".nvp-tmp-"));

describe("a failed write leaves the original untouched", () => {
  test("fmt -w past the file-size limit: exit 2, NV5005, same bytes, no temporary file", () => {
    const dir = scratch();
    const original = untidyPolicy(400); // ≈ 23 KB, ≈ 20 KB formatted; the limit is 8 KiB
    writeFileSync(join(dir, "p.nvp"), original);
    const r = nvpShell("ulimit -f 8", ["fmt", "-w", "p.nvp"], dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[NV5005]: cannot write `p.nvp`: file size limit exceeded (EFBIG); the original file is unchanged");
    expect(readFileSync(join(dir, "p.nvp"), "utf8")).toBe(original);
    expect(leftovers(dir)).toEqual([]);
    expect(r.err).not.toContain("internal error");
  });

  test("compile -o over an existing module past the file-size limit keeps the old module", () => {
    const dir = scratch();
    writeFileSync(join(dir, "p.nvp"), untidyPolicy(5));
    const old = Buffer.from("the previous module's bytes\n");
    writeFileSync(join(dir, "policy.wasm"), old);
    const r = nvpShell("ulimit -f 4", ["compile", "p.nvp", "-o", "policy.wasm"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error\[NV5005\]: cannot write `policy\.wasm`: .*EFBIG.*the original file is unchanged/);
    expect(readFileSync(join(dir, "policy.wasm"))).toEqual(old);
    expect(leftovers(dir)).toEqual([]);
  });

  test("fmt -w in a read-only directory: exit 2, the error names the cause, same bytes", () => {
    const dir = scratch();
    const original = untidyPolicy(20);
    writeFileSync(join(dir, "p.nvp"), original);
    chmodSync(join(dir, "p.nvp"), 0o666);
    chmodSync(dir, 0o555);
    // root ignores directory permissions: the child drops to `nobody` when the suite runs as root.
    const r = nvpShell("true", ["fmt", "-w", "p.nvp"], dir, process.getuid?.() === 0);
    chmodSync(dir, 0o777);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error\[NV5005\]: cannot write `p\.nvp`: permission denied \(EACCES\); the original file is unchanged/);
    expect(readFileSync(join(dir, "p.nvp"), "utf8")).toBe(original);
  });

  test("a successful write replaces the file and keeps its permissions", () => {
    const dir = scratch();
    const path = join(dir, "out.txt");
    writeFileSync(path, "old");
    chmodSync(path, 0o640);
    writeFileAtomic(path, "new bytes");
    expect(readFileSync(path, "utf8")).toBe("new bytes");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(leftovers(dir)).toEqual([]);
  });

  test("a device target is written directly, never replaced by a regular file", () => {
    writeFileAtomic("/dev/null", "bytes for the bit bucket");
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  test("a directory as the target or a missing parent is refused, nothing is created", () => {
    const dir = scratch();
    expect(() => writeFileAtomic(dir, "x", "out")).toThrow(AtomicWriteError);
    expect(() => writeFileAtomic(dir, "x", "out")).toThrow("cannot write `out`: it is a directory (EISDIR); nothing was written");
    expect(() => writeFileAtomic(join(dir, "no/such/file"), "x", "no/such/file")).toThrow("the directory does not exist (ENOENT); nothing was written");
    expect(readdirSync(dir)).toEqual([]);
  });
});


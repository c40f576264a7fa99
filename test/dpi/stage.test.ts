/**
 * The DPI stage as a component (its application ids are generated from common/apps.ts:
 * test/engine/gen-abi.test.ts): its codes cannot be mistaken for ids, the compiled stage imports nothing and runs nothing at start-up, and the
 * X-Forwarded-For address parser accepts exactly what common/ip.ts parseIp accepts.
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { APPS, APP_UNKNOWN } from "../../common/apps.js";
import { formatIp, parseIp } from "../../common/ip.js";
import { once } from "./craft.js";
import { dpiConst, dpiModule, DPI_MORE, DPI_UNKNOWN, loadDpi, TCP, type Dpi } from "./harness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

describe("stage contract", () => {
  test("DPI_MORE and DPI_UNKNOWN are negative: never an application id", () => {
    expect(DPI_MORE).toBeLessThan(0);
    expect(DPI_UNKNOWN).toBeLessThan(0);
    expect(DPI_MORE).not.toBe(DPI_UNKNOWN);
    expect(APPS.every((a) => a.id > 0 && a.id < APP_UNKNOWN)).toBe(true);
  });

  test("docs/protocols.md's record table gives result.ts's offsets", () => {
    const doc = readFileSync(join(root, "docs/protocols.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `(R_\w+)` \| (\d+) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(rows.map(([n]) => n)).toEqual(["R_PROVISIONAL", "R_FLAGS", "R_HOST_OFF", "R_HOST_LEN", "R_SERVER", "R_XFF_FAMILY", "R_XFF", "R_PATH_OFF", "R_PATH_LEN"]);
    for (const [n, off] of rows) expect(off, n).toBe(dpiConst(n));
    for (const n of ["DPI_MORE", "DPI_UNKNOWN"]) expect(doc).toContain(`| \`${n}\` | ${dpiConst(n)} |`);
    expect(doc).toContain(`\`DPI_RESULT_SIZE\` (${dpiConst("DPI_RESULT_SIZE")})`);
    expect(doc).toContain(`\`DPI_MAX_PACKETS\` (${dpiConst("DPI_MAX_PACKETS")})`);
    expect(doc).toContain(`\`DPI_PREFIX_CAP\` (${dpiConst("DPI_PREFIX_CAP")})`);
  });

  test("the result record holds its last field", () => {
    expect(dpiConst("DPI_RESULT_SIZE")).toBeGreaterThanOrEqual(dpiConst("R_PATH_LEN") + 4);
    expect(dpiConst("R_XFF") + 16).toBeLessThanOrEqual(dpiConst("DPI_RESULT_SIZE"));
  });

  test("the compiled stage imports nothing, exports identify and memory, never allocates", async () => {
    const { module, wat } = await dpiModule();
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(["heapBase", "identify", "memory"]);
    // The stub runtime's allocator is tree-shaken away only when nothing allocates.
    expect(wat).not.toMatch(/memory\.grow|~lib\/rt\/|\(start /);
  });

  test("the record is cleared on every call: nothing stale survives", () => {
    const get = "GET / HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n";
    expect(once(dpi, TCP, 1, 80, get, "HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n").host).toBe("a.example");
    const r = once(dpi, TCP, 1, 80, "*1\r\n$4\r\nPING\r\n", "+PONG\r\n");
    expect([r.host, r.xff, r.server, r.path, r.provisional]).toEqual([undefined, undefined, undefined, undefined, 2002]);
  });
});

describe("X-Forwarded-For addresses parse as common/ip.ts parses them", () => {
  const xff = (text: string) => once(dpi, TCP, 1, 80, `GET / HTTP/1.1\r\nX-Forwarded-For: ${text}\r\n\r\n`, "HTTP/1.1 200 OK\r\n\r\n");
  const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
  const v6 = fc.tuple(fc.array(hex, { maxLength: 8 }), fc.nat(8), fc.boolean(), v4).map(([groups, at, tail, quad]) => {
    const g = [...groups];
    if (at <= g.length && g.length < 8) g.splice(at, 0, "");
    let s = g.join(":");
    if (s.startsWith(":")) s = `:${s}`;
    if (s.endsWith(":")) s = `${s}:`;
    return tail ? `${s}:${quad}` : s;
  });
  const noise = fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF:.x"), maxLength: 46 });

  test("random IPv4, IPv6 and near-miss texts", () => {
    const seen = { v4: 0, v6: 0, bad: 0 };
    fc.assert(
      fc.property(fc.oneof(v4, v6, noise, v4.map((s) => `0${s}`)), (text) => {
        const want = parseIp(text);
        seen[want === null ? "bad" : text.includes(":") ? "v6" : "v4"]++;
        const r = xff(text);
        expect(r.xff === undefined ? null : r.xff, text).toBe(want === null ? null : formatIp(want));
        if (want !== null) expect(r.xffFamily, text).toBe(text.includes(":") ? 6 : 4);
      }),
      { numRuns: 3000, seed: 0x786666 },
    );
    // The generators reach all three kinds, not only rejections.
    expect(Math.min(seen.v4, seen.v6, seen.bad), JSON.stringify(seen)).toBeGreaterThan(150);
  });
});

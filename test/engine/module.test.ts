/**
 * The compiled module and loadModule: byte-determinism, metadata, and every refusal (NV54xx) —
 * not WebAssembly, truncated, not a policy module, malformed or tampered metadata, tampered table,
 * unsupported format or ABI version, a table the engine rejects.
 */
import { describe, expect, test } from "vitest";
import { ABI_VERSION, FORMAT_VERSION, TABLE_BASE, TABLE_MAGIC } from "../../common/abi.js";
import { compileModule } from "../../compiler/emit/compile-module.js";
import { engineBytes } from "../../compiler/emit/engine-file.js";
import { loadModule, MODULE_CODES, NvpRuntimeError } from "../../runtime/index.js";
import { SEC_CODE, uleb, wasmSections } from "../../common/abi-wasm.js";
import { editMeta, hashFor, modelOf, moduleBytes, withoutMeta } from "./helpers.js";

const POLICY = `policy shop
service web = nv.web.shop { mode protect }
service api = nv.api.shop { mode monitor }
group db { address 10.20.0.0/16, "db.example.com", vh:*.example.com }
rule 10 allow web -> api app http port tcp/8080
rule 20 deny api -> db
`;

function refusal(bytes: Uint8Array): NvpRuntimeError {
  try {
    loadModule(bytes);
  } catch (e) {
    if (e instanceof NvpRuntimeError) return e;
    throw e;
  }
  throw new Error("loadModule accepted the module");
}

describe("compileModule", () => {
  test("the same policy compiles to byte-identical modules", () => {
    const a = compileModule(modelOf(POLICY)).bytes;
    const b = compileModule(modelOf(POLICY)).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  test("a different policy gives a different hash", () => {
    const a = loadModule(moduleBytes(POLICY)).meta.hash;
    const b = loadModule(moduleBytes(POLICY.replace("tcp/8080", "tcp/8081"))).meta.hash;
    expect(a).not.toBe(b);
  });

  test("reports its stages with timings", () => {
    const c = compileModule(modelOf(POLICY));
    expect(c.stages.map((s) => s.name)).toEqual(["lower", "encode", "emit"]);
    expect(c.stages.every((s) => s.ms >= 0)).toBe(true);
    expect(c.tableBytes).toBeGreaterThan(0);
  });

  test("--dump-after lower prints the IR; encode prints the table header", () => {
    const dumps: Record<string, string> = {};
    compileModule(modelOf(POLICY), { dumpAfter: "lower", onDump: (s, t) => (dumps[s] = t) });
    compileModule(modelOf(POLICY), { dumpAfter: "encode", onDump: (s, t) => (dumps[s] = t) });
    expect(dumps.lower).toContain("r0 id=10 allow");
    expect(dumps.lower).toContain("vh *.example.com -> s0");
    expect(dumps.encode).toMatch(/^table \d+ bytes, format 2, abi 2/);
    expect(dumps.encode).toContain("nrules       2");
  });
});

describe("loadModule", () => {
  test("loads a module and exposes its metadata", () => {
    const m = loadModule(moduleBytes(POLICY));
    expect(m.meta.policy).toBe("shop");
    expect(m.meta.format).toBe(FORMAT_VERSION);
    expect(m.meta.abi).toBe(ABI_VERSION);
    expect(m.meta.rules).toEqual([10, 20]);
    expect(m.meta.groups.map((g) => g.name)).toEqual(["web", "api", "db"]);
    expect(m.meta.groups[2]?.vh).toEqual([{ name: "example.com", wildcard: true, slot: 0 }]);
    expect(m.meta.apps).toEqual([{ id: 1001, name: "HTTP" }]);
    expect(m.meta.table.base).toBe(TABLE_BASE);
    expect(m.meta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new DataView(m.table.buffer, m.table.byteOffset).getUint32(0, true)).toBe(TABLE_MAGIC);
  });

  test("refuses bytes that are not WebAssembly", () => {
    const e = refusal(new TextEncoder().encode("policy shop\nrule 10 allow any -> any\n"));
    expect(e.code).toBe(MODULE_CODES.notWasm);
    expect(e.message).toMatch(/^not a WebAssembly module/);
    expect(e.help).toContain("nvp compile");
  });

  test("refuses a truncated module", () => {
    const bytes = moduleBytes(POLICY);
    const e = refusal(bytes.subarray(0, bytes.length - 17));
    expect(e.code).toBe(MODULE_CODES.truncated);
    expect(e.message).toMatch(/^module is truncated/);
  });

  test("every strict prefix of a module is refused with an NV54xx error", () => {
    const bytes = moduleBytes(POLICY);
    const codes = new Set<string>();
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 400))) codes.add(refusal(bytes.subarray(0, n)).code);
    expect([...codes].every((c) => /^NV54\d\d$/.test(c))).toBe(true);
  });

  test("refuses a WebAssembly module without nvp metadata", () => {
    const e = refusal(engineBytes());
    expect(e.code).toBe(MODULE_CODES.notPolicy);
    expect(e.message).toBe("module has no `nvp.meta` section: it is not an nvp policy module");
  });

  test("refuses metadata that is not JSON or lacks fields", () => {
    expect(refusal(editMeta(moduleBytes(POLICY), (m) => delete (m as Partial<typeof m>).rules)).code).toBe(MODULE_CODES.badMeta);
    const e = refusal(editMeta(moduleBytes(POLICY), (m) => ((m.groups[0] as { kind: string }).kind = "magic")));
    expect(e.message).toBe("module metadata is malformed: groups[0] has an unknown kind");
  });

  test("refuses metadata whose first field is not the hash", () => {
    const bytes = moduleBytes(POLICY);
    const secs = wasmSections(bytes);
    const meta = secs[secs.length - 1] as (typeof secs)[number];
    const name = new TextEncoder().encode("nvp.meta");
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(meta.body + 1 + name.length, meta.end))) as Record<string, unknown>;
    const { hash, ...rest } = json;
    const payload = new TextEncoder().encode(JSON.stringify({ ...rest, hash }));
    const body = [...uleb(name.length), ...name, ...payload];
    const e = refusal(new Uint8Array([...bytes.subarray(0, meta.start), 0, ...uleb(body.length), ...body]));
    expect(e.code).toBe(MODULE_CODES.badMeta);
    expect(e.message).toBe("module metadata does not start with its `hash` field");
  });

  test("refuses a tampered table", () => {
    const bytes = moduleBytes(POLICY);
    const m = loadModule(bytes);
    const at = m.table.byteOffset + 200;
    const bad = new Uint8Array(bytes);
    bad[at] = (bad[at] as number) ^ 1;
    const e = refusal(bad);
    expect(e.code).toBe(MODULE_CODES.tampered);
    expect(e.message).toBe("module content hash does not match: the module was altered");
  });

  test("refuses tampered metadata (a criterion or name changed, hash kept)", () => {
    const e = refusal(editMeta(moduleBytes(POLICY), (m) => (m.groups[0]!.name = "evil")));
    expect(e.code).toBe(MODULE_CODES.tampered);
  });

  test("refuses tampered engine code", () => {
    const bytes = new Uint8Array(moduleBytes(POLICY));
    const code = wasmSections(bytes).find((s) => s.id === SEC_CODE);
    const at = (code?.body ?? 0) + 40;
    bytes[at] = (bytes[at] as number) ^ 0x40;
    expect(refusal(bytes).code).toBe(MODULE_CODES.tampered);
  });

  test("refuses another table format version or ABI version", () => {
    const prefix = withoutMeta(moduleBytes(POLICY));
    const rehash = (m: Parameters<typeof hashFor>[1]) => hashFor(prefix, m);
    const f = refusal(editMeta(moduleBytes(POLICY), (m) => (m.format = FORMAT_VERSION + 1), rehash));
    expect(f.code).toBe(MODULE_CODES.format);
    expect(f.message).toBe(`module table format version ${FORMAT_VERSION + 1} is not supported (this runtime reads ${FORMAT_VERSION})`);
    const a = refusal(editMeta(moduleBytes(POLICY), (m) => (m.abi = ABI_VERSION + 1), rehash));
    expect(a.code).toBe(MODULE_CODES.abi);
    expect(a.message).toBe(`module ABI version ${ABI_VERSION + 1} differs from this runtime's ${ABI_VERSION}`);
  });

  test("refuses metadata that points at no table", () => {
    const prefix = withoutMeta(moduleBytes(POLICY));
    const e = refusal(editMeta(moduleBytes(POLICY), (m) => (m.table.length += 8), (m) => hashFor(prefix, m)));
    expect(e.code).toBe(MODULE_CODES.noTable);
    expect(e.message).toMatch(/^decision table is \d+ bytes, metadata says \d+$/);
  });

  test("refuses a table the engine rejects, even with a matching hash", () => {
    const bytes = new Uint8Array(moduleBytes(POLICY));
    const m = loadModule(bytes);
    // Break the table's magic and re-sign: only the engine's own validation can catch it.
    bytes[m.table.byteOffset] = 0;
    const e = refusal(editMeta(bytes, () => undefined, (meta) => hashFor(withoutMeta(bytes), meta)));
    expect(e.code).toBe(MODULE_CODES.rejected);
    expect(e.message).toBe("the engine rejected the decision table: the table does not start with the nvp table magic");
  });

  test("errors convert to diagnostics", () => {
    const d = refusal(new Uint8Array([1, 2, 3])).toDiagnostic("policy.wasm");
    expect(d).toMatchObject({ code: "NV5401", severity: "error", file: "policy.wasm" });
    expect(d.help).toBeDefined();
  });
});

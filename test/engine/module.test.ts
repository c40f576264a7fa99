/**
 * The compiled module and loadModule: byte-determinism, metadata, rule ids read from the table,
 * the engine compiled once and the validated instance handed on, and every refusal (NV54xx) —
 * not WebAssembly, truncated, not a policy module, malformed or tampered metadata, tampered table,
 * unsupported format or ABI version, a table the engine rejects, a table memory cannot hold.
 */
import { describe, expect, test } from "vitest";
import { ABI_VERSION, FORMAT_VERSION, H_RULE_IDS, PAGE_SIZE, TABLE_BASE, TABLE_MAGIC } from "../../common/abi.js";
import { META_SECTION } from "../../common/abi-meta.js";
import { compileModule } from "../../compiler/pipeline.js";
import { engineBytes } from "../../compiler/emit/engine-file.js";
import { appendCustomSection, patchEngine } from "../../compiler/emit/wasm-patch.js";
import { lowerModel } from "../../compiler/lower/lower.js";
import { Enforcer, engineInstance, type EngineExports, loadModule, MODULE_CODES, NvpRuntimeError } from "../../runtime/index.js";
import { concat, customSection, memoryLimits, memorySection, SEC_CODE, SEC_MEMORY, uleb, wasmSections } from "../../common/abi-wasm.js";
import { editGroups, editMeta, hashFor, modelOf, moduleBytes, withoutMeta } from "./helpers.js";

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
    expect(dumps.encode).toMatch(new RegExp(`^table \\d+ bytes, format ${FORMAT_VERSION}, abi ${ABI_VERSION}`));
    expect(dumps.encode).toContain("nrules       2");
  });
});

describe("loadModule", () => {
  test("loads a module and exposes its metadata", () => {
    const m = loadModule(moduleBytes(POLICY));
    expect(m.meta.policy).toBe("shop");
    expect(m.meta.format).toBe(FORMAT_VERSION);
    expect(m.meta.abi).toBe(ABI_VERSION);
    expect(m.rules).toEqual([10, 20]);
    expect(m.meta.groups.map((g) => g.name)).toEqual(["web", "api", "db"]);
    expect(m.meta.groups[2]?.vh).toEqual([{ name: "example.com", wildcard: true, slot: 0 }]);
    expect(m.meta.apps).toEqual([{ id: 1001, name: "HTTP" }]);
    expect(m.meta.table.base).toBe(TABLE_BASE);
    expect(m.meta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new DataView(m.table.buffer, m.table.byteOffset).getUint32(0, true)).toBe(TABLE_MAGIC);
  });

  test("rule ids come from the table, in evaluation order; the metadata does not repeat them", () => {
    // Slots are ordered by destination group, so the table's slot order is not the rules' order.
    const text = `policy order
service web = nv.web.shop
service api = nv.api.shop
service db = nv.db.shop
rule 30 allow web -> db
rule 10 allow web -> api
rule 20 allow api -> db
rule 5 deny db -> web
`;
    const m = loadModule(moduleBytes(text));
    const order = lowerModel(modelOf(text)).rules.map((r) => r.id);
    const view = new DataView(m.table.buffer, m.table.byteOffset, m.table.byteLength);
    const slots = order.map((_, s) => view.getUint32(view.getUint32(H_RULE_IDS, true) + s * 4, true));
    expect(slots).not.toEqual(order);
    expect(m.rules).toEqual(order);
    expect(Object.keys(m.meta)).not.toContain("rules");
  });

  test("a changed rule id is refused: the hash covers the table's rule ids", () => {
    const bytes = new Uint8Array(moduleBytes(POLICY));
    const m = loadModule(bytes);
    const ids = m.table.byteOffset + new DataView(m.table.buffer, m.table.byteOffset).getUint32(H_RULE_IDS, true);
    bytes[ids] = (bytes[ids] as number) ^ 0x20;
    expect(refusal(bytes).code).toBe(MODULE_CODES.tampered);
  });

  test("every module shares one compiled engine; the module's instance goes to its first user", () => {
    const a = loadModule(moduleBytes(POLICY));
    const b = loadModule(moduleBytes(POLICY.replace("tcp/8080", "tcp/8081")));
    expect(b.wasm).toBe(a.wasm);
    expect(WebAssembly.Module.customSections(a.wasm, META_SECTION)).toEqual([]);
    const first = engineInstance(a);
    const second = engineInstance(a);
    expect(second).not.toBe(first);
    for (const instance of [first, second]) {
      const ex = instance.exports as unknown as EngineExports;
      // Both are ready to decide: the table is in memory and the engine validated it.
      expect(ex.dynamicBase()).toBeGreaterThan(TABLE_BASE + a.table.length);
      expect(new Uint8Array(ex.memory.buffer, TABLE_BASE, a.table.length)).toEqual(a.table);
    }
    const wl = (name: string, service: string, ip: string) => ({ name, namespace: "shop", service, labels: {}, nsLabels: {}, images: [], containers: [], node: "n", ips: [ip] });
    const inventory = { workloads: [wl("w", "web", "10.0.0.1"), wl("a", "api", "10.0.0.2")], nodes: [], internalSubnets: [], serviceExternalIps: [] };
    for (const e of [new Enforcer(b), new Enforcer(b)]) {
      e.setInventory(inventory);
      expect(e.decide({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8081, app: "http" })).toMatchObject({ action: "allow", rule: 10 });
    }
  });

  test("refuses a module whose memory cannot hold the table", () => {
    const bytes = moduleBytes(POLICY);
    const mem = wasmSections(bytes).find((s) => s.id === SEC_MEMORY)!;
    const small = concat([bytes.subarray(0, mem.start), ...memorySection({ ...memoryLimits(bytes, mem), min: 1 }), bytes.subarray(mem.end)]);
    const e = refusal(editMeta(small, () => undefined, (m) => hashFor(withoutMeta(small), m)));
    expect(e.code).toBe(MODULE_CODES.compile);
    expect(e.message).toBe("the module cannot be instantiated: its memory of 1 pages does not hold the decision table");
    expect(TABLE_BASE + loadModule(bytes).table.length).toBeGreaterThan(PAGE_SIZE);
  });

  test("refuses a module whose table is not the last data segment", () => {
    const bytes = moduleBytes(POLICY);
    const secs = wasmSections(bytes);
    const meta = customSection(bytes, secs[secs.length - 1]!).payload;
    const more = appendCustomSection(patchEngine({ engine: withoutMeta(bytes), data: new Uint8Array(8), offset: 0x20000, minPages: 1 }), META_SECTION, meta);
    const e = refusal(editMeta(more, () => undefined, (m) => hashFor(withoutMeta(more), m)));
    expect(e.code).toBe(MODULE_CODES.noTable);
    expect(e.message).toBe("the decision table is not the module's last data segment");
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
    expect(refusal(editMeta(moduleBytes(POLICY), (m) => delete (m as Partial<typeof m>).apps)).message).toBe("module metadata is malformed: `apps` is malformed");
    const e = refusal(editMeta(moduleBytes(POLICY), (m) => ((m.settings as { contention: string }).contention = "magic")));
    expect(e.message).toBe("module metadata is malformed: `settings` is malformed");
  });

  test("refuses a malformed or misplaced groups section (hash kept valid)", () => {
    // Word 0 of the first group record is its name's start, word 2 its kind.
    const firstRecord = (p: Uint8Array) => 16 + Math.ceil(new DataView(p.buffer).getUint32(12, true) / 4) * 4;
    const kind = refusal(
      editGroups(moduleBytes(POLICY), (p) => {
        new DataView(p.buffer).setUint32(firstRecord(p) + 8, 9, true);
        return p;
      }),
    );
    expect(kind.code).toBe(MODULE_CODES.badMeta);
    expect(kind.message).toBe("the `nvp.groups` section is malformed: a group has an unknown kind");
    const short = refusal(editGroups(moduleBytes(POLICY), (p) => p.subarray(0, p.length - 4)));
    expect(short.message).toMatch(/nvp.groups` section is malformed: it (ends inside a group|holds more)/);
    const longer = refusal(editGroups(moduleBytes(POLICY), (p) => new Uint8Array([...p, 0, 0, 0, 0])));
    expect(longer.message).toBe("the `nvp.groups` section is malformed: it holds more than its groups");
    const named = refusal(
      editGroups(moduleBytes(POLICY), (p) => {
        new DataView(p.buffer).setUint32(firstRecord(p), 0x7fffffff, true);
        return p;
      }),
    );
    expect(named.message).toBe("the `nvp.groups` section is malformed: a string lies outside the strings");
    const bytes = moduleBytes(POLICY);
    const secs = wasmSections(bytes);
    const groups = secs[secs.length - 2] as (typeof secs)[number];
    const without = new Uint8Array([...bytes.subarray(0, groups.start), ...bytes.subarray(groups.end)]);
    expect(refusal(without).message).toBe("the module must have one `nvp.groups` section, right before `nvp.meta`");
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

  test("refuses tampered metadata or groups (a setting or a group name changed, hash kept)", () => {
    expect(refusal(editMeta(moduleBytes(POLICY), (m) => (m.policy = "evil"))).code).toBe(MODULE_CODES.tampered);
    const renamed = editGroups(
      moduleBytes(POLICY),
      (p) => {
        p[16] = (p[16] as number) ^ 0x01;
        return p;
      },
      false,
    );
    expect(refusal(renamed).code).toBe(MODULE_CODES.tampered);
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

/**
 * The functions host and engine must compute bit for bit — the address hash, the name hash and
 * the compressed set codec — run on both sides against one file of vectors (common/abi-vectors.json,
 * written by scripts/gen-abi-vectors.ts): the host's copies in common/, the engine's through
 * asm/abi-harness.ts, which calls asm/mem.ts and asm/sets.ts as the engine does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ByteWriter, hashIp, hashNameBytes } from "../../common/abi-bytes.js";
import { readSet, setGeometry, writeSet } from "../../common/abi-sets.js";
import { compileHarness } from "../asm-harness.js";

interface Vectors {
  hashIp: { ip: string; hash: number }[];
  nameHash: { name: string; hash: number }[];
  sets: { rules: number; list: number[]; bytes: string }[];
}

const root = join(import.meta.dirname, "../..");
const vectors = JSON.parse(readFileSync(join(root, "common/abi-vectors.json"), "utf8")) as Vectors;
const utf8 = new TextEncoder();

interface HarnessExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  vecHashIp(lo: bigint, hi: bigint): number;
  vecNameHash(p: number, len: number): number;
  vecSetEnd(p: number, len: number, rules: number): number;
  vecHasRule(p: number, r: number): number;
}

describe("shared ABI vectors", () => {
  test("cover every geometry the set codec has: dense and sparse, one word to many groups", () => {
    const geos = vectors.sets.map((v) => setGeometry(v.rules));
    expect(geos.some((g) => g.sparse) && geos.some((g) => !g.sparse)).toBe(true);
    expect(Math.max(...geos.map((g) => g.nGroups))).toBeGreaterThan(1);
  });

  describe("the host (common/)", () => {
    test.each(vectors.hashIp)("hashIp($ip)", ({ ip, hash }) => expect(hashIp(BigInt(`0x${ip}`))).toBe(hash));
    test.each(vectors.nameHash)("name hash of `$name`", ({ name, hash }) => expect(hashNameBytes(utf8.encode(name))).toBe(hash));
    test.each(vectors.sets)("set of $rules rules: $list.length members", ({ rules, list, bytes }) => {
      const w = new ByteWriter();
      writeSet(w, setGeometry(rules), list);
      expect(Buffer.from(w.finish()).toString("hex")).toBe(bytes);
      const raw = Buffer.from(bytes, "hex");
      expect(readSet(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), 0, setGeometry(rules))).toEqual(list);
    });
  });

  describe("the engine (asm/ through asm/abi-harness.ts)", () => {
    let ex: HarnessExports;
    let at: number;
    beforeAll(async () => {
      const { module } = await compileHarness("asm/abi-harness.ts", ["asm"], "abi-vectors", "the ABI vectors harness");
      ex = new WebAssembly.Instance(module, {}).exports as unknown as HarnessExports;
      at = Math.ceil(ex.heapBase() / 64) * 64;
    }, 60_000);

    /** Copy `bytes` above the engine's static data (growing memory), returning where. */
    function place(bytes: Uint8Array): number {
      const need = at + bytes.length + 64 - ex.memory.buffer.byteLength;
      if (need > 0) ex.memory.grow(Math.ceil(need / 65536));
      new Uint8Array(ex.memory.buffer).set(bytes, at);
      return at;
    }

    test.each(vectors.hashIp)("hashIp($ip)", ({ ip, hash }) => {
      const v = BigInt(`0x${ip}`);
      expect(ex.vecHashIp(BigInt.asIntN(64, v), BigInt.asIntN(64, v >> 64n)) >>> 0).toBe(hash);
    });

    test.each(vectors.nameHash)("name hash of `$name`", ({ name, hash }) => {
      const b = utf8.encode(name);
      expect(ex.vecNameHash(place(b), b.length) >>> 0).toBe(hash);
    });

    test.each(vectors.sets)("set of $rules rules: $list.length members", ({ rules, list, bytes }) => {
      const b = Buffer.from(bytes, "hex");
      const p = place(b);
      expect(ex.vecSetEnd(p, b.length, rules)).toBe(b.length);
      const members = new Set(list);
      // Every member, and the non-members around each member and at both ends of the rule range.
      const probes = new Set([0, rules - 1, ...list.flatMap((r) => [r - 1, r, r + 1])].filter((r) => r >= 0 && r < rules));
      for (const r of probes) expect(ex.vecHasRule(p, r), `rule ${r}`).toBe(members.has(r) ? 1 : 0);
    });
  });
});

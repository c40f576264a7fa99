/**
 * The host-side codecs the engine relies on round-trip (compressed sets, IPv4 fast path); that the
 * engine's copies are generated from common/ is test/engine/gen-abi.test.ts's.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ByteWriter } from "../../common/abi-bytes.js";
import { readSet, setGeometry, writeSet } from "../../common/abi-sets.js";
import { parseIp } from "../../common/ip.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { moduleBytes } from "./helpers.js";

describe("ABI", () => {
  test("compressed sets round-trip for any rule count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9000 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.nat({ max: Math.max(0, n - 1) }), { maxLength: n === 0 ? 0 : 300 }))), ([n, xs]) => {
        const geo = setGeometry(n);
        const list = [...xs].sort((a, b) => a - b);
        const w = new ByteWriter();
        writeSet(w, geo, list);
        const bytes = w.finish();
        expect(readSet(new DataView(bytes.buffer), 0, geo)).toEqual(list);
      }),
      { numRuns: 200 },
    );
  });

  test("the IPv4 fast path accepts exactly what common/ip.ts accepts", () => {
    // Observed through the enforcer: an address either decides like its parsed value or is refused.
    const enforcer = new Enforcer(loadModule(moduleBytes("policy p\ngroup a { address 10.0.0.0/8 }\nrule 1 allow a -> any\n")));
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom("", "00", "01", "007", "1a", "-1", "+1", " 1"));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join(".")), (text) => {
        const ok = parseIp(text.trim()) !== null;
        let decided = true;
        try {
          const d = enforcer.decide({ src: text, dst: "192.0.2.1", proto: "icmp" });
          expect(d.rule).toBe(text.trim().startsWith("10.") ? 1 : 0);
        } catch {
          decided = false;
        }
        expect(decided).toBe(ok);
      }),
      { numRuns: 500 },
    );
  });
});

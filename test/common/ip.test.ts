/**
 * The IPv4 fast paths of common/ip.ts (parseIpv4 by hand, IPv4 blocks in 32-bit arithmetic) against
 * the plain definitions they replaced: split and a regex per part, the block in 128-bit bigints.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { isV4, parseIp, parseIpRange, parseIpv4 } from "../../common/ip.js";

function plainIpv4(s: string): number | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0")) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

function plainBlock(text: string): unknown {
  const slash = text.indexOf("/");
  const base = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (base === null) return { error: `\`${text}\` is not a CIDR block` };
  const max = isV4(base) ? 32 : 128;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) return { error: `prefix length \`/${lenText}\` is out of range 0..${max}` };
  const mask = (1n << BigInt(max - Number(lenText))) - 1n;
  const lo = base & ~mask;
  return { lo, hi: lo | mask, hostBits: (base & mask) !== 0n };
}

const octet = fc.oneof(fc.nat({ max: 255 }).map(String), fc.constantFrom("256", "999", "01", "00", "0", "", "1a", "-1", "+1", " 1", "1000"));
const dotted = fc.array(octet, { minLength: 1, maxLength: 5 }).map((xs) => xs.join("."));
const text = fc.oneof(dotted, fc.tuple(dotted, fc.constantFrom(".", "..", "x", " ")).map(([a, b]) => a + b), fc.string({ maxLength: 12 }));
const prefix = fc.oneof(fc.nat({ max: 33 }).map(String), fc.constantFrom("", "08", "032", "0032", "x", "1:2", "-1", "128", "129"));

describe("IPv4 parsing", () => {
  test("parseIpv4 agrees with split and a regex per part", () => {
    fc.assert(fc.property(text, (s) => {
      expect(parseIpv4(s)).toBe(plainIpv4(s));
    }), { numRuns: 3000 });
  });

  test("IPv4 blocks agree with 128-bit arithmetic, errors included", () => {
    fc.assert(
      fc.property(fc.oneof(dotted, fc.constantFrom("::ffff:1.2.3.4", "fd00::", "1.2.3.4:5")), prefix, (a, p): void => {
        // A `-` makes the text a range, which the block code never sees.
        if (`${a}/${p}`.includes("-")) return;
        expect(parseIpRange(`${a}/${p}`)).toEqual(plainBlock(`${a}/${p}`));
      }),
      { numRuns: 3000 },
    );
  });

  test("edges", () => {
    expect(parseIpRange("0.0.0.0/0")).toEqual({ lo: 0xffff00000000n, hi: 0xffffffffffffn, hostBits: false });
    expect(parseIpRange("10.1.2.3/32")).toEqual({ lo: 0xffff0a010203n, hi: 0xffff0a010203n, hostBits: false });
    expect(parseIpRange("10.1.2.3/8")).toEqual({ lo: 0xffff0a000000n, hi: 0xffff0affffffn, hostBits: true });
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
  });
});

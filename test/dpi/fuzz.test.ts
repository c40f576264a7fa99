/**
 * Fuzz: identify never traps and always answers an application id, DPI_MORE or DPI_UNKNOWN, on
 * random prefixes and on mutated real ones (up to and past DPI_PREFIX_CAP), with a result record
 * that stays inside the client prefix. And the monotonicity the dispatcher relies on: a
 * truncation of a real flow's prefixes (each direction cut anywhere) never names another
 * application than the full prefixes do.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { APPS } from "../../common/apps.js";
import { mutate, type Mutation, payloadEdits } from "../packet/mutate.js";
import { flowPrefixes } from "./flows.js";
import { codeName, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, loadDpi, TCP, UDP, type Dpi, type DpiResult } from "./harness.js";
import { fixtureFlows } from "./manifest.js";

const APP_IDS = new Set(APPS.map((a) => a.id));
/** `DPI_FUZZ_SCALE=20` multiplies the runs for a longer search; the default keeps the file at a few seconds. */
const SCALE = Number(process.env.DPI_FUZZ_SCALE ?? 1);
const PORTS = [7, 53, 67, 69, 80, 123, 443, 514, 1433, 1521, 1812, 2181, 3306, 5060, 5432, 6379, 9042, 9092, 11211, 27017, 50051];

const real = fixtureFlows().map((f) => {
  const [cli, srv] = flowPrefixes(f.flow);
  return { name: `${f.file} #${f.index}`, proto: f.flow.proto, sport: f.flow.sport, dport: f.flow.dport, cli, srv };
});

let dpi: Dpi;
/** Instances with the client or the server prefix ending where linear memory ends. */
let atEnd: Dpi[];
beforeAll(async () => {
  dpi = await loadDpi();
  atEnd = [await loadDpi("cli"), await loadDpi("srv")];
});

/** The invariants every answer keeps. */
function check(r: DpiResult, cli: Uint8Array): void {
  const ok = r.code === DPI_MORE || r.code === DPI_UNKNOWN || APP_IDS.has(r.code);
  expect(ok, `code ${r.code}`).toBe(true);
  expect(r.provisional === 0 || APP_IDS.has(r.provisional), `provisional ${r.provisional}`).toBe(true);
  if (r.code === DPI_UNKNOWN) expect(r.provisional).toBe(0);
  if (r.host !== undefined) {
    expect(r.host.length).toBeGreaterThan(0);
    expect(new TextEncoder().encode(r.host).length).toBeLessThanOrEqual(cli.length);
  }
  if (r.path !== undefined) expect(r.path.length).toBeLessThanOrEqual(cli.length);
}

const arbProto = fc.constantFrom(TCP, UDP, TCP, UDP, 1, 0);
const arbPort = fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 0, max: 65535 }));
const arbBytes = fc.uint8Array({ maxLength: DPI_PREFIX_CAP + 64 });

/** Flip, overwrite, insert, delete or cut bytes of a real prefix; at most DPI_PREFIX_CAP + 64 stay. */
const mutatePrefix = (b: Uint8Array, edits: Mutation[]) => mutate(b, edits, { end: true }).slice(0, DPI_PREFIX_CAP + 64);
const arbEdits = payloadEdits(6);

describe("identify never traps", () => {
  test("random prefixes, protocols and ports", () => {
    fc.assert(
      fc.property(arbProto, arbPort, arbPort, arbBytes, arbBytes, (proto, sport, dport, cli, srv) => {
        check(dpi.identify(proto, sport, dport, cli, srv), cli);
      }),
      { numRuns: 3000 * SCALE, seed: 0x4e5650 + SCALE },
    );
  });

  test("random bytes behind every protocol's opening bytes", () => {
    // Real first bytes, random rest: drives each parser past its first checks.
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 64 }), arbBytes, fc.nat({ max: 64 }), arbBytes, (k, nc, rc, ns, rs) => {
        const f = real[k % real.length]!;
        const cli = Uint8Array.from([...f.cli.subarray(0, nc), ...rc]);
        const srv = Uint8Array.from([...f.srv.subarray(0, ns), ...rs]);
        check(dpi.identify(f.proto, f.sport, f.dport, cli, srv), cli);
      }),
      { numRuns: 3000 * SCALE, seed: 0x4e5651 + SCALE },
    );
  });

  test("mutated real prefixes", () => {
    fc.assert(
      fc.property(fc.nat(), arbEdits, arbEdits, (k, ec, es) => {
        const f = real[k % real.length]!;
        const cli = mutatePrefix(f.cli, ec);
        check(dpi.identify(f.proto, f.sport, f.dport, cli, mutatePrefix(f.srv, es)), cli);
      }),
      { numRuns: 3000 * SCALE, seed: 0x4e5652 + SCALE },
    );
  });

  test("no read past either prefix: each one ends where memory ends", () => {
    // A load one byte past a prefix placed flush against the end of memory traps.
    fc.assert(
      fc.property(fc.nat(), arbEdits, arbEdits, arbProto, (k, ec, es, proto) => {
        const f = real[k % real.length]!;
        for (const d of atEnd) d.code(proto, f.sport, f.dport, mutatePrefix(f.cli, ec), mutatePrefix(f.srv, es));
      }),
      { numRuns: 2000 * SCALE, seed: 0x4e5654 + SCALE },
    );
    for (const f of real) {
      for (let i = 0; i <= f.cli.length; i += 7) for (const d of atEnd) d.code(f.proto, f.sport, f.dport, f.cli.subarray(0, i), f.srv);
      for (let j = 0; j <= f.srv.length; j += 7) for (const d of atEnd) d.code(f.proto, f.sport, f.dport, f.cli, f.srv.subarray(0, j));
    }
  });

  test("regions outside memory and negative lengths are refused, not read", () => {
    const size = dpi.memory.buffer.byteLength;
    expect(dpi.raw(TCP, 1, 2, size - 4, 16, 0, 0, 1024)).toBe(DPI_UNKNOWN);
    expect(dpi.raw(TCP, 1, 2, 0, 0, size, 1, 1024)).toBe(DPI_UNKNOWN);
    expect(dpi.raw(TCP, 1, 2, 0, 0, 0, 0, size - 8)).toBe(DPI_UNKNOWN);
    expect(dpi.raw(TCP, 1, 2, 0xfffffff0, 64, 0, 0, 1024)).toBe(DPI_UNKNOWN);
    expect(dpi.raw(TCP, 1, 2, 1024, -5, 2048, -1, 0)).toBe(DPI_MORE);
  });
});

describe("truncations of real flows never name another application", () => {
  test.each(real.map((f) => [f.name, f] as const))("%s", (_n, f) => {
    const full = dpi.code(f.proto, f.sport, f.dport, f.cli, f.srv);
    // Every cut of one side with the other empty or whole, then random cuts of both.
    for (const [a, b] of [[f.cli, f.srv], [f.srv, f.cli]] as const) {
      for (const other of [b.subarray(0, 0), b]) {
        for (let i = 0; i <= a.length; i++) {
          const [c, s] = a === f.cli ? [a.subarray(0, i), other] : [other, a.subarray(0, i)];
          const r = dpi.code(f.proto, f.sport, f.dport, c, s);
          if (r !== full && r !== DPI_MORE && r !== DPI_UNKNOWN) {
            expect.fail(`cut at ${c.length}/${s.length}: ${codeName(r)}, full prefixes: ${codeName(full)}`);
          }
        }
      }
    }
    fc.assert(
      fc.property(fc.nat({ max: f.cli.length }), fc.nat({ max: f.srv.length }), (i, j) => {
        const r = dpi.code(f.proto, f.sport, f.dport, f.cli.subarray(0, i), f.srv.subarray(0, j));
        const ok = r === full || r === DPI_MORE || r === DPI_UNKNOWN;
        expect(ok, `cut at ${i}/${j}: ${codeName(r)}, full prefixes: ${codeName(full)}`).toBe(true);
      }),
      { numRuns: 150 * SCALE, seed: 0x4e5653 + SCALE },
    );
  });
});

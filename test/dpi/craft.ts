/**
 * Hand-built protocol messages for the crafted DPI tests, and `grow`, which feeds a conversation
 * to identify one byte at a time, as the most fragmented delivery possible.
 */
import { expect } from "vitest";
import { bytes, cat, codeName, DPI_MORE, type Dpi, type DpiResult } from "./harness.js";

export function be16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}

export function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function le32(n: number): number[] {
  return [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
}

/** A TLS ClientHello record; `sni` adds a server_name extension, `extra` more extensions. */
export function clientHello(opts: { sni?: string; recordVersion?: number; helloVersion?: number; extra?: number[] } = {}): Uint8Array {
  const ext: number[] = [];
  if (opts.sni !== undefined) {
    const name = [...bytes(opts.sni)];
    const entry = [0, ...be16(name.length), ...name];
    ext.push(...be16(0), ...be16(entry.length + 2), ...be16(entry.length), ...entry);
  }
  ext.push(...be16(10), ...be16(4), ...be16(2), ...be16(29)); // supported_groups: x25519
  ext.push(...(opts.extra ?? []));
  const body = [
    ...be16(opts.helloVersion ?? 0x0303),
    ...new Array<number>(32).fill(7),
    0, // session id
    ...be16(4), 0x13, 0x01, 0xc0, 0x2f, // cipher suites
    1, 0, // compression
    ...be16(ext.length), ...ext,
  ];
  const hs = [1, (body.length >> 16) & 255, ...be16(body.length & 0xffff), ...body];
  return Uint8Array.from([22, ...be16(opts.recordVersion ?? 0x0301), ...be16(hs.length), ...hs]);
}

/** A DNS query for `name` (type A, class IN). */
export function dnsQuery(name: string, id = 0x1234): Uint8Array {
  const labels = name.split(".").flatMap((l) => [l.length, ...bytes(l)]);
  return Uint8Array.from([...be16(id), 0x01, 0x00, ...be16(1), 0, 0, 0, 0, 0, 0, ...labels, 0, ...be16(1), ...be16(1)]);
}

/** A PostgreSQL v3 StartupMessage. */
export function pgStartup(protocol = 0x00030000, params: [string, string][] = [["user", "app"], ["database", "shop"]]): Uint8Array {
  const body = [...be32(protocol), ...params.flatMap(([k, v]) => [...bytes(k), 0, ...bytes(v), 0]), 0];
  return Uint8Array.from([...be32(body.length + 4), ...body]);
}

/** A MySQL v10 initial handshake (server greeting). */
export function mysqlGreeting(version = "8.0.36"): Uint8Array {
  const payload = [
    10, ...bytes(version), 0, ...le32(42), ...bytes("abcdefgh"), 0,
    0xff, 0xf7, 0x21, 0x02, 0x00, 0xff, 0xc1, 21, ...new Array<number>(10).fill(0),
    ...bytes("ijklmnopqrst"), 0, ...bytes("caching_sha2_password"), 0,
  ];
  return Uint8Array.from([payload.length & 255, (payload.length >> 8) & 255, 0, 0, ...payload]);
}

/** The HTTP/2 client preface, an empty SETTINGS frame and one HEADERS frame over `block`. */
export function h2Request(block: number[]): Uint8Array {
  const frame = (type: number, flags: number, stream: number, payload: number[]) => [
    (payload.length >> 16) & 255, ...be16(payload.length & 0xffff), type, flags, ...be32(stream), ...payload,
  ];
  return cat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", frame(4, 0, 0, []), frame(1, 4, 1, block));
}

/** An HPACK literal header without indexing, new name, raw (non-Huffman) strings: gRPC C-core's form. */
export function hpackLiteral(name: string, value: string): number[] {
  return [0x00, name.length, ...bytes(name), value.length, ...bytes(value)];
}

/** An HPACK literal with incremental indexing and an indexed name (raw value). */
export function hpackIndexedName(index: number, value: string): number[] {
  return [0x40 | index, value.length, ...bytes(value)];
}

export interface Grown {
  /** The first answer that is not DPI_MORE, or DPI_MORE. */
  code: number;
  /** Bytes fed (both directions) when it came. */
  at: number;
  result: DpiResult;
}

/**
 * Feed a conversation byte by byte (each message of `parts` completely before the next), calling
 * identify after every byte. Checks that the first non-DPI_MORE answer never changes as the
 * prefixes keep growing (monotonicity), and returns it.
 */
export function grow(dpi: Dpi, proto: number, sport: number, dport: number, parts: [0 | 1, Uint8Array | string][]): Grown {
  let cli: Uint8Array = new Uint8Array(0);
  let srv: Uint8Array = new Uint8Array(0);
  let first: Grown | undefined;
  let fed = 0;
  for (const [dir, data] of parts) {
    const b = typeof data === "string" ? bytes(data) : data;
    for (let i = 0; i < b.length; i++) {
      if (dir === 0) cli = cat(cli, [b[i]!]);
      else srv = cat(srv, [b[i]!]);
      fed++;
      const r = dpi.identify(proto, sport, dport, cli, srv);
      if (first === undefined && r.code !== DPI_MORE) first = { code: r.code, at: fed, result: r };
      else if (first !== undefined) expect(codeName(r.code), `after ${fed} bytes`).toBe(codeName(first.code));
    }
  }
  return first ?? { code: DPI_MORE, at: fed, result: dpi.identify(proto, sport, dport, cli, srv) };
}

/** identify over complete messages (strings are latin1). */
export function once(dpi: Dpi, proto: number, sport: number, dport: number, cli: Uint8Array | string, srv: Uint8Array | string = ""): DpiResult {
  return dpi.identify(proto, sport, dport, typeof cli === "string" ? bytes(cli) : cli, typeof srv === "string" ? bytes(srv) : srv);
}

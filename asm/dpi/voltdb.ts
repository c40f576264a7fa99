// VoltDB's client wire protocol: the client logs in first. Login request: 4-byte big-endian
// message length, protocol version 0 or 1 (version 1 adds a password-hash scheme byte: 0 SHA-1,
// 1 SHA-256), then the service as a VoltDB string (4-byte length + bytes) `database`, the user
// name as a string, and the password hash (20 bytes for SHA-1, 32 for SHA-256), ending exactly at
// the message length. No fixture exists (there is no VoltDB client on npm or in Debian); the
// crafted tests follow the published wire protocol.
import { APP_VOLTDB } from "./apps";
import { be32at, lit, LIT_NO, LIT_PART, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_USER: i64 = 1024;

export function voltdb(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const r = login(cli, cl);
  return r == DPI_MORE ? clientMore(cl, sl) : r;
}

/** The login request: APP_VOLTDB, DPI_MORE or DPI_UNKNOWN. */
function login(cli: usize, cl: i32): i32 {
  // A login is short: the length's first two bytes are 0.
  for (let k = 0; k < 2; k++) {
    const c = u8at(cli, cl, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  const version = u8at(cli, cl, 4);
  if (version < 0) return DPI_MORE;
  if (version > 1) return DPI_UNKNOWN;
  let i = 5;
  let hashLen: i64 = 20;
  if (version == 1) {
    const scheme = u8at(cli, cl, 5);
    if (scheme < 0) return DPI_MORE;
    if (scheme > 1) return DPI_UNKNOWN;
    if (scheme == 1) hashLen = 32;
    i = 6;
  }
  const service = be32at(cli, cl, i);
  if (service < 0) return DPI_MORE;
  if (service != 8) return DPI_UNKNOWN;
  const m = lit(cli, cl, i + 4, "database");
  if (m == LIT_NO) return DPI_UNKNOWN;
  if (m == LIT_PART) return DPI_MORE;
  const user = be32at(cli, cl, i + 12);
  if (user < 0) return DPI_MORE;
  if (user > MAX_USER) return DPI_UNKNOWN;
  // Version 0 servers take either hash size: the length decides which.
  const n = be32at(cli, cl, 0);
  const body = <i64>(i - 4) + 4 + 8 + 4 + user;
  if (n == body + hashLen || (version == 0 && n == body + 32)) return APP_VOLTDB;
  return DPI_UNKNOWN;
}

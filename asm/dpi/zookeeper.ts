// ZooKeeper's client protocol (NeuVector dpi_zookeeper.c): the session opens with a
// ConnectRequest, a length-prefixed (big-endian) record: protocolVersion 0, lastZxidSeen (8),
// timeOut (4, positive), sessionId (8), passwd (4-byte length, at most 16 bytes), and since 3.4 a
// readOnly byte (0 or 1). Its length must be exactly that record's. The request alone decides:
// the client sends it before the server says anything, so the answer never waits for the server.
// The same port takes the admin "four-letter words" (`ruok`, `srvr`, `mntr` ...): a connection
// whose whole client payload is one of them (optionally ending in a newline) is ZooKeeper when the
// server answers as ZooKeeper does: `imok`, `Zookeeper version: `, `zk_version` ..., or
// `<word> is not executed because it is not in the whitelist.` when 4lw are disabled.
import { APP_ZOOKEEPER } from "./apps";
import { be32at, isText, lit, litList, LIT_NO, LIT_PART, LIT_YES, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_PASSWD: i64 = 16;
/** ConnectRequest fields before the passwd: version (4), zxid (8), timeOut (4), sessionId (8). */
const FIXED: i64 = 24;
const TIMEOUT_AT: i32 = 4 + 12;

/** The ConnectRequest at the start of p: 1, DPI_MORE or DPI_UNKNOWN. */
function connectRequest(p: usize, len: i32): i32 {
  // The length prefix is small: its first three bytes are 0.
  for (let k = 0; k < 3; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  const n = be32at(p, len, 0);
  if (n < 0) return DPI_MORE;
  if (n < FIXED + 4 || n > FIXED + 4 + MAX_PASSWD + 1) return DPI_UNKNOWN;
  const version = be32at(p, len, 4);
  if (version < 0) return DPI_MORE;
  if (version != 0) return DPI_UNKNOWN;
  const timeout = be32at(p, len, TIMEOUT_AT);
  if (timeout < 0) return DPI_MORE;
  if (timeout == 0 || timeout > 0x7fffffff) return DPI_UNKNOWN;
  const pw = be32at(p, len, 4 + <i32>FIXED);
  if (pw < 0) return DPI_MORE;
  if (pw > MAX_PASSWD) return DPI_UNKNOWN;
  const body = FIXED + 4 + pw;
  if (n != body && n != body + 1) return DPI_UNKNOWN;
  if (n == body + 1) {
    const ro = u8at(p, len, 4 + <i32>body);
    if (ro < 0) return DPI_MORE;
    if (ro > 1) return DPI_UNKNOWN;
  }
  return 1;
}

/** Four-letter words with a reply of their own, then those answered by free text. */
const WORDS_KNOWN = "ruok|srvr|stat|mntr|conf|envi|isro|srst|crst|dirs";
const WORDS_TEXT = "cons|dump|reqs|wchc|wchp|wchs|gtmk|stmk";
/** Replies to WORDS_KNOWN, in the same order. */
const REPLIES = "imok|Zookeeper version: |Zookeeper version: |zk_version|clientPort=|Environment:|r|Server stats reset.|Connection stats reset.|datadir_size:";

/** The `index`-th word of a `|`-separated list against the bytes at 0 of p: LIT_YES / LIT_PART / LIT_NO. */
function listItem(p: usize, len: i32, list: string, index: i32): i32 {
  let start = 0;
  for (let k = 0; k < index && start < list.length; start++) if (list.charCodeAt(start) == 0x7c) k++;
  for (let k = 0; start + k < list.length && list.charCodeAt(start + k) != 0x7c; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return LIT_PART;
    if (c != list.charCodeAt(start + k)) return LIT_NO;
  }
  return LIT_YES;
}

/** The four-letter word exchange: APP_ZOOKEEPER, DPI_MORE or DPI_UNKNOWN. */
function fourLetterWord(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  // The client's payload is the word and at most a line end (LF or CR LF).
  for (let k = 0; k < min(cl, 4); k++) {
    const c = <i32>load<u8>(cli + <usize>k);
    if (c < 0x61 || c > 0x7a) return DPI_UNKNOWN;
  }
  if (cl < 4) return clientMore(cl, sl);
  const e = u8at(cli, cl, 4);
  if (e >= 0 && e != 0x0d && e != 0x0a) return DPI_UNKNOWN;
  if (cl > (e == 0x0d ? 6 : 5) || (cl == 6 && load<u8>(cli + 5) != 0x0a)) return DPI_UNKNOWN;
  let known = -1;
  for (let k = 0; k < 10; k++) if (listItem(cli, cl, WORDS_KNOWN, k) == LIT_YES) known = k;
  if (known < 0 && litList(cli, cl, 0, WORDS_TEXT) == 0) return DPI_UNKNOWN;
  if (sl == 0) return DPI_MORE;
  // A disabled word: the server names it back.
  let same = true;
  for (let k = 0; k < 4 && k < sl; k++) if (load<u8>(srv + <usize>k) != load<u8>(cli + <usize>k)) same = false;
  if (same) {
    const m = lit(srv, sl, 4, " is not executed");
    if (m != LIT_NO) return m == LIT_YES ? APP_ZOOKEEPER : DPI_MORE;
  }
  if (known >= 0) {
    // isro answers `rw` or `ro`: the list holds their common `r`.
    const m = listItem(srv, sl, REPLIES, known);
    return m == LIT_YES ? APP_ZOOKEEPER : m == LIT_PART ? DPI_MORE : DPI_UNKNOWN;
  }
  return isText(<i32>load<u8>(srv)) || load<u8>(srv) == 0x0a ? APP_ZOOKEEPER : DPI_UNKNOWN;
}

export function zookeeper(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = connectRequest(cli, cl);
  if (c == 1) return APP_ZOOKEEPER;
  if (c == DPI_MORE) return clientMore(cl, sl);
  return fourLetterWord(cli, cl, srv, sl);
}

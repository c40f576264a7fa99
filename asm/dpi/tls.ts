// SSL/TLS, from the client's first record (NeuVector dpi_ssl.c get_ssl_ver): a handshake record
// (type 22) with record version 0x0300-0x0303 carrying a ClientHello whose client_version is
// 0x0300-0x0303, or an SSLv2 CLIENT-HELLO (length with the top bit set, version 0x0002 or
// 0x0300-0x0303). Stricter than NeuVector, which also takes a first record of type 20/21: a
// client always opens with a ClientHello. The SNI (extension 0) is the virtual host.
// TDS 8 (SQL Server's strict encryption, MS-TDS §2.1 / §3.2.5.1) opens with TLS before any TDS
// byte, and its clients name it in ALPN (extension 16) as `tds/8.0` (tedious, ODBC 18,
// SqlClient): a ClientHello offering `tds/8.0` is TDS, decided from the client's own words.
// Without that ALPN entry a TLS-first connection to 1433 is SSL: ports never decide.
import { APP_SSL, APP_TDS } from "./apps";
import { be16at, be24at, has, lit, LIT_YES, u8at } from "./bytes";
import { DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, setHost, setProvisional } from "./result";

/** Largest TLS record payload: 2^14 plus the 2048 bytes of expansion TLSCiphertext allows. */
const MAX_RECORD: i32 = 18432;

@inline function sslVersion(major: i32, minor: i32): bool {
  return major == 3 && minor >= 0 && minor <= 3;
}

@inline function hostChar(c: i32): bool {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f;
}

/** server_name extension data at [i, end): the first host_name entry becomes the virtual host. */
function sni(p: usize, len: i32, i: i32, end: i32, out: usize): void {
  const listLen = be16at(p, len, i);
  if (listLen < 3 || i + 2 + listLen > end) return;
  if (u8at(p, len, i + 2) != 0) return;
  const n = be16at(p, len, i + 3);
  const a = i + 5;
  if (n < 1 || n > 255 || a + n > end || !has(len, a, n)) return;
  for (let k = 0; k < n; k++) if (!hostChar(<i32>load<u8>(p + <usize>(a + k)))) return;
  setHost(out, a, n);
}

/** ALPN extension data at [i, end): does its protocol list offer `tds/8.0`? */
function offersTds8(p: usize, len: i32, i: i32, end: i32): bool {
  const listEnd = i + 2 + be16at(p, len, i);
  if (listEnd > end) return false;
  for (let k = i + 2; k < listEnd; ) {
    const n = u8at(p, len, k);
    if (n < 1) return false;
    if (n == 7 && lit(p, len, k + 1, "tds/8.0") == LIT_YES) return true;
    k += 1 + n;
  }
  return false;
}

/**
 * An SSLv2 CLIENT-HELLO: 2-byte header with the top bit set, msg type 1, version, then cipher
 * spec / session id / challenge lengths that add up to the record length.
 */
function sslv2(p: usize, len: i32): i32 {
  const msg = u8at(p, len, 2);
  if (msg >= 0 && msg != 1) return DPI_UNKNOWN;
  const ver = be16at(p, len, 3);
  if (ver >= 0 && ver != 0x0002 && !sslVersion(ver >> 8, ver & 0xff)) return DPI_UNKNOWN;
  if (len < 11) return DPI_MORE;
  const recLen = ((<i32>load<u8>(p) & 0x7f) << 8) | <i32>load<u8>(p + 1);
  const cs = be16at(p, len, 5);
  const sid = be16at(p, len, 7);
  const ch = be16at(p, len, 9);
  if (cs == 0 || cs % 3 != 0 || (sid != 0 && sid != 16) || ch < 16 || ch > 32) return DPI_UNKNOWN;
  return recLen == 9 + cs + sid + ch ? APP_SSL : DPI_UNKNOWN;
}

/**
 * The ClientHello of the first handshake record: every present byte must agree. SSL (TDS when
 * ALPN offers `tds/8.0`) once the extensions are all in, or the hello is complete; before that
 * DPI_MORE (provisionally SSL), unless the prefix is full or the server answered a complete first
 * record (the hello goes on in a record that is not walked): the rest will not come. A server
 * answering a record cut short is a capture that lost bytes: SSL stays provisional, since what is
 * missing may be an ALPN entry naming TDS 8.
 */
function clientHello(p: usize, len: i32, sl: i32, out: usize): i32 {
  if (len < 5) return DPI_MORE;
  if (!sslVersion(<i32>load<u8>(p + 1), <i32>load<u8>(p + 2))) return DPI_UNKNOWN;
  const recLen = be16at(p, len, 3);
  if (recLen < 42 || recLen > MAX_RECORD) return DPI_UNKNOWN;
  const hsType = u8at(p, len, 5);
  if (hsType < 0) return DPI_MORE;
  if (hsType != 1) return DPI_UNKNOWN;
  const hsLen = be24at(p, len, 6);
  if (hsLen < 0) return DPI_MORE;
  if (hsLen < 38) return DPI_UNKNOWN;
  const major = u8at(p, len, 9);
  const minor = u8at(p, len, 10);
  if (minor < 0) return DPI_MORE;
  if (!sslVersion(major, minor)) return DPI_UNKNOWN;
  setProvisional(out, APP_SSL);
  // The hello may continue in a later record; only the first record's part is walked.
  const end = min(9 + hsLen, 5 + recLen);
  const waiting = len >= DPI_PREFIX_CAP || (sl > 0 && len >= 5 + recLen) ? APP_SSL : DPI_MORE;
  let i = 43;
  const sid = u8at(p, len, i);
  if (sid < 0) return waiting;
  if (sid > 32) return DPI_UNKNOWN;
  i += 1 + sid;
  const cs = be16at(p, len, i);
  if (cs < 0) return waiting;
  if (cs < 2 || (cs & 1) != 0) return DPI_UNKNOWN;
  i += 2 + cs;
  const comp = u8at(p, len, i);
  if (comp < 0) return i >= end ? DPI_UNKNOWN : waiting;
  if (comp < 1) return DPI_UNKNOWN;
  i += 1 + comp;
  if (i == end) return APP_SSL;
  if (i > end) return DPI_UNKNOWN;
  const extLen = be16at(p, len, i);
  if (extLen < 0) return waiting;
  i += 2;
  const extEnd = i + extLen;
  if (extEnd > end) return end < 9 + hsLen ? waiting : DPI_UNKNOWN;
  let app = APP_SSL;
  while (i < extEnd) {
    const type = be16at(p, len, i);
    const n = be16at(p, len, i + 2);
    if (n < 0) return waiting;
    if (i + 4 + n > extEnd) return DPI_UNKNOWN;
    if (type == 0 || type == 16) {
      if (!has(len, i + 4, n)) return waiting;
      if (type == 0) sni(p, len, i + 4, i + 4 + n, out);
      else if (offersTds8(p, len, i + 4, i + 4 + n)) app = APP_TDS;
    }
    i += 4 + n;
  }
  if (i != extEnd) return DPI_UNKNOWN;
  return extEnd <= len ? app : waiting;
}

/** A server's first record, when it is all there is: handshake or alert with an SSL version. */
function serverFirst(srv: usize, sl: i32): i32 {
  const t = u8at(srv, sl, 0);
  if (t != 22 && t != 21) return DPI_UNKNOWN;
  if (sl < 3) return DPI_MORE;
  return sslVersion(<i32>load<u8>(srv + 1), <i32>load<u8>(srv + 2)) ? DPI_MORE : DPI_UNKNOWN;
}

export function tls(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : serverFirst(srv, sl);
  const b0 = <i32>load<u8>(cli);
  if (b0 == 22) return clientHello(cli, cl, sl, out);
  if (b0 >= 0x80) return sslv2(cli, cl);
  return DPI_UNKNOWN;
}

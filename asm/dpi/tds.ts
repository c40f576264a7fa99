// Microsoft SQL Server's TDS (NeuVector dpi_tds.c). The client opens with a PRELOGIN packet:
// type 0x12, status 0x01 (end of message), a big-endian length equal to the packet, SPID 0,
// window 0, then the PRELOGIN option list: (token, offset, length) triples with tokens 0-8,
// closed by 0xFF, every option's data inside the packet. Pre-7.1 clients may open with LOGIN7
// (type 0x10) instead: its little-endian length and TDS version (7.0-7.4) must fit. The client's
// packet alone decides; a server packet before it (TDS never speaks first) rules TDS out.
import { APP_TDS } from "./apps";
import { be16at, le32at, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN } from "./result";

const T_PRELOGIN: i32 = 0x12;
const T_LOGIN7: i32 = 0x10;
const HEADER: i32 = 8;
const MAX_PACKET: i32 = 32768;
const MAX_OPTIONS: i32 = 16;

/** The 8-byte packet header: the packet length, DPI_MORE or DPI_UNKNOWN. */
function packetHeader(p: usize, len: i32): i32 {
  const type = u8at(p, len, 0);
  if (type < 0) return DPI_MORE;
  if (type != T_PRELOGIN && type != T_LOGIN7) return DPI_UNKNOWN;
  const status = u8at(p, len, 1);
  if (status < 0) return DPI_MORE;
  if (status != 1) return DPI_UNKNOWN;
  const n = be16at(p, len, 2);
  if (n < 0) return DPI_MORE;
  if (n <= HEADER || n > MAX_PACKET) return DPI_UNKNOWN;
  for (let k = 4; k < HEADER; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    // SPID (2 bytes) and window are 0; the packet id (byte 6) is 0 or 1.
    if (k == 6 ? c > 1 : c != 0) return DPI_UNKNOWN;
  }
  return n;
}

/** PRELOGIN options in the payload [HEADER, end): 1, DPI_MORE or DPI_UNKNOWN. */
function prelogin(p: usize, len: i32, end: i32): i32 {
  const payload = end - HEADER;
  let i = HEADER;
  for (let k = 0; k < MAX_OPTIONS; k++) {
    const token = u8at(p, len, i);
    if (token < 0) return DPI_MORE;
    if (token == 0xff) return k > 0 ? 1 : DPI_UNKNOWN;
    if (token > 8) return DPI_UNKNOWN;
    const off = be16at(p, len, i + 1);
    const n = be16at(p, len, i + 3);
    if (n < 0) return DPI_MORE;
    if (off + n > payload) return DPI_UNKNOWN;
    i += 5;
    if (i >= end) return DPI_UNKNOWN;
  }
  return DPI_UNKNOWN;
}

/** LOGIN7: its own little-endian length equals the packet payload, TDS 7.0 to 7.4. */
function login7(p: usize, len: i32, end: i32): i32 {
  const n = le32at(p, len, HEADER);
  const v = le32at(p, len, HEADER + 4);
  if (v < 0) return DPI_MORE;
  if (n != <i64>(end - HEADER)) return DPI_UNKNOWN;
  return v == 0x70000000 || v == 0x71000000 || v == 0x71000001 || v == 0x72090002 || v == 0x730a0003 || v == 0x730b0003 || v == 0x74000004
    ? 1
    : DPI_UNKNOWN;
}

export function tds(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const n = packetHeader(cli, cl);
  if (n < 0) return n == DPI_MORE ? clientMore(cl, sl) : n;
  if (cutShort(cl, sl, n)) return DPI_UNKNOWN;
  const r = load<u8>(cli) == T_PRELOGIN ? prelogin(cli, cl, n) : login7(cli, cl, n);
  return r == 1 ? APP_TDS : r == DPI_MORE ? clientMore(cl, sl) : r;
}

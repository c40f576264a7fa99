// Oracle TNS (NeuVector dpi_tns.c). The client opens with a CONNECT packet: big-endian packet
// length, packet checksum 0, type 1, flags, header checksum 0, then the connect header: version
// (300-399) and compatible version (not above it), service options, SDU/TDU sizes, protocol
// characteristics, line turnaround, the "value of 1 in hardware" (the byte-order probe: 0x0001 from
// a big-endian client, 0x0100 from a little-endian one, which writes it in its own order),
// and the connect data's length and offset (the data itself may follow in a separate packet when
// it is long). It is TNS when the server's reply is a TNS packet of type ACCEPT, REFUSE,
// REDIRECT or RESEND. NeuVector also checks the descriptor's PORT against 1521-1540; that
// is a port rule in disguise, not used here.
import { APP_TNS } from "./apps";
import { be16at, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const T_CONNECT: i32 = 1;
const T_ACCEPT: i32 = 2;
const T_REFUSE: i32 = 4;
const T_REDIRECT: i32 = 5;
const T_RESEND: i32 = 11;
/** Header (8) + connect header up to the connect data offset (26). */
const MIN_CONNECT: i32 = 34;
const MAX_CONNECT: i32 = 8192;

/** Bytes 2-3 (packet checksum) and 6-7 (header checksum) are zero; -1 cut, 0 no, 1 yes. */
function zeroChecksums(p: usize, len: i32): i32 {
  const a = be16at(p, len, 2);
  if (a > 0) return 0;
  const b = be16at(p, len, 6);
  if (b > 0) return 0;
  return b < 0 ? -1 : 1;
}

/** The CONNECT packet: 1, DPI_MORE or DPI_UNKNOWN. */
function connect(p: usize, len: i32): i32 {
  const n = be16at(p, len, 0);
  if (n < 0) return u8at(p, len, 0) > (MAX_CONNECT >> 8) ? DPI_UNKNOWN : DPI_MORE;
  if (n < MIN_CONNECT || n > MAX_CONNECT) return DPI_UNKNOWN;
  const type = u8at(p, len, 4);
  if (type >= 0 && type != T_CONNECT) return DPI_UNKNOWN;
  const z = zeroChecksums(p, len);
  if (z == 0) return DPI_UNKNOWN;
  if (z < 0) return DPI_MORE;
  const version = be16at(p, len, 8);
  const compat = be16at(p, len, 10);
  if (compat < 0) return DPI_MORE;
  if (version < 300 || version > 399 || compat < 300 || compat > version) return DPI_UNKNOWN;
  const one = be16at(p, len, 22);
  if (one < 0) return DPI_MORE;
  if (one != 1 && one != 0x0100) return DPI_UNKNOWN;
  const dataLen = be16at(p, len, 24);
  const dataOff = be16at(p, len, 26);
  if (dataOff < 0) return DPI_MORE;
  if (dataLen > 0 && (dataOff < MIN_CONNECT || dataOff > n)) return DPI_UNKNOWN;
  return 1;
}

/** The server's first packet: a TNS header whose type answers a CONNECT. */
function reply(p: usize, len: i32): i32 {
  const z = zeroChecksums(p, len);
  if (z == 0) return DPI_UNKNOWN;
  const type = u8at(p, len, 4);
  if (type < 0 || z < 0) return DPI_MORE;
  return type == T_ACCEPT || type == T_REFUSE || type == T_REDIRECT || type == T_RESEND ? APP_TNS : DPI_UNKNOWN;
}

export function tns(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = connect(cli, cl);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  setProvisional(out, APP_TNS);
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, be16at(cli, cl, 0))) return DPI_UNKNOWN;
  return reply(srv, sl);
}

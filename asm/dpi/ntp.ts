// NTP (NeuVector dpi_ntp.c). The client's datagram is a 48-byte NTP header (plus extension
// fields or a MAC: a multiple of 4 up to 1024 bytes) with version 1-4 and mode 3 (client) or 1
// (symmetric active). It is NTP when the server's datagram answers it: mode 4 (server) or 2
// (symmetric passive), the same version, and an originate timestamp (bytes 24-31) equal to the
// client's transmit timestamp (bytes 40-47), which is how NTP itself matches replies. A request
// that gets no reply, or a lone server reply (a capture that missed the request, or the reply
// direction of an asymmetric route), is only provisional NTP, and only with port 123 on one side:
// 48 bytes with the right first byte are too common to name NTP on their own.
//
// Modes 6 and 7 are NTP's control (ntpq, RFC 9327) and private (ntpdc, the reference
// implementation's, monlist among them) messages, what monitoring tools and scanners send:
// mode 6 a 12-byte header (response/error/more bits and opcode 1-31, sequence, status,
// association id, offset, count) with `count` data bytes fitting the datagram; mode 7 an 8-byte
// header (response and more bits with the version, sequence, implementation 0/2/3, request code,
// item count and size) whose items fit it. The reply to either has the response bit, the same
// opcode and sequence (mode 6) or implementation and request code (mode 7).
import { APP_NTP } from "./apps";
import { has } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const HEADER: i32 = 48;
const MAX_DATAGRAM: i32 = 1024;
const NTP_PORT: i32 = 123;

@inline function version(b: i32): i32 {
  return (b >> 3) & 7;
}

@inline function mode(b: i32): i32 {
  return b & 7;
}

function sizeOk(len: i32): bool {
  return len >= HEADER && len <= MAX_DATAGRAM && (len & 3) == 0;
}

/** A mode 6 control message of `len` bytes; `response`: the R bit it must have. */
function control(p: usize, len: i32, response: bool): bool {
  if (len < 12 || len > MAX_DATAGRAM) return false;
  const b1 = <i32>load<u8>(p + 1);
  const op = b1 & 0x1f;
  if (op == 0 || ((b1 & 0x80) != 0) != response || (!response && (b1 & 0x60) != 0)) return false;
  const count = (<i32>load<u8>(p + 10) << 8) | <i32>load<u8>(p + 11);
  return 12 + count <= len;
}

/** A mode 7 private message of `len` bytes; `response`: the R bit it must have. */
function private7(p: usize, len: i32, response: bool): bool {
  if (len < 8 || len > MAX_DATAGRAM) return false;
  const b0 = <i32>load<u8>(p);
  const impl = <i32>load<u8>(p + 2);
  if (((b0 & 0x80) != 0) != response || (impl != 0 && impl != 2 && impl != 3)) return false;
  const b4 = <i32>load<u8>(p + 4);
  if (!response && (b4 >> 4) != 0) return false;
  const items = ((b4 & 15) << 8) | <i32>load<u8>(p + 5);
  const size = ((<i32>load<u8>(p + 6) & 15) << 8) | <i32>load<u8>(p + 7);
  return (<u8>load<u8>(p + 6) >> 4) == 0 && 8 + items * size <= len;
}

/** Modes 6 and 7: the request, then the reply that answers it. */
function controlOrPrivate(ntpPort: bool, cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  const c = <i32>load<u8>(cli);
  const m = mode(c);
  const ok = m == 6 ? control(cli, cl, false) : private7(cli, cl, false);
  if (!ok) return DPI_UNKNOWN;
  if (ntpPort) setProvisional(out, APP_NTP);
  if (sl == 0) return DPI_MORE;
  const s = <i32>load<u8>(srv);
  if (mode(s) != m || version(s) != version(c)) return DPI_UNKNOWN;
  if (m == 6) {
    const same = sl >= 4 && (<i32>load<u8>(srv + 1) & 0x1f) == (<i32>load<u8>(cli + 1) & 0x1f) && load<u16>(srv + 2) == load<u16>(cli + 2);
    return same && control(srv, sl, true) ? APP_NTP : DPI_UNKNOWN;
  }
  const same = sl >= 4 && load<u8>(srv + 2) == load<u8>(cli + 2) && load<u8>(srv + 3) == load<u8>(cli + 3);
  return same && private7(srv, sl, true) ? APP_NTP : DPI_UNKNOWN;
}

/** A server's reply with no request seen: provisional NTP on port 123, waiting for the request. */
function loneReply(ntpPort: bool, srv: usize, sl: i32, out: usize): i32 {
  if (!sizeOk(sl)) return DPI_UNKNOWN;
  const s = <i32>load<u8>(srv);
  const v = version(s);
  const stratum = <i32>load<u8>(srv + 1);
  if (v < 1 || v > 4 || (mode(s) != 4 && mode(s) != 2) || stratum > 16) return DPI_UNKNOWN;
  if (ntpPort) setProvisional(out, APP_NTP);
  return DPI_MORE;
}

export function ntp(sport: i32, dport: i32, cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  const ntpPort = sport == NTP_PORT || dport == NTP_PORT;
  if (cl == 0) return sl == 0 ? DPI_MORE : loneReply(ntpPort, srv, sl, out);
  const c = <i32>load<u8>(cli);
  const v = version(c);
  if (v < 1 || v > 4) return DPI_UNKNOWN;
  if (mode(c) == 6 || mode(c) == 7) return controlOrPrivate(ntpPort, cli, cl, srv, sl, out);
  if (!sizeOk(cl)) return DPI_UNKNOWN;
  if (mode(c) != 3 && mode(c) != 1) return DPI_UNKNOWN;
  if (ntpPort) setProvisional(out, APP_NTP);
  if (sl == 0) return DPI_MORE;
  if (!sizeOk(sl) || !has(cl, 40, 8) || !has(sl, 24, 8)) return DPI_UNKNOWN;
  const s = <i32>load<u8>(srv);
  if (version(s) != v || (mode(s) != 4 && mode(s) != 2)) return DPI_UNKNOWN;
  return load<u64>(srv + 24) == load<u64>(cli + 40) ? APP_NTP : DPI_UNKNOWN;
}

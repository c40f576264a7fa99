// NTP (NeuVector dpi_ntp.c). The client's datagram is a 48-byte NTP header (plus extension
// fields or a MAC: a multiple of 4 up to 1024 bytes) with version 1-4 and mode 3 (client) or 1
// (symmetric active). It is NTP when the server's datagram answers it: mode 4 (server) or 2
// (symmetric passive), the same version, and an originate timestamp (bytes 24-31) equal to the
// client's transmit timestamp (bytes 40-47), which is how NTP itself matches replies. A request
// that gets no reply is only provisional NTP, and only with port 123 on one side: 48 bytes
// with the right first byte are too common to name NTP on their own.
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

export function ntp(sport: i32, dport: i32, cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  if (!sizeOk(cl)) return DPI_UNKNOWN;
  const c = <i32>load<u8>(cli);
  const v = version(c);
  if (v < 1 || v > 4 || (mode(c) != 3 && mode(c) != 1)) return DPI_UNKNOWN;
  if (sport == NTP_PORT || dport == NTP_PORT) setProvisional(out, APP_NTP);
  if (sl == 0) return DPI_MORE;
  if (!sizeOk(sl) || !has(cl, 40, 8) || !has(sl, 24, 8)) return DPI_UNKNOWN;
  const s = <i32>load<u8>(srv);
  if (version(s) != v || (mode(s) != 4 && mode(s) != 2)) return DPI_UNKNOWN;
  return load<u64>(srv + 24) == load<u64>(cli + 40) ? APP_NTP : DPI_UNKNOWN;
}

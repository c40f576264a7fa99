// The DPI verdict codes and the result record `identify` fills (docs/protocols.md, "Result
// record"). identify clears the record on every call, so nothing stale survives a re-invocation.

/** Need more bytes: call identify again when either prefix has grown. Never an application id. */
export const DPI_MORE: i32 = -1;
/** No parser can match these prefixes, whatever follows: give up. Never an application id. */
export const DPI_UNKNOWN: i32 = -2;

/** Bytes of payload per direction the flow stage keeps; a prefix this long will not grow. */
export const DPI_PREFIX_CAP: i32 = 2048;
/** The caller gives up (see R_PROVISIONAL) after this many payload packets in either direction. */
export const DPI_MAX_PACKETS: i32 = 8;

// ---- result record: DPI_RESULT_SIZE bytes at `out`, little-endian -----------------------------
export const DPI_RESULT_SIZE: u32 = 40;
/** u16: the application to report if the caller gives up now (0: none, report unknown). */
export const R_PROVISIONAL: u32 = 0;
/** u16: R_HAS_* bits. */
export const R_FLAGS: u32 = 2;
/** u32 + u32: virtual host (HTTP Host without port, or TLS SNI) as offset and length into the client prefix. */
export const R_HOST_OFF: u32 = 4;
export const R_HOST_LEN: u32 = 8;
/** u16: HTTP server software from the response `Server:` header (Apache, nginx, Jetty, NodeJS) or 0. */
export const R_SERVER: u32 = 12;
/** u8: 4 or 6 when the leftmost X-Forwarded-For address was parsed, else 0. */
export const R_XFF_FAMILY: u32 = 14;
/** 16 bytes: that address as common/abi.ts encodes F_XFF (128-bit little-endian number, IPv4 as ::ffff:a.b.c.d). */
export const R_XFF: u32 = 16;
/** u32: offset of the request path (HTTP) into the client prefix, and its length (u32 at R_PATH_LEN). */
export const R_PATH_OFF: u32 = 32;
export const R_PATH_LEN: u32 = 36;

export const R_HAS_HOST: u32 = 1;
export const R_HAS_XFF: u32 = 2;
export const R_HAS_SERVER: u32 = 4;
export const R_HAS_PATH: u32 = 8;

/**
 * What a parser still waiting for the client's first message answers: DPI_MORE, unless the server
 * has already answered, which in a request/response protocol means the client's message is all
 * there (or cut by the prefix cap): then the short message rules the protocol out.
 */
@inline export function clientMore(cl: i32, sl: i32): i32 {
  return sl > 0 && cl < DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
}

/** The server answered while the client's first message (`need` bytes) is still incomplete. */
@inline export function cutShort(cl: i32, sl: i32, need: i64): bool {
  return sl > 0 && <i64>cl < min<i64>(need, <i64>DPI_PREFIX_CAP);
}

@inline export function clearResult(out: usize): void {
  memory.fill(out, 0, DPI_RESULT_SIZE);
}

@inline function addFlag(out: usize, f: u32): void {
  store<u16>(out + R_FLAGS, <u16>(<u32>load<u16>(out + R_FLAGS) | f));
}

@inline export function setProvisional(out: usize, app: i32): void {
  store<u16>(out + R_PROVISIONAL, <u16>app);
}

export function setHost(out: usize, off: i32, len: i32): void {
  store<u32>(out + R_HOST_OFF, <u32>off);
  store<u32>(out + R_HOST_LEN, <u32>len);
  addFlag(out, R_HAS_HOST);
}

export function setPath(out: usize, off: i32, len: i32): void {
  store<u32>(out + R_PATH_OFF, <u32>off);
  store<u32>(out + R_PATH_LEN, <u32>len);
  addFlag(out, R_HAS_PATH);
}

export function setServer(out: usize, app: i32): void {
  store<u16>(out + R_SERVER, <u16>app);
  addFlag(out, R_HAS_SERVER);
}

/** The address as two little-endian u64 halves (low first) and its family. */
export function setXff(out: usize, lo: u64, hi: u64, family: i32): void {
  store<u64>(out + R_XFF, lo);
  store<u64>(out + R_XFF + 8, hi);
  store<u8>(out + R_XFF_FAMILY, <u8>family);
  addFlag(out, R_HAS_XFF);
}

// PostgreSQL threats (NeuVector dpi_postgresql.c): the SQL text of the client's Query ('Q') and
// Parse ('P', after the statement name) messages to the SQL injection matcher (sql.ts). The
// client's stream is framed with carried header bytes and a count of bytes left: first the
// untyped startup message (length, protocol code), then typed messages (type byte, length), so a
// message may span segments and the text is matched as it streams by, up to its NUL.
//
// An SSLRequest or GSSENCRequest answered `S`/`G` by the server means TLS or GSSAPI follows: the
// flow is left alone (as after a CancelRequest, or bytes that are not the protocol: an unknown
// message type, a length below 4). NeuVector reads Query messages only.
import { sqlBegin, sqlText } from "./sql";
import { get32, get8, set32, set8, takeHeader } from "./stream-state";

// ---- layout -------------------------------------------------------------------------------------
const PH: u32 = 0;
const CF: u32 = 1;
const HAVE: u32 = 2;
const HDR: u32 = 3;
const LEFT: u32 = 11;
const SQL: u32 = 16;
export const PGSQL_STATE_BYTES: u32 = SQL + 25;

// PH
const G_START: u32 = 0;
const G_ENCRYPT: u32 = 1;
const G_MESSAGE: u32 = 2;
const G_DONE: u32 = 3;

// CF: where the current message's body is.
const CF_NAME: u32 = 1;
const CF_TEXT: u32 = 2;

const PROTOCOL_3: u32 = 0x00030000;
const SSL_REQUEST: u32 = 0x04d2162f;
const GSSENC_REQUEST: u32 = 0x04d21630;
const MAX_STARTUP: u32 = 10000;
/** Frontend message types (PostgreSQL protocol 3): B C c D d E F f H P p Q S X. */
const TYPES = "BCcDdEFfHPpQSX";

@inline function be32(s: usize, o: u32): u32 {
  return bswap<u32>(get32(s, o));
}

function knownType(t: u32): bool {
  for (let k = 0; k < TYPES.length; k++) if (<u32>TYPES.charCodeAt(k) == t) return true;
  return false;
}

/** Body bytes [i, end) of the current message: the text part goes to the matcher, up to its NUL. */
function body(s: usize, p: usize, i: u32, end: u32): void {
  // Every turn moves i forward or ends the loop.
  while (i < end) {
    const cf = get8(s, CF);
    if ((cf & (CF_NAME | CF_TEXT)) == 0) return;
    let nul = i;
    while (nul < end && load<u8>(p + <usize>nul) != 0) nul++;
    if ((cf & CF_TEXT) != 0) sqlText(s + SQL, p, i, nul);
    if (nul == end) return;
    // The NUL ends the statement name (the text follows) or the text.
    if ((cf & CF_NAME) != 0) {
      set8(s, CF, CF_TEXT);
      sqlBegin(s + SQL, false);
    } else set8(s, CF, 0);
    i = nul + 1;
  }
}

/** The header in HDR is complete: start the message body, or leave the flow. */
function header(s: usize): void {
  set8(s, HAVE, 0);
  if (get8(s, PH) == G_START) {
    const n = be32(s, HDR);
    const code = be32(s, HDR + 4);
    if ((code == SSL_REQUEST || code == GSSENC_REQUEST) && n == 8) set8(s, PH, G_ENCRYPT);
    else if (code == PROTOCOL_3 && n > 8 && n <= MAX_STARTUP) {
      set32(s, LEFT, n - 8);
      set8(s, CF, 0);
      set8(s, PH, G_MESSAGE);
    } else set8(s, PH, G_DONE);
    return;
  }
  const type = get8(s, HDR);
  const n = bswap<u32>(load<u32>(s + HDR + 1));
  if (!knownType(type) || n < 4) {
    set8(s, PH, G_DONE);
    return;
  }
  set32(s, LEFT, n - 4);
  if (type == 0x51) sqlBegin(s + SQL, false);
  set8(s, CF, type == 0x51 ? CF_TEXT : type == 0x50 ? CF_NAME : 0);
}

function client(s: usize, p: usize, len: u32): void {
  let i: u32 = 0;
  // Every turn consumes at least one byte, or completes a header (the next turn consumes).
  while (i < len) {
    const ph = get8(s, PH);
    if (ph == G_DONE) return;
    if (ph == G_ENCRYPT) {
      // The server's answer has not been seen: a TLS record means it said yes.
      set8(s, PH, load<u8>(p + <usize>i) == 0x16 ? G_DONE : G_START);
      continue;
    }
    const left = get32(s, LEFT);
    if (left > 0) {
      const n = min<u32>(left, len - i);
      body(s, p, i, i + n);
      set32(s, LEFT, left - n);
      i += n;
      continue;
    }
    const need: u32 = ph == G_START ? 8 : 5;
    i += takeHeader(s, HAVE, HDR, need, p, len, i);
    if (get8(s, HAVE) == need) header(s);
  }
}

/** PostgreSQL payload of one direction. */
export function pgsqlData(s: usize, toServer: bool, p: usize, len: u32): void {
  if (toServer) {
    client(s, p, len);
    return;
  }
  // The server's one-byte answer to SSLRequest / GSSENCRequest.
  if (get8(s, PH) == G_ENCRYPT && len > 0) {
    const b = load<u8>(p);
    set8(s, PH, b == 0x4e ? G_START : G_DONE);
  }
}

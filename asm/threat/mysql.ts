// MySQL / MariaDB threats (NeuVector dpi_mysql.c): access deny (the server refuses the login with
// an ERR packet, 0xff, of error 1044 or 1045) and the SQL text of COM_QUERY to the SQL injection
// matcher (sql.ts). Packets are a 3-byte little-endian length and a sequence byte; both directions
// are framed with carried header bytes and a count of payload bytes left, so packets may span
// segments and segments may hold several packets; the query text is matched as it streams by.
//
// The session: server greeting, client login (its capabilities say whether TLS or compression
// follows: then the rest is not readable and the flow is left alone), then server packets until
// the login's OK or ERR (auth-switch and more-data packets in between), then client commands.
// Evidence of a refused login is the server's message (`Access denied for user 'app'@'host'`),
// which names the user: the user name of the login packet would not fit in the flow's state.
//
// Differs from NeuVector: MariaDB's 1698 (access denied without a password, also its answer to
// an unknown user) counts too; the verdict is the login's final OK or ERR, after any auth-switch
// round trips (NeuVector looks only at the server's first reply); COM_STMT_PREPARE text is
// matched as well as COM_QUERY; a query longer than NeuVector's 4000 bytes is still matched (it
// gives up on the flow), and a query over several 16 MB packets is matched as one text.
import { T_MYSQL_ACCESS_DENY } from "./codes";
import { EVIDENCE_MAX, found } from "./found";
import { sqlBegin, sqlText } from "./sql";
import { get16, get24, get8, set16, set24, set8, takeHeader } from "./stream-state";

// ---- layout -------------------------------------------------------------------------------------
const PH: u32 = 0;
const CF: u32 = 1;
/** Client packet framing: header bytes read, length, payload bytes left. */
const C_HAVE: u32 = 2;
const C_LEN: u32 = 3;
const C_LEFT: u32 = 7;
const S_HAVE: u32 = 10;
const S_LEN: u32 = 11;
const S_LEFT: u32 = 15;
const ERR: u32 = 18;
/** The SQL matcher's state (sql.ts). */
const SQL: u32 = 20;
export const MYSQL_STATE_BYTES: u32 = SQL + 25;

// PH
const M_GREETING: u32 = 0;
const M_LOGIN: u32 = 1;
const M_AUTH: u32 = 2;
const M_COMMAND: u32 = 3;
const M_DONE: u32 = 4;

// CF
const CF_QUERY: u32 = 1;
const CF_CONTINUED: u32 = 2;
const CF_COMPRESS: u32 = 4;
const CF_CAPS: u32 = 8;
/** The server packet being read is an ERR. */
const CF_ERR: u32 = 16;

const HEADER: u32 = 4;
const MAX_PAYLOAD: u32 = 0xffffff;
const COM_QUERY: u32 = 0x03;
const COM_STMT_PREPARE: u32 = 0x16;
const CAP_COMPRESS: u32 = 0x0020;
const CAP_SSL: u32 = 0x0800;
/** An SSLRequest is the login packet cut after its first 32 bytes. */
const SSL_REQUEST_LEN: u32 = 32;

/** Payload bytes [i, i + n) of a client packet, `pos` bytes of it already seen. */
function clientPayload(s: usize, p: usize, i: u32, n: u32, pos: u32): void {
  const ph = get8(s, PH);
  const cf = get8(s, CF);
  if (ph == M_LOGIN) {
    // Capability flags: the first two bytes of the login (or of the SSLRequest).
    for (let k = pos; k < 2 && k < pos + n; k++) {
      const b = <u32>load<u8>(p + <usize>(i + k - pos));
      set16(s, ERR, k == 0 ? b : get16(s, ERR) | (b << 8));
      if (k == 1) set8(s, CF, cf | CF_CAPS);
    }
    return;
  }
  if (ph != M_COMMAND) return;
  let from = i;
  if (pos == 0 && (cf & CF_CONTINUED) == 0) {
    const cmd = <u32>load<u8>(p + <usize>i);
    const text = cmd == COM_QUERY || cmd == COM_STMT_PREPARE;
    set8(s, CF, text ? cf | CF_QUERY : cf & ~CF_QUERY);
    if (text) sqlBegin(s + SQL, true);
    from++;
  }
  if ((get8(s, CF) & CF_QUERY) != 0) sqlText(s + SQL, p, from, i + n);
}

/** A client packet is complete. */
function clientEnd(s: usize): void {
  const ph = get8(s, PH);
  const cf = get8(s, CF);
  if (ph == M_LOGIN) {
    const caps = (cf & CF_CAPS) != 0 ? get16(s, ERR) : 0;
    set16(s, ERR, 0);
    if ((caps & CAP_SSL) != 0 && get24(s, C_LEN) == SSL_REQUEST_LEN) set8(s, PH, M_DONE);
    else {
      set8(s, CF, (caps & CAP_COMPRESS) != 0 ? CF_COMPRESS : 0);
      set8(s, PH, M_AUTH);
    }
    return;
  }
  // A payload of the maximum length continues in the next packet.
  const more = get24(s, C_LEN) == MAX_PAYLOAD;
  set8(s, CF, more ? cf | CF_CONTINUED : cf & ~(CF_CONTINUED | CF_QUERY));
}

const evidence = memory.data(<i32>EVIDENCE_MAX, 4);

/** Report a refused login: `error NNNN: ` and as much of the server's message as fits. */
function denied(code: u32, msg: usize, n: u32): void {
  // "error ", the four digits of 1044, 1045 or 1698, ": ".
  const head = "error ";
  for (let k = 0; k < head.length; k++) store<u8>(evidence + <usize>k, <u8>head.charCodeAt(k));
  let w = <u32>head.length;
  for (let d: u32 = 1000; d > 0; d /= 10) {
    store<u8>(evidence + <usize>w, <u8>(0x30 + (code / d) % 10));
    w++;
  }
  store<u16>(evidence + <usize>w, 0x203a);
  w += 2;
  const m = min<u32>(n, EVIDENCE_MAX - w);
  memory.copy(evidence + <usize>w, msg, <usize>m);
  found(T_MYSQL_ACCESS_DENY, evidence, w + m);
}

/** Payload bytes [i, i + n) of a server packet, `pos` bytes of it already seen. */
function serverPayload(s: usize, p: usize, i: u32, n: u32, pos: u32): void {
  if (get8(s, PH) != M_AUTH) return;
  for (let k = pos; k < 3 && k < pos + n; k++) {
    const b = <u32>load<u8>(p + <usize>(i + k - pos));
    const cf = get8(s, CF);
    if (k == 0) {
      // OK ends the login; ERR is read on; auth switch (0xfe) and more data (0x01) keep waiting.
      if (b == 0x00) set8(s, PH, (cf & CF_COMPRESS) != 0 ? M_DONE : M_COMMAND);
      set8(s, CF, b == 0xff ? cf | CF_ERR : cf & ~CF_ERR);
      if (b != 0xff) return;
    } else if ((cf & CF_ERR) == 0) return;
    else if (k == 1) set16(s, ERR, b);
    else {
      const code = get16(s, ERR) | (b << 8);
      set8(s, PH, M_DONE);
      if (code != 1044 && code != 1045 && code != 1698) return;
      // The message, after a `#` and the 5-character SQL state when present.
      let at = i + k - pos + 1;
      const end = i + n;
      if (at < end && load<u8>(p + <usize>at) == 0x23) at = min<u32>(at + 6, end);
      denied(code, p + <usize>at, end - at);
    }
  }
}

/** One direction's packets: `have`, `lenOff` and `leftOff` are that direction's framing fields. */
function packets(s: usize, server: bool, p: usize, len: u32): void {
  const haveOff = server ? S_HAVE : C_HAVE;
  const lenOff = server ? S_LEN : C_LEN;
  const leftOff = server ? S_LEFT : C_LEFT;
  let i: u32 = 0;
  // Every turn consumes at least one byte, or ends an empty packet.
  while (i < len) {
    const ph = get8(s, PH);
    // Nothing the server says after the login matters.
    if (ph == M_DONE || (server && ph == M_COMMAND)) return;
    if (get8(s, haveOff) < HEADER) {
      i += takeHeader(s, haveOff, lenOff, HEADER, p, len, i);
      if (get8(s, haveOff) < HEADER) return;
      set24(s, leftOff, get24(s, lenOff));
      if (get24(s, lenOff) > 0) continue;
    } else {
      const left = get24(s, leftOff);
      const n = min<u32>(left, len - i);
      const pos = get24(s, lenOff) - left;
      if (server) serverPayload(s, p, i, n, pos);
      else clientPayload(s, p, i, n, pos);
      set24(s, leftOff, left - n);
      i += n;
      if (left > n) return;
    }
    // The packet is complete.
    set8(s, haveOff, 0);
    if (server) {
      // The greeting, then (in M_AUTH) packets until the login's verdict.
      if (get8(s, PH) == M_GREETING) set8(s, PH, M_LOGIN);
    } else clientEnd(s);
  }
}

/** MySQL payload of one direction. */
export function mysqlData(s: usize, toServer: bool, p: usize, len: u32): void {
  if (toServer && get8(s, PH) == M_GREETING) {
    // The client spoke before any greeting: not a session this parser can follow.
    set8(s, PH, M_DONE);
    return;
  }
  packets(s, !toServer, p, len);
}

// SSL/TLS threats (NeuVector dpi_ssl.c), both directions:
// - heartbleed: a plaintext heartbeat request (record type 24, message type 1) whose declared
//   payload length exceeds what its record can hold: more than record length - 19 (1 type byte,
//   2 length bytes and at least 16 bytes of padding, RFC 6520), which includes NeuVector's
//   condition (more than record length - 3 + 1024);
// - SSLv2 cipher overflow: an SSLv2 CLIENT-HELLO whose cipher-spec length exceeds its record
//   length - 9 - session-id length - challenge length (signed: NeuVector's 16-bit arithmetic wraps
//   when the other two lengths alone overrun the record, and misses that case);
// - SSL v2/v3: an SSLv2 CLIENT-HELLO (also the v2-format hello of old TLS clients, as NeuVector),
//   an SSLv2 SERVER-HELLO, or a ServerHello that negotiates 0x0300;
// - TLS 1.0 / 1.1: the version the server's ServerHello negotiates (0x0301 / 0x0302), i.e. its
//   server_version unless a supported_versions extension selects another (TLS 1.3 says 0x0303
//   there and selects 0x0304). NeuVector uses record versions, which are 0x0301 in the
//   ClientHello of every TLS 1.2 client; that would report nearly every session.
//
// Records are framed per direction with TLS_DIR_BYTES of state (header bytes carried across
// segments, bytes left of the record), so records may span segments and segments may hold many
// records. The server's handshake messages are read across records until its ServerHello has
// been parsed (TLS_HELLO_BYTES of state, fields one byte at a time). Records after a direction's
// ChangeCipherSpec are encrypted: their heartbeats are not inspected (NeuVector reads them as if
// they were plaintext). A direction stops being parsed at a record that is not SSL 3.x framing
// (type 20-24, major version 3), or after an SSLv2 SERVER-HELLO.
import { T_SSL_CIPHER_OVERFLOW, T_SSL_HEARTBLEED, T_SSL_V2_V3, T_TLS_1_0, T_TLS_1_1 } from "./codes";
import { evidenceNumber, evidenceText, foundText } from "./found";
import { get16, get32, get8, set16, set32, set8 } from "./stream-state";

export const TLS_DIR_BYTES: u32 = 9;
/** The client's area, the server's, then the ServerHello parser. */
export const TLS_STATE_BYTES: u32 = 2 * TLS_DIR_BYTES + 23;

// ---- per-direction layout --------------------------------------------------------------------
/** Header bytes read (0-4), 5 inside the payload; in SSLv2 mode the hello byte position. */
const RH: u32 = 0;
const RT: u32 = 1;
const RL: u32 = 2;
const RR: u32 = 4;
/** Heartbeat type and length high byte; the SSLv2 hello's session-id length. */
const HB: u32 = 6;
const RF: u32 = 8;

const RF_ENC: u32 = 1;
const RF_V2: u32 = 2;
const RF_STARTED: u32 = 4;
const RF_DEAD: u32 = 8;

// ---- ServerHello parser layout (offsets from the flow's state) ---------------------------------
const SH: u32 = 2 * TLS_DIR_BYTES;
const HS_HAVE: u32 = SH + 0;
const SH_STATE: u32 = SH + 1;
const HS_LEN: u32 = SH + 2;
const POS: u32 = SH + 6;
const SIDLEN: u32 = SH + 10;
const EXT_POS: u32 = SH + 11;
const EXT_TYPE: u32 = SH + 12;
const EXT_LEFT: u32 = SH + 14;
const VERSION: u32 = SH + 16;
const SELECTED: u32 = SH + 18;
const SH_FLAGS: u32 = SH + 20;

const SH_HEADER: u32 = 0;
const SH_BODY: u32 = 1;
const SH_DONE: u32 = 2;
const SHF_SELECTED: u32 = 1;

const CT_CCS: u32 = 20;
const CT_HANDSHAKE: u32 = 22;
const CT_HEARTBEAT: u32 = 24;
const HS_SERVER_HELLO: u32 = 2;
const EXT_SUPPORTED_VERSIONS: u32 = 43;
/** Bytes of a ServerHello body before its extensions, without the session id. */
const HELLO_FIXED: u32 = 38;

// ---- SSLv2 hellos at the start of a direction --------------------------------------------------

/** Byte k of the client's SSLv2 CLIENT-HELLO header (k < 11); the evaluation comes at k = 10. */
function v2ClientByte(d: usize, k: u32, b: u32): void {
  if (k == 0 || k == 1) set16(d, RL, ((get16(d, RL) << 8) | (k == 0 ? b & 0x7f : b)) & 0xffff);
  else if (k == 2) {
    if (b != 1) set8(d, RF, RF_DEAD);
    else foundText(T_SSL_V2_V3, "SSLv2 CLIENT-HELLO");
  } else if (k == 5 || k == 6) set16(d, RR, ((get16(d, RR) << 8) | b) & 0xffff);
  else if (k == 7 || k == 8) set16(d, HB, ((get16(d, HB) << 8) | b) & 0xffff);
  else if (k == 9) set8(d, RT, b);
  else if (k == 10) {
    const recLen = <i32>get16(d, RL);
    const cipher = <i32>get16(d, RR);
    const expect = recLen - 9 - <i32>get16(d, HB) - <i32>((get8(d, RT) << 8) | b);
    if (cipher > expect) {
      foundText(T_SSL_CIPHER_OVERFLOW, "SSLv2 cipher-spec length ");
      evidenceNumber(<u64>cipher);
      evidenceText(" in a record of ");
      evidenceNumber(<u64>recLen);
    }
    // The rest of the hello is skipped; SSL 3.x records may follow (a v2-format hello answered in TLS).
    set8(d, RF, RF_STARTED);
    if (recLen < 9) set8(d, RF, RF_DEAD);
    set8(d, RT, 0);
    set16(d, RR, <u32>(recLen - 9));
    set8(d, RH, recLen > 9 ? 5 : 0);
  }
}

/** Byte k of the server's SSLv2 SERVER-HELLO header: type 4 and version 0x0002 make it SSLv2. */
function v2ServerByte(d: usize, k: u32, b: u32): void {
  if (k == 2 && b != 4) set8(d, RF, RF_DEAD);
  else if (k == 5) set8(d, RT, b);
  else if (k == 6) {
    if (get8(d, RT) == 0 && b == 2) foundText(T_SSL_V2_V3, "SSLv2 SERVER-HELLO");
    set8(d, RF, RF_DEAD);
  }
}

// ---- the ServerHello ---------------------------------------------------------------------------

function helloVersion(s: usize): void {
  const v = (get8(s, SH_FLAGS) & SHF_SELECTED) != 0 ? get16(s, SELECTED) : get16(s, VERSION);
  if (v == 0x0300) foundText(T_SSL_V2_V3, "ServerHello negotiates SSLv3 (0x0300)");
  else if (v == 0x0301) foundText(T_TLS_1_0, "ServerHello negotiates TLS 1.0 (0x0301)");
  else if (v == 0x0302) foundText(T_TLS_1_1, "ServerHello negotiates TLS 1.1 (0x0302)");
}

/** One byte of the ServerHello body at offset `pos`. */
function helloByte(s: usize, pos: u32, b: u32): void {
  if (pos < 2) {
    set16(s, VERSION, ((get16(s, VERSION) << 8) | b) & 0xffff);
    return;
  }
  if (pos == 34) {
    set8(s, SIDLEN, b);
    return;
  }
  const extStart = HELLO_FIXED + 2 + get8(s, SIDLEN);
  if (pos < extStart) return;
  const k = get8(s, EXT_POS);
  if (k < 4) {
    if (k < 2) set16(s, EXT_TYPE, ((get16(s, EXT_TYPE) << 8) | b) & 0xffff);
    else set16(s, EXT_LEFT, ((get16(s, EXT_LEFT) << 8) | b) & 0xffff);
    set8(s, EXT_POS, k == 3 && get16(s, EXT_LEFT) == 0 ? 0 : k + 1);
    if (k == 3 && get16(s, EXT_LEFT) == 0) set16(s, EXT_TYPE, 0);
    return;
  }
  if (get16(s, EXT_TYPE) == EXT_SUPPORTED_VERSIONS) {
    set16(s, SELECTED, ((get16(s, SELECTED) << 8) | b) & 0xffff);
    set8(s, SH_FLAGS, get8(s, SH_FLAGS) | SHF_SELECTED);
  }
  const left = get16(s, EXT_LEFT) - 1;
  set16(s, EXT_LEFT, left);
  if (left == 0) {
    set8(s, EXT_POS, 0);
    set16(s, EXT_TYPE, 0);
  }
}

/** Handshake bytes [i, i + n) from the server (plaintext handshake records, in order). */
function serverHandshake(s: usize, p: usize, i: u32, n: u32): void {
  const end = i + n;
  // Every turn consumes at least one byte, or finishes the parser.
  while (i < end) {
    const st = get8(s, SH_STATE);
    if (st == SH_DONE) return;
    const b = <u32>load<u8>(p + <usize>i);
    if (st == SH_HEADER) {
      const h = get8(s, HS_HAVE);
      if (h == 0 && b != HS_SERVER_HELLO) {
        set8(s, SH_STATE, SH_DONE);
        return;
      }
      if (h > 0) set32(s, HS_LEN, (get32(s, HS_LEN) << 8) | b);
      set8(s, HS_HAVE, h + 1);
      i++;
      if (h == 3) set8(s, SH_STATE, get32(s, HS_LEN) >= HELLO_FIXED ? SH_BODY : SH_DONE);
      continue;
    }
    const pos = get32(s, POS);
    const total = get32(s, HS_LEN);
    // Random bytes and session id are skipped in bulk; fields go one byte at a time.
    let take: u32 = 1;
    if (pos >= 2 && pos < 34) take = min<u32>(34 - pos, end - i);
    else if (pos > 34 && pos < 35 + get8(s, SIDLEN)) take = min<u32>(35 + get8(s, SIDLEN) - pos, end - i);
    else helloByte(s, pos, b);
    take = min<u32>(take, total - pos);
    set32(s, POS, pos + take);
    i += take;
    if (pos + take >= total) {
      helloVersion(s);
      set8(s, SH_STATE, SH_DONE);
    }
  }
}

// ---- records -----------------------------------------------------------------------------------

/** Payload bytes [i, i + n) of the current record, `pos` bytes of it already seen. */
function payload(s: usize, d: usize, server: bool, p: usize, i: u32, n: u32, pos: u32): void {
  const type = get8(d, RT);
  if ((get8(d, RF) & RF_ENC) != 0) return;
  if (type == CT_HANDSHAKE && server) serverHandshake(s, p, i, n);
  else if (type == CT_HEARTBEAT && pos < 3) {
    for (let k = pos; k < 3 && k < pos + n; k++) {
      const b = <u32>load<u8>(p + <usize>(i + k - pos));
      if (k == 0) set8(d, HB, b);
      else if (k == 1) set8(d, HB + 1, b);
      else if (get8(d, HB) == 1) {
        const declared = (get8(d, HB + 1) << 8) | b;
        const rec = <i32>get16(d, RL);
        if (<i32>declared > rec - 19) {
          foundText(T_SSL_HEARTBLEED, "heartbeat payload length ");
          evidenceNumber(declared);
          evidenceText(" in a record of ");
          evidenceNumber(<u64>rec);
        }
      }
    }
  }
}

/** One direction's bytes; `d` is its area. */
function direction(s: usize, d: usize, server: bool, p: usize, len: u32): void {
  let i: u32 = 0;
  // Every turn consumes at least one byte, or ends an empty record (the next turn reads a header).
  while (i < len) {
    const rf = get8(d, RF);
    if ((rf & RF_DEAD) != 0) return;
    const b = <u32>load<u8>(p + <usize>i);
    if ((rf & RF_STARTED) == 0) set8(d, RF, rf | RF_STARTED | (b >= 0x80 ? RF_V2 : 0));
    const h = get8(d, RH);
    if ((get8(d, RF) & RF_V2) != 0) {
      set8(d, RH, h + 1);
      if (server) v2ServerByte(d, h, b);
      else v2ClientByte(d, h, b);
      i++;
      continue;
    }
    if (h < 5) {
      if (h == 0) {
        if (b < CT_CCS || b > CT_HEARTBEAT) set8(d, RF, get8(d, RF) | RF_DEAD);
        set8(d, RT, b);
      } else if (h == 1) {
        if (b != 3) set8(d, RF, get8(d, RF) | RF_DEAD);
      } else if (h >= 3) set16(d, RL, ((get16(d, RL) << 8) | b) & 0xffff);
      set8(d, RH, h + 1);
      i++;
      if (h == 4) {
        set16(d, RR, get16(d, RL));
        if (get16(d, RL) == 0) set8(d, RH, 0);
      }
      continue;
    }
    const left = get16(d, RR);
    const n = min<u32>(left, len - i);
    payload(s, d, server, p, i, n, get16(d, RL) - left);
    set16(d, RR, left - n);
    i += n;
    if (left == n) {
      if (get8(d, RT) == CT_CCS) set8(d, RF, get8(d, RF) | RF_ENC);
      set8(d, RH, 0);
      set16(d, RL, 0);
    }
  }
}

/** SSL/TLS payload of one direction. */
export function tlsData(s: usize, toServer: bool, p: usize, len: u32): void {
  direction(s, s + (toServer ? 0 : TLS_DIR_BYTES), !toServer, p, len);
}

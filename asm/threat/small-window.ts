// TCP small window (T_TCP_SMALL_WINDOW): a client that opens a connection, then advertises a
// window of a few bytes so that the server must hold its response and the connection open
// (a Sockstress-like resource exhaustion). As NeuVector's check_small_window_attack: the small
// window starts when the client's window falls below `tcp-small-window.size` (default 16 bytes)
// after dropping by more than 4 KB from its previous window, while the client has sent under
// 8 KB and the server under 16 KB; it ends when the client's window is back at the size or more;
// it is reported once per flow when it has lasted `tcp-small-window.duration` (default 8 s).
//
// The packet path calls tcpWindow for the client's packets without SYN, RST or FIN (as NeuVector;
// the window already scaled) and may call it for any server packet (fromClient false), which only
// checks the duration. NeuVector checks the duration on a session timer; the engine has none, so
// the report comes with the first packet of the flow after the duration (a stalled server still
// sends zero-window probes, and the client answers them).
//
// State (16 bytes, zero when the flow is created):
//   [0, 4)  the client's last window     [4]  flags: have a window, small, reported
//   [8, 16) when the small window started, ms
import { T_TCP_SMALL_WINDOW } from "./codes";
import { evidenceNumber, evidenceText, foundText } from "./found";
import { threatParam } from "./params";

const S_WINDOW: usize = 0;
const S_FLAGS: usize = 4;
const S_START: usize = 8;
const HAVE_WINDOW: u8 = 1;
const SMALL: u8 = 2;
const REPORTED: u8 = 4;

/** NeuVector's SESS_SMALL_WINDOW_DROP, _CLIENT_IGNORE and _SERVER_IGNORE. */
const DROP: u32 = 4096;
const CLIENT_IGNORE: u64 = 8192;
const SERVER_IGNORE: u64 = 16384;

/** One packet of the flow: the client's advertised window, the bytes each side has sent so far. */
export function tcpWindow(state: usize, fromClient: bool, window: u32, clientBytes: u64, serverBytes: u64, now: u64): void {
  let flags = load<u8>(state + S_FLAGS);
  if (flags & REPORTED) return;
  const size = max<u32>(threatParam(T_TCP_SMALL_WINDOW, 0), 1);
  if (fromClient) {
    const old = load<u32>(state + S_WINDOW);
    if (flags & SMALL) {
      if (window >= size) flags &= ~SMALL;
    } else if ((flags & HAVE_WINDOW) != 0 && window < size && old > window && old - window > DROP && clientBytes < CLIENT_IGNORE && serverBytes < SERVER_IGNORE) {
      flags |= SMALL;
      store<u64>(state + S_START, now);
    }
    store<u32>(state + S_WINDOW, window);
    flags |= HAVE_WINDOW;
  }
  const start = load<u64>(state + S_START);
  const lasted = now > start ? now - start : 0;
  if ((flags & SMALL) != 0 && lasted >= <u64>threatParam(T_TCP_SMALL_WINDOW, 1)) {
    flags = (flags & ~SMALL) | REPORTED;
    foundText(T_TCP_SMALL_WINDOW, "client window ");
    evidenceNumber(load<u32>(state + S_WINDOW));
    evidenceText(" bytes for ");
    evidenceNumber(lasted);
    evidenceText("ms");
  }
  store<u8>(state + S_FLAGS, flags);
}

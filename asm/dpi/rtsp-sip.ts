// RTSP and SIP: a request line (request-line.ts) whose version is `RTSP/d.d` or `SIP/d.d`
// decides at once, on TCP as in NeuVector's dpi_http.c. SIP over UDP too (NeuVector only sees SIP
// in its TCP HTTP parser, but UDP is where most SIP runs): the first datagram opens with a SIP
// request line (`OPTIONS sip:... SIP/2.0`). HTTP and RTSP request lines over UDP are not
// identified (SSDP's `M-SEARCH * HTTP/1.1` is not HTTP).
import { APP_RTSP, APP_SIP } from "./apps";
import { requestLine } from "./request-line";
import { clientMore, DPI_MORE, DPI_UNKNOWN } from "./result";

export function rtspSip(cli: usize, cl: i32, sl: i32): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const app = requestLine(cli, cl);
  if (app == DPI_MORE) return clientMore(cl, sl);
  return app == APP_RTSP || app == APP_SIP ? app : DPI_UNKNOWN;
}

export function sipDatagram(cli: usize, cl: i32, sl: i32): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  return requestLine(cli, cl) == APP_SIP ? APP_SIP : DPI_UNKNOWN;
}

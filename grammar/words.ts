/**
 * Classifies a bare chunk of source text (a maximal run of name, number and address characters) into
 * one token type. Kept apart from the scanner because this is where the language's lexical choices
 * live: what is a name, what is an address, what is a port.
 */
import { portFormHint } from "../common/port-forms.js";
import type { TokenType } from "chevrotain";
import {
  AddressLit, Duration, KEYWORDS, NumberLit, NumRange, PortSpec, Word,
} from "./tokens.js";

/** A name: `[A-Za-z_][A-Za-z0-9_]*` segments joined by single `-` or `.`; later segments may start with a digit (`web-2`). */
export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*$/;
const NUMBER_RE = /^[0-9]+$/;
const NUM_RANGE_RE = /^[0-9]+-[0-9]+$/;
const DURATION_RE = /^[0-9]+(?:ms|s|m|h)$/;
const PORT_SPEC_RE = /^(?:tcp|udp)\/(?:[0-9]+(?:-[0-9]+)?|any)$/i;
/**
 * IPv6 candidates, tested only on chunks containing `:` (the checker validates): hex digits, `:`, `.`
 * (embedded IPv4), then an optional `/len` and `-end`. No two adjacent repeats, so it stays linear on
 * a megabyte-long line.
 */
const IPV6_RE = /^[0-9A-Fa-f:.]+(?:\/[0-9]+)?(?:-[0-9A-Fa-f:.]+)?$/;
/** IPv4 addresses, CIDRs and ranges, possibly malformed (`10.0.0/8`): the checker says what is wrong. */
const IPV4_RE = /^[0-9]+(?:\.[0-9]+)+(?:\/[0-9]+)?(?:-[0-9]+(?:\.[0-9]+)*)?$/;
/** `*.example.com` */
const WILDCARD_RE = /^\*(?:\.[A-Za-z0-9_-]+)+$/;
/** NeuVector's endpoint groups, as its exported rules name them: `Host:10.0.1.1`, `Workload:10.0.0.9`. */
const ENDPOINT_RE = /^(?:Host|Workload):[A-Za-z0-9_.:-]+$/;
/** DNS names that are not names: `1.example.com`, `db-1.example.com` is already a name. */
const HOST_RE = /^[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*(?:\.[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*)+$/;

export type Classified =
  | { ok: true; type: TokenType }
  | { ok: false; label: string; help: string };

/**
 * `text` is the chunk with every `${…}` replaced by `x` when `interpolated`; an interpolated chunk
 * can only be a word (`nv.web.${ns}`).
 */
export function classifyChunk(text: string, interpolated: boolean): Classified {
  if (interpolated) {
    return NAME_RE.test(text)
      ? { ok: true, type: Word }
      : invalidName(text);
  }
  if (NUMBER_RE.test(text)) return { ok: true, type: NumberLit };
  if (NUM_RANGE_RE.test(text)) return { ok: true, type: NumRange };
  if (DURATION_RE.test(text)) return { ok: true, type: Duration };
  if (ENDPOINT_RE.test(text)) return { ok: true, type: Word };
  if (text.includes(":")) {
    if (IPV6_RE.test(text)) return { ok: true, type: AddressLit };
    const port = portFormHint(text);
    return port
      ? { ok: false, label: "not a port", help: port }
      : { ok: false, label: "not a name or an IPv6 address", help: `quote text that is not a plain name: "${text}"` };
  }
  if (PORT_SPEC_RE.test(text)) return { ok: true, type: PortSpec };
  if (IPV4_RE.test(text) || WILDCARD_RE.test(text)) return { ok: true, type: AddressLit };
  if (NAME_RE.test(text)) return { ok: true, type: KEYWORDS.get(text) ?? Word };
  if (HOST_RE.test(text)) return { ok: true, type: AddressLit };
  const port = portFormHint(text);
  if (port) return { ok: false, label: "not a port", help: port };
  if (/^[0-9]/.test(text)) {
    return {
      ok: false,
      label: "not a number, port range, duration or address",
      help: "numbers are plain digits (`8080`), ranges `8000-8080`, durations `5s`, `500ms`, `2m` or `1h`",
    };
  }
  if (text.includes("/")) {
    return {
      ok: false,
      label: "not a name or a port",
      help: `quote text that contains \`/\`: "${text}" (ports are written \`tcp/80\`, \`udp/53-60\` or \`tcp/any\`)`,
    };
  }
  return invalidName(text);
}

function invalidName(text: string): Classified {
  const why = /[-.]$/.test(text)
    ? `a name cannot end with \`${text.slice(-1)}\``
    : /[-.][-.]/.test(text)
      ? "a name cannot contain two separators in a row"
      : "not a valid name";
  return {
    ok: false,
    label: why,
    help: "names are letters, digits and `_` joined by single `-` or `.`, starting with a letter or `_`; quote anything else",
  };
}

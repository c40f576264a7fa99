/**
 * A did-you-mean for ports written the way other tools write them (`tcp:5432`, `5432/tcp`,
 * `TCP 80`) or with a protocol nvp cannot match by port (`sctp/5000`). One source for the policy
 * lexer, the parser's messages and the command line, so all three teach the same form. Never
 * "quote it": a quoted port is not a port either.
 */

const PROTO = "(tcp|udp)";
const SPEC = "(\\d+(?:-\\d+)?|any)";
const SEP = "\\s*(?:[:/]|\\s)\\s*";

const PROTO_FIRST = new RegExp(`^${PROTO}${SEP}${SPEC}$`, "i");
const PORT_FIRST = new RegExp(`^${SPEC}${SEP}${PROTO}$`, "i");
const OTHER_FIRST = new RegExp(`^([a-z][a-z0-9-]*)${SEP}(\\d+(?:-\\d+)?)$`, "i");
const OTHER_LAST = new RegExp(`^(\\d+(?:-\\d+)?)${SEP}([a-z][a-z0-9-]*)$`, "i");

/** `tcp/5432` for `tcp`, `5432`: the one spelling nvp reads. */
export function portForm(proto: string, spec: string): string {
  return `${proto.toLowerCase()}/${spec.toLowerCase()}`;
}

/** The help for a port-like text nvp does not read, or undefined when it does not look like a port. */
export function portFormHint(text: string): string | undefined {
  const t = text.trim();
  let m = PROTO_FIRST.exec(t);
  // `tcp/80` itself is not a mistake; only other separators are.
  if (m && !/^(tcp|udp)\/(\d+(-\d+)?|any)$/i.test(t)) return `did you mean \`${portForm(m[1]!, m[2]!)}\`?`;
  m = PORT_FIRST.exec(t);
  if (m) return `did you mean \`${portForm(m[2]!, m[1]!)}\`? (the protocol comes first)`;
  m = OTHER_FIRST.exec(t);
  let other = m ? { proto: m[1]!, port: m[2]! } : undefined;
  if (!other) {
    m = OTHER_LAST.exec(t);
    if (m) other = { proto: m[2]!, port: m[1]! };
  }
  if (other && !/^(tcp|udp)$/i.test(other.proto)) {
    return (
      `\`${other.proto}\` has no ports here: only TCP and UDP are matched by port (as in NeuVector); ` +
      `did you mean \`tcp/${other.port}\` or \`udp/${other.port}\`? Other IP protocols match only \`any\``
    );
  }
  return undefined;
}

/**
 * DNS names in address groups, by NeuVector's rules: RFC 1123 host labels (letters, digits, inner
 * hyphens, 1..63 characters, 253 in all), compared in lower case; a wildcard only as a leading `*.`
 * followed by at least two labels (`*.example.com`, never `*.com`), because the data path matches
 * each wildcard suffix of a snooped name and stops before the top-level domain. Also NeuVector's
 * service group names `nv.<service>.<namespace>`, whose parts are Kubernetes DNS-1123 labels.
 */

export type DnsCheck =
  | { ok: true; name: string; wildcard: boolean; singleLabel: boolean }
  | { ok: false; error: string; help: string };

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkDnsName(text: string): DnsCheck {
  let name = text.toLowerCase();
  // One trailing dot is the absolute form of the same name.
  if (name.endsWith(".") && !name.endsWith("..")) name = name.slice(0, -1);
  let wildcard = false;
  if (name.startsWith("*.")) {
    wildcard = true;
    name = name.slice(2);
  }
  if (name.includes("*")) {
    return {
      ok: false,
      error: `\`${text}\` has a wildcard that is not a leading \`*.\``,
      help: "a wildcard may only replace the first label: `*.example.com`",
    };
  }
  if (name.length === 0) return { ok: false, error: `\`${text}\` is not a DNS name`, help: "write a host name such as `db.example.com`" };
  if (name.length > 253) {
    return { ok: false, error: `name \`${text}\` is longer than 253 characters`, help: "a DNS name has at most 253 characters" };
  }
  const labels = name.split(".");
  for (const l of labels) {
    if (l.length === 0) return { ok: false, error: `\`${text}\` has an empty label`, help: "remove the doubled or leading dot" };
    if (l.length > 63) return { ok: false, error: `label \`${l}\` of \`${text}\` is longer than 63 characters`, help: "a DNS label has at most 63 characters" };
    if (!LABEL.test(l)) {
      return {
        ok: false,
        error: `\`${text}\` is not a valid DNS name`,
        help: `label \`${l}\` may hold only letters, digits and inner hyphens (RFC 1123)`,
      };
    }
  }
  // An all-numeric last label is an IP address gone wrong, not a top-level domain.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, error: `\`${text}\` is neither an IP address nor a DNS name`, help: "a top-level domain is never all digits; check the address" };
  }
  if (wildcard && labels.length < 2) {
    return {
      ok: false,
      error: `wildcard \`${text}\` needs at least two labels after \`*.\``,
      help: "NeuVector matches wildcards below a registered domain: write e.g. `*.example.com`",
    };
  }
  return { ok: true, name, wildcard, singleLabel: labels.length === 1 };
}

/** Does exact name `n` fall under wildcard `*.suffix` (at least one more label)? */
export function underWildcard(n: string, suffix: string): boolean {
  return n.length > suffix.length + 1 && n.endsWith(`.${suffix}`);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type ServiceName = { ok: true; service: string; namespace: string } | { ok: false; error: string; help: string };

export function parseServiceName(text: string): ServiceName {
  const parts = text.split(".");
  if (parts.length !== 3 || parts[0] !== "nv") {
    return {
      ok: false,
      error: `\`${text}\` is not a service group name`,
      help: "a service group is `nv.<service>.<namespace>`: three dot-separated parts, e.g. `nv.web.shop`",
    };
  }
  const [, service, namespace] = parts as [string, string, string];
  for (const [what, part] of [
    ["service", service],
    ["namespace", namespace],
  ] as const) {
    if (!DNS1123_LABEL.test(part)) {
      return {
        ok: false,
        error: `${what} \`${part}\` in \`${text}\` is not a DNS-1123 label`,
        help: "Kubernetes names are lower-case letters, digits and inner hyphens, at most 63 characters",
      };
    }
  }
  return { ok: true, service, namespace };
}

/**
 * NeuVector's auto service groups are named `nv.<service>.<namespace>`: exactly three dot-separated
 * parts, the last two Kubernetes DNS-1123 labels. Kept apart so group references in rules and
 * `service` selectors apply the same rule.
 */

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

/**
 * Address entries: classify each item (IP, CIDR, range, DNS name, wildcard, `vh:` host), parse it
 * with common/ip.ts or the DNS rules, and report what is wrong where it was written.
 */
import { formatIp, parseIpRange } from "../../common/ip.js";
import type { AddressItem } from "../ast/types.js";
import type { AddressModel } from "../model.js";
import { type Diags, q } from "./diag.js";
import { checkDnsName } from "./dns-name.js";
import type { Params } from "./params.js";

/**
 * Text that should be read as an IP form: anything with `:` or `/`, or only digits and dots
 * (with one optional `-` for a range). A DNS name never has those shapes (its last label is not
 * all digits), so a typo such as `10.0.0.256` is reported as a bad address, not a bad name.
 */
function looksLikeIp(text: string): boolean {
  return text.includes(":") || text.includes("/") || /^[0-9.]+(\s*-\s*[0-9.]+)?$/.test(text);
}

export function checkAddressItem(item: AddressItem, params: Params, d: Diags): AddressModel | undefined {
  const raw = params.subst(item.value);
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const span = item.span;
  if (looksLikeIp(text)) {
    if (item.vh) {
      d.error("NV2203", {
        span,
        message: `virtual host ${q(`vh:${text}`)} must be a DNS name`,
        label: "not a host name",
        help: "`vh:` matches the HTTP Host or TLS SNI, which is a name; put IP addresses in a plain `address` entry",
      });
      return undefined;
    }
    const r = parseIpRange(text);
    if ("error" in r) {
      d.error("NV2201", { span, message: r.error, label: "invalid address", help: ipHelp(text) });
      return undefined;
    }
    if (r.hostBits) {
      const slash = text.indexOf("/");
      const net = `${formatIp(r.lo)}/${text.slice(slash + 1)}`;
      d.warn("NV2202", {
        span,
        message: `address block ${q(text)} has host bits set`,
        label: `this is the network ${net}`,
        help: `write \`${net}\` (the block covers ${formatIp(r.lo)} to ${formatIp(r.hi)}), or a single address without a prefix length`,
      });
    }
    return { kind: "ip", lo: r.lo, hi: r.hi, text };
  }
  const c = checkDnsName(text);
  if (!c.ok) {
    d.error("NV2203", { span, message: c.error, label: item.vh ? "invalid virtual host" : "invalid DNS name", help: c.help });
    return undefined;
  }
  if (c.singleLabel) {
    d.warn("NV2218", {
      span,
      message: `name ${q(text)} has a single label`,
      label: "not fully qualified",
      help: "names are matched against DNS answers, which carry fully qualified names: write e.g. `db.ns.svc.cluster.local`",
    });
  }
  return item.vh
    ? { kind: "vh", name: c.name, wildcard: c.wildcard, text: `vh:${text}` }
    : { kind: "dns", name: c.name, wildcard: c.wildcard, text };
}

function ipHelp(text: string): string {
  if (text.includes("/")) return "write a CIDR block as `10.0.0.0/8` or `fd00::/8`";
  if (text.includes("-")) return "write a range as `10.0.0.1-10.0.0.9`, low address first, both of one family";
  return "write an IPv4 address as four numbers 0..255 without leading zeros, or an IPv6 address";
}

/**
 * Addresses as 128-bit bigints: IPv6 as is, IPv4 mapped into ::ffff:0:0/96, so one interval
 * arithmetic serves both families. Parsers return null on bad input and never throw.
 */
export const V4_BASE = 0xffff00000000n;
export const MAX_IP = (1n << 128n) - 1n;

export function parseIpv4(s: string): number | null {
  // By hand rather than split and a regex per part: policies list tens of thousands of addresses.
  let v = 0;
  let parts = 0;
  let i = 0;
  while (parts < 4) {
    const start = i;
    let n = 0;
    while (i < s.length && i - start < 4) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
      i++;
    }
    const len = i - start;
    // One to three digits, no leading zero, at most 255.
    if (len === 0 || len > 3 || (len > 1 && s.charCodeAt(start) === 0x30) || n > 255) return null;
    v = v * 256 + n;
    parts++;
    if (parts < 4) {
      if (s.charCodeAt(i) !== 0x2e) return null;
      i++;
    }
  }
  return i === s.length ? v >>> 0 : null;
}

export function parseIpv6(s: string): bigint | null {
  if (s.length === 0 || s.length > 45) return null;
  let head = s;
  let tailV4: number | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    tailV4 = parseIpv4(s.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const dbl = head.indexOf("::");
  if (dbl !== head.lastIndexOf("::")) return null;
  const groups: string[] = [];
  if (dbl >= 0) {
    const left = head.slice(0, dbl) ? head.slice(0, dbl).split(":") : [];
    const right = head.slice(dbl + 2) ? head.slice(dbl + 2).split(":") : [];
    const fill = 8 - left.length - right.length;
    if (fill < 1) return null;
    groups.push(...left, ...Array<string>(fill).fill("0"), ...right);
  } else {
    groups.push(...head.split(":"));
  }
  if (groups.length !== 8) return null;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) v = (v & ~0xffffffffn) | BigInt(tailV4);
  return v;
}

/** Parse IPv4 or IPv6 text into the 128-bit space. */
export function parseIp(s: string): bigint | null {
  if (s.includes(":")) return parseIpv6(s);
  const v4 = parseIpv4(s);
  return v4 === null ? null : V4_BASE | BigInt(v4);
}

export function isV4(ip: bigint): boolean {
  return ip >> 32n === 0xffffn;
}

export function formatIp(ip: bigint): string {
  if (isV4(ip)) {
    const v = Number(ip & 0xffffffffn);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

export interface IpRange {
  lo: bigint;
  hi: bigint;
}

export type AddressParseError = { error: string };

/**
 * Parse one address entry: `a.b.c.d`, `a.b.c.d/n`, `a.b.c.d-e.f.g.h`, or the IPv6 forms.
 * A CIDR with host bits set is accepted and widened to its network (the checker warns).
 */
export function parseIpRange(text: string): (IpRange & { hostBits?: boolean }) | AddressParseError {
  const dash = text.indexOf("-");
  if (dash >= 0) {
    const lo = parseIp(text.slice(0, dash).trim());
    const hi = parseIp(text.slice(dash + 1).trim());
    if (lo === null || hi === null) return { error: `\`${text}\` is not an address range` };
    if (isV4(lo) !== isV4(hi)) return { error: `range \`${text}\` mixes IPv4 and IPv6` };
    if (lo > hi) return { error: `range \`${text}\` is reversed` };
    return { lo, hi };
  }
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const v4 = text.includes(":") ? null : parseIpv4(text.slice(0, slash));
    const len = v4 === null ? NaN : prefixLength(text, slash + 1, 32);
    if (v4 !== null && !Number.isNaN(len)) {
      // IPv4 block: the arithmetic in 32 bits, two bigints at the end.
      const mask = len === 0 ? 0xffffffff : len === 32 ? 0 : (0xffffffff >>> len);
      const lo = (v4 & ~mask) >>> 0;
      const r: IpRange & { hostBits?: boolean } = { lo: V4_BASE | BigInt(lo), hi: V4_BASE | BigInt((lo | mask) >>> 0) };
      r.hostBits = (v4 & mask) !== 0;
      return r;
    }
    const base = parseIp(text.slice(0, slash));
    const lenText = text.slice(slash + 1);
    if (base === null) return { error: `\`${text}\` is not a CIDR block` };
    const max = isV4(base) ? 32 : 128;
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
      return { error: `prefix length \`/${lenText}\` is out of range 0..${max}` };
    }
    const hostBits = BigInt(max - Number(lenText));
    const mask = (1n << hostBits) - 1n;
    const lo = base & ~mask;
    return { lo, hi: lo | mask, hostBits: (base & mask) !== 0n };
  }
  const ip = parseIp(text);
  if (ip === null) return { error: `\`${text}\` is not an IP address` };
  return { lo: ip, hi: ip };
}

/** `text[from..]` as a prefix length of one to three digits up to `max`, or NaN. */
function prefixLength(text: string, from: number, max: number): number {
  const digits = text.length - from;
  if (digits < 1 || digits > 3) return NaN;
  let n = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
    n = n * 10 + (c - 0x30);
  }
  return n <= max ? n : NaN;
}

export function inRange(ip: bigint, r: IpRange): boolean {
  return ip >= r.lo && ip <= r.hi;
}

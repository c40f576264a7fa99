/**
 * The DNS names a capture resolved, read from its UDP answers (source port 53) for learning:
 * address → the names whose A/AAAA records (directly or through a CNAME chain in the same answer)
 * gave it. The engine snoops answers too, but keeps only names the policy asks about; learning
 * starts from no policy, so it reads them here. Malformed answers are skipped, never thrown on.
 */
import { formatIp } from "../../common/ip.js";

const MAX_RECORDS = 64;
const MAX_POINTERS = 63;

/** A (possibly compressed) name at `at`; its text and where the record continues. */
function readName(b: Uint8Array, at: number): { name: string; next: number } | undefined {
  const labels: string[] = [];
  let p = at;
  let next = -1;
  for (let jumps = 0; jumps <= MAX_POINTERS; ) {
    if (p >= b.length) return undefined;
    const len = b[p]!;
    if (len === 0) return { name: labels.join(".").toLowerCase(), next: next < 0 ? p + 1 : next };
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= b.length) return undefined;
      if (next < 0) next = p + 2;
      p = ((len & 0x3f) << 8) | b[p + 1]!;
      jumps++;
      continue;
    }
    if (p + 1 + len > b.length) return undefined;
    labels.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  return undefined;
}

export class DnsAnswers {
  readonly byAddress = new Map<string, string[]>();

  add(ip: string, name: string): void {
    const n = name.toLowerCase().replace(/\.$/, "");
    const have = this.byAddress.get(ip) ?? [];
    if (!have.includes(n)) this.byAddress.set(ip, [...have, n]);
  }

  /** One captured frame with its IP header at `l3`; anything not a DNS answer is ignored. */
  packet(frame: Uint8Array, l3: number): void {
    if (l3 < 0 || l3 >= frame.length) return;
    const v = frame[l3]! >> 4;
    let udp: number;
    if (v === 4) {
      if (frame[l3 + 9] !== 17) return;
      udp = l3 + (frame[l3]! & 0x0f) * 4;
    } else if (v === 6) {
      if (frame[l3 + 6] !== 17) return;
      udp = l3 + 40;
    } else return;
    if (udp + 8 > frame.length || ((frame[udp]! << 8) | frame[udp + 1]!) !== 53) return;
    this.message(frame.subarray(udp + 8));
  }

  private message(m: Uint8Array): void {
    if (m.length < 12 || (m[2]! & 0x80) === 0 || (m[3]! & 0x0f) !== 0) return;
    const qd = (m[4]! << 8) | m[5]!;
    const an = Math.min((m[6]! << 8) | m[7]!, MAX_RECORDS);
    let p = 12;
    for (let i = 0; i < qd; i++) {
      const q = readName(m, p);
      if (!q) return;
      p = q.next + 4;
    }
    // CNAME target → the names that alias to it, so an address is credited to every alias.
    const aliases = new Map<string, string[]>();
    const addrs: { owner: string; ip: string }[] = [];
    for (let i = 0; i < an; i++) {
      const r = readName(m, p);
      if (!r || r.next + 10 > m.length) return;
      const type = (m[r.next]! << 8) | m[r.next + 1]!;
      const len = (m[r.next + 8]! << 8) | m[r.next + 9]!;
      const data = r.next + 10;
      if (data + len > m.length) return;
      if (type === 1 && len === 4) addrs.push({ owner: r.name, ip: [...m.subarray(data, data + 4)].join(".") });
      if (type === 28 && len === 16) {
        let x = 0n;
        for (const byte of m.subarray(data, data + 16)) x = (x << 8n) | BigInt(byte);
        addrs.push({ owner: r.name, ip: formatIp(x) });
      }
      if (type === 5) {
        const target = readName(m, data);
        if (target) aliases.set(target.name, [...(aliases.get(target.name) ?? []), r.name]);
      }
      p = data + len;
    }
    for (const a of addrs) {
      const seen = new Set<string>();
      const walk = (n: string) => {
        if (seen.has(n) || seen.size > MAX_RECORDS) return;
        seen.add(n);
        this.add(a.ip, n);
        for (const from of aliases.get(n) ?? []) walk(from);
      };
      walk(a.owner);
    }
  }
}

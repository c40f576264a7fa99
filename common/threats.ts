/**
 * The built-in threat detections (design.md §4 "Threat checks", reference/neuvector.md §5): one
 * row per detection with NeuVector's threat id (nv:defs.h), its `.nvp` settings slug, and the
 * defaults of NeuVector's data path (dpi_log.c threat_property[] / threat_config[]).
 *
 * Settings a policy can write for a threat `slug` (compiler/check/settings-table.ts):
 *   `slug on|off`                      enable or disable the detection
 *   `slug.action block|report`         what Protect does: block (drop / reset) or report only
 *   `slug.severity critical|high|medium|low|info`
 *   `slug.PARAM VALUE`                 each entry of `params` (thresholds, windows)
 * Discover and Monitor always only report; Protect blocks when the action is `block`.
 *
 * `code` is the engine's compact index (0..THREAT_COUNT-1): the module carries one config record
 * per code (common/abi.ts THREAT_*), events carry the code, the host maps it back to this row.
 * Codes are ABI: append only, never renumber.
 */
export type Severity = "critical" | "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];
export type ThreatAction = "block" | "report";

export interface ThreatParam {
  /** The setting suffix: `syn-flood.threshold`. */
  name: string;
  kind: "integer" | "duration";
  /** Default: a count, or milliseconds for durations. */
  default: number;
  min: number;
  max: number;
  description: string;
}

export interface ThreatInfo {
  code: number;
  /** NeuVector's threat id, or an nvp id (19xx) where NeuVector has none. */
  id: number;
  slug: string;
  /** NeuVector's display name (controller LogThreatMap). */
  name: string;
  enabled: boolean;
  action: ThreatAction;
  severity: Severity;
  params: readonly ThreatParam[];
  description: string;
}

const int = (name: string, def: number, min: number, max: number, description: string): ThreatParam => ({ name, kind: "integer", default: def, min, max, description });
const dur = (name: string, defMs: number, minMs: number, maxMs: number, description: string): ThreatParam => ({ name, kind: "duration", default: defMs, min: minMs, max: maxMs, description });

export const THREATS: readonly ThreatInfo[] = [
  { code: 0, id: 1001, slug: "syn-flood", name: "TCP.SYN.Flood", enabled: true, action: "block", severity: "critical", description: "SYNs to one workload from one source above the threshold in the window", params: [int("threshold", 800, 1, 10_000_000, "SYNs in the window that raise it"), int("release", 600, 0, 10_000_000, "it stays on until the count falls below this"), dur("window", 5000, 100, 3_600_000, "sliding window")] },
  { code: 1, id: 1002, slug: "icmp-flood", name: "ICMP.Flood", enabled: true, action: "block", severity: "critical", description: "ICMP packets to one workload above the threshold in the window", params: [int("threshold", 100, 1, 10_000_000, "ICMP packets in the window that raise it"), int("release", 100, 0, 10_000_000, "it stays on until the count falls below this"), dur("window", 1000, 100, 3_600_000, "sliding window")] },
  { code: 2, id: 1901, slug: "dns-flood", name: "DNS.Flood", enabled: true, action: "block", severity: "critical", description: "DNS queries to one workload from one source above the threshold in the window (nvp: NeuVector lists it without data-path code)", params: [int("threshold", 1000, 1, 10_000_000, "queries in the window that raise it"), int("release", 800, 0, 10_000_000, "it stays on until the count falls below this"), dur("window", 1000, 100, 3_600_000, "sliding window")] },
  { code: 3, id: 2002, slug: "ip-teardrop", name: "IP.Fragment.Teardrop", enabled: true, action: "block", severity: "critical", description: "an IPv4 fragment overlaps one already held", params: [] },
  { code: 4, id: 2004, slug: "tcp-split-handshake", name: "TCP.Split.Handshake", enabled: true, action: "report", severity: "critical", description: "a SYN answered by a SYN, or the client sends SYN/ACK", params: [] },
  { code: 5, id: 2006, slug: "ping-death", name: "ICMP.Ping.Death", enabled: true, action: "block", severity: "critical", description: "an ICMP datagram from the client longer than the size", params: [int("size", 32000, 576, 65535, "largest legal ICMP datagram, bytes")] },
  { code: 6, id: 2008, slug: "ssh-v1", name: "SSH.Version.1", enabled: true, action: "report", severity: "low", description: "an SSH identification line of protocol 1 (not SSH-1.99)", params: [] },
  { code: 7, id: 2009, slug: "ssl-heartbleed", name: "SSL.Heartbleed", enabled: true, action: "block", severity: "critical", description: "a TLS heartbeat request whose payload length exceeds its record", params: [] },
  { code: 8, id: 2010, slug: "ssl-cipher-overflow", name: "SSL.Cipher.Overflow", enabled: true, action: "block", severity: "critical", description: "an SSLv2 ClientHello whose cipher-spec length overruns the record", params: [] },
  { code: 9, id: 2011, slug: "ssl-v2-v3", name: "SSL.Version.2or3", enabled: true, action: "block", severity: "critical", description: "an SSLv2 hello or an SSLv3 session", params: [] },
  { code: 10, id: 2012, slug: "tls-1.0", name: "TLS.Version.1.0", enabled: false, action: "block", severity: "info", description: "a TLS 1.0 session (the version the server negotiates)", params: [] },
  { code: 11, id: 2027, slug: "tls-1.1", name: "TLS.Version.1.1", enabled: false, action: "block", severity: "info", description: "a TLS 1.1 session (the version the server negotiates)", params: [] },
  { code: 12, id: 2013, slug: "http-negative-length", name: "HTTP.Negative.Body.Length", enabled: true, action: "block", severity: "critical", description: "an HTTP Content-Length below zero, or a chunk size with its top bit set", params: [] },
  { code: 13, id: 2014, slug: "http-smuggling", name: "HTTP.Request.Smuggling", enabled: true, action: "block", severity: "critical", description: "an HTTP request with two Content-Length headers of different values", params: [] },
  { code: 14, id: 2015, slug: "http-slowloris", name: "HTTP.Request.Slowloris", enabled: false, action: "block", severity: "critical", description: "HTTP request headers not complete within the header timeout, or a body that stalls", params: [dur("header-timeout", 3000, 100, 3_600_000, "time from a request's first byte to the end of its headers"), dur("body-timeout", 30_000, 100, 3_600_000, "time from the end of the headers to the body's first byte")] },
  { code: 15, id: 2017, slug: "dns-overflow", name: "DNS.Stack.Overflow", enabled: true, action: "report", severity: "critical", description: "a DNS message to the server longer than the size with data left unparsed", params: [int("size", 2048, 512, 65535, "message size above which the message is checked")] },
  { code: 16, id: 2018, slug: "mysql-access-deny", name: "MySQL.Access.Deny", enabled: true, action: "report", severity: "info", description: "a MySQL login answered with error 1044 or 1045", params: [] },
  { code: 17, id: 2019, slug: "dns-zone-transfer", name: "DNS.Zone.Transfer", enabled: true, action: "block", severity: "critical", description: "a DNS question of type AXFR or IXFR", params: [] },
  { code: 18, id: 2020, slug: "icmp-tunneling", name: "ICMP.Tunneling", enabled: true, action: "report", severity: "critical", description: "echo replies that do not carry the request's payload", params: [int("threshold", 3, 1, 1000, "mismatched echo replies in one flow that raise it")] },
  { code: 19, id: 2021, slug: "dns-null-type", name: "DNS.Type.Null", enabled: false, action: "block", severity: "critical", description: "a DNS question of type NULL (10)", params: [] },
  { code: 20, id: 2022, slug: "sql-injection", name: "SQL.Injection", enabled: true, action: "block", severity: "critical", description: "SQL injection patterns in a MySQL, PostgreSQL, TDS or TNS query", params: [] },
  { code: 21, id: 2023, slug: "struts-rce", name: "Apache.Struts.RCE", enabled: true, action: "block", severity: "critical", description: "an XStream ProcessBuilder payload running a shell in an HTTP body", params: [] },
  { code: 22, id: 2024, slug: "dns-tunneling", name: "DNS.Tunneling", enabled: true, action: "report", severity: "critical", description: "DNS queries carrying data: long encoded names from one client above the threshold in the window (nvp: from traffic, not the process)", params: [int("threshold", 10, 1, 100_000, "encoded queries in the window that raise it"), int("label-length", 40, 8, 63, "a label at least this long of base32/base64/hex characters is encoded"), dur("window", 60_000, 1000, 3_600_000, "sliding window")] },
  { code: 23, id: 2025, slug: "tcp-small-mss", name: "TCP.Small.MSS", enabled: true, action: "block", severity: "critical", description: "a SYN whose MSS option is above zero and below the size", params: [int("size", 256, 1, 65535, "smallest legal MSS")] },
  { code: 24, id: 2016, slug: "tcp-small-window", name: "TCP.Small.Window", enabled: false, action: "block", severity: "critical", description: "a client window that fell below the size and stays there while little data moved", params: [int("size", 16, 1, 65535, "window bytes below which the window is small"), dur("duration", 8000, 100, 3_600_000, "how long it must stay small")] },
  { code: 25, id: 2026, slug: "k8s-mitm", name: "K8S.externalIPs.MitM", enabled: true, action: "block", severity: "critical", description: "a workload connects to a Service external IP (CVE-2020-8554)", params: [] },
  { code: 26, id: 2007, slug: "dns-loop-pointer", name: "DNS.Loop.Pointer", enabled: true, action: "block", severity: "critical", description: "a DNS name with more compression pointers than any legal name", params: [] },
];

export const THREAT_COUNT = THREATS.length;

export function threatBySlug(slug: string): ThreatInfo | undefined {
  return THREATS.find((t) => t.slug === slug);
}

export function threatByCode(code: number): ThreatInfo | undefined {
  return THREATS[code];
}

/**
 * The flow store's tables (docs/formats.md "Flow store"). One DuckDB file; every row carries the
 * run that wrote it, and flows, events and threats the capture they came from, so several captures
 * and replays accumulate side by side. Column names are plain snake_case so the Parquet export
 * reads the same in Spark, Trino or ClickHouse.
 */

/**
 * Bumped when a table changes shape. A store of an older version this nvp can upgrade
 * (`MIGRATIONS`) is upgraded in place when opened for writing; any other version is refused (NV5602).
 */
export const STORE_SCHEMA_VERSION = 2;

/**
 * The explorer's free-text column (flows.search): names, application, addresses, capture and
 * groups, lower-cased and joined by U+001F, which a search may not contain, so a match never
 * spans two fields. One substring test per row instead of six ILIKEs and two list scans: at 10^6
 * flows 0.14 CPU s against 1.1 (docs/performance.md "Flow store").
 */
export function searchText(c: { srcName: string; dstName: string; app: string; srcIp: string; dstIp: string; capture: string; srcGroups: string; dstGroups: string }): string {
  const list = (l: string) => `array_to_string(${l}, chr(31))`;
  return `lower(concat_ws(chr(31), ${c.srcName}, ${c.dstName}, ${c.app}, ${c.srcIp}, ${c.dstIp}, ${c.capture}, ${list(c.srcGroups)}, ${list(c.dstGroups)}))`;
}

const FLOW_SEARCH = searchText({ srcName: "src_name", dstName: "dst_name", app: "app", srcIp: "src_ip", dstIp: "dst_ip", capture: "capture", srcGroups: "src_groups", dstGroups: "dst_groups" });

/** Upgrades from an older version: the statements that bring version `from` to `from + 1`. */
export const MIGRATIONS: Readonly<Record<number, readonly string[]>> = {
  1: ["ALTER TABLE flows ADD COLUMN search VARCHAR", `UPDATE flows SET search = ${FLOW_SEARCH}`],
};

/** Columns derived for nvp's own queries, left out of the Parquet export. */
export const DERIVED_COLUMNS: Partial<Record<string, readonly string[]>> = { flows: ["search"] };

const ENDPOINT = (p: "src" | "dst") =>
  `${p}_ip VARCHAR, ${p}_port INTEGER, ${p}_kind VARCHAR, ${p}_name VARCHAR, ${p}_groups VARCHAR[]`;

/** Columns shared by flows, events and threats: one flow record as the packet path reports it. */
const FLOW_COLUMNS = `run_id INTEGER NOT NULL, capture VARCHAR NOT NULL, flow_id UBIGINT, proto VARCHAR,
  ${ENDPOINT("src")}, ${ENDPOINT("dst")}, app VARCHAR, rule INTEGER, action VARCHAR, mode VARCHAR,
  packets_out BIGINT, packets_in BIGINT, bytes_out BIGINT, bytes_in BIGINT,
  first_ts TIMESTAMP_NS, last_ts TIMESTAMP_NS, state VARCHAR, src_ipnum UBIGINT, dst_ipnum UBIGINT`;

export const TABLES = ["meta", "runs", "captures", "flows", "events", "threats", "workloads", "services", "policy_groups", "dns", "geo"] as const;
export type TableName = (typeof TABLES)[number];

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (run_id INTEGER PRIMARY KEY, started TIMESTAMP NOT NULL, kind VARCHAR NOT NULL,
  policy VARCHAR, module_hash VARCHAR, nvp_version VARCHAR, note VARCHAR);
CREATE TABLE IF NOT EXISTS captures (run_id INTEGER NOT NULL, capture VARCHAR NOT NULL, packets BIGINT,
  bytes BIGINT, flows BIGINT, events BIGINT, error VARCHAR);
CREATE TABLE IF NOT EXISTS flows (${FLOW_COLUMNS}, end_reason VARCHAR, search VARCHAR);
CREATE TABLE IF NOT EXISTS events (type VARCHAR NOT NULL, time TIMESTAMP_NS, ${FLOW_COLUMNS}, awaiting VARCHAR,
  xff_ip VARCHAR, xff_rule INTEGER, xff_action VARCHAR);
CREATE TABLE IF NOT EXISTS threats (time TIMESTAMP_NS, threat VARCHAR, threat_id INTEGER, slug VARCHAR,
  severity VARCHAR, evidence VARCHAR, ${FLOW_COLUMNS});
CREATE TABLE IF NOT EXISTS workloads (run_id INTEGER NOT NULL, namespace VARCHAR, name VARCHAR, service VARCHAR,
  node VARCHAR, images VARCHAR[], ips VARCHAR[]);
CREATE TABLE IF NOT EXISTS services (run_id INTEGER NOT NULL, service VARCHAR, namespace VARCHAR, grp VARCHAR, mode VARCHAR);
CREATE TABLE IF NOT EXISTS policy_groups (run_id INTEGER NOT NULL, name VARCHAR, kind VARCHAR, dns VARCHAR[]);
CREATE TABLE IF NOT EXISTS dns (run_id INTEGER NOT NULL, name VARCHAR, ip VARCHAR, source VARCHAR);
CREATE TABLE IF NOT EXISTS geo (ip VARCHAR PRIMARY KEY, country VARCHAR, numeric VARCHAR);
`;

/**
 * How an NDJSON event line (docs/formats.md "Event NDJSON") is read: the columns DuckDB's
 * read_json must find, with their types. Unknown keys are ignored; a wrong type is an error.
 */
const EP_STRUCT = "STRUCT(ip VARCHAR, port INTEGER, kind VARCHAR, name VARCHAR, groups VARCHAR[])";
export const NDJSON_COLUMNS =
  `{type: 'VARCHAR', time: 'VARCHAR', flow: 'UBIGINT', threat: 'VARCHAR', id: 'INTEGER', slug: 'VARCHAR', ` +
  `severity: 'VARCHAR', evidence: 'VARCHAR', proto: 'VARCHAR', src: '${EP_STRUCT}', dst: '${EP_STRUCT}', ` +
  `app: 'VARCHAR', rule: 'INTEGER', action: 'VARCHAR', mode: 'VARCHAR', awaiting: 'VARCHAR', ` +
  `xff: 'STRUCT(ip VARCHAR, rule INTEGER, action VARCHAR)', packets: 'BIGINT[]', bytes: 'BIGINT[]', ` +
  `first: 'VARCHAR', last: 'VARCHAR', "end": 'VARCHAR', state: 'VARCHAR'}`;

/** The shared flow columns as selected from the staging table `s` for run `$run`, the capture given by the SQL `capture`. */
export const FLOW_SELECT = (capture: string) => `$run, ${capture}, flow, proto,
  src.ip, src.port, src.kind, src.name, src.groups, dst.ip, dst.port, dst.kind, dst.name, dst.groups,
  app, rule, action, mode, packets[1], packets[2], bytes[1], bytes[2],
  CAST(first AS TIMESTAMP_NS), CAST(last AS TIMESTAMP_NS), state, ${ipv4Number("src.ip")}, ${ipv4Number("dst.ip")}`;

/** flows.search for a staged record (the capture given by the SQL `capture`). */
export const FLOW_SEARCH_SELECT = (capture: string) =>
  searchText({ srcName: "src.name", dstName: "dst.name", app: "app", srcIp: "src.ip", dstIp: "dst.ip", capture, srcGroups: "src.groups", dstGroups: "dst.groups" });

/** An IPv4 address as a number (NULL for IPv6), so CIDR filters are a range test on a column. */
function ipv4Number(col: string): string {
  const part = (i: number) => `TRY_CAST(split_part(${col}, '.', ${i}) AS UBIGINT)`;
  // An address without a colon is IPv4 (the packet path writes dotted quads); no regex per row.
  return `CASE WHEN strpos(${col}, ':') = 0 THEN (${part(1)} << 24) + (${part(2)} << 16) + (${part(3)} << 8) + ${part(4)} END`;
}

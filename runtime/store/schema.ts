/**
 * The flow store's tables (docs/formats.md "Flow store"). One DuckDB file; every row carries the
 * run that wrote it, and flows, events and threats the capture they came from, so several captures
 * and replays accumulate side by side. Column names are plain snake_case so the Parquet export
 * reads the same in Spark, Trino or ClickHouse.
 */

/** Bumped when a table changes shape; a store written by another version is refused (NV5602). */
export const STORE_SCHEMA_VERSION = 1;

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
CREATE TABLE IF NOT EXISTS flows (${FLOW_COLUMNS}, end_reason VARCHAR);
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

/** An IPv4 address as a number (NULL for IPv6), so CIDR filters are a range test on a column. */
function ipv4Number(col: string): string {
  const part = (i: number) => `TRY_CAST(split_part(${col}, '.', ${i}) AS UBIGINT)`;
  // An address without a colon is IPv4 (the packet path writes dotted quads); no regex per row.
  return `CASE WHEN strpos(${col}, ':') = 0 THEN (${part(1)} << 24) + (${part(2)} << 16) + (${part(3)} << 8) + ${part(4)} END`;
}

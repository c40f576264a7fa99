/**
 * The explorer's views (seed 003: Flows, Overview, Statistics, GeoMap) over the flows a filter
 * selects. Each is a few aggregate queries DuckDB answers from its columns; only the Flows page
 * returns rows, and at most `PAGE_MAX` of them.
 */
import { SORT_COLUMNS, whereClause, type FlowFilter } from "./flow-query.js";
import type { FlowStore, Param, Row } from "./store.js";

export const PAGE_MAX = 500;

export interface PageRequest {
  sort?: string;
  dir?: string;
  page?: number;
  size?: number;
}

export async function flowsPage(store: FlowStore, f: FlowFilter, req: PageRequest = {}): Promise<{ total: number; page: number; size: number; rows: Row[] }> {
  const w = whereClause(f);
  const sortExpr = SORT_COLUMNS[req.sort ?? "first"] ?? SORT_COLUMNS["first"]!;
  const dir = req.dir === "desc" ? "DESC" : "ASC";
  const size = Math.min(Math.max(1, Math.floor(req.size ?? 50)), PAGE_MAX);
  const page = Math.max(0, Math.floor(req.page ?? 0));
  const total = Number((await store.query(`SELECT count(*) AS n FROM flows ${w.sql}`, w.params))[0]!["n"]);
  const params: Param[] = [...w.params, size, page * size];
  const n = w.params.length;
  // Page first, then look up the page's countries: the join then touches 50 rows, not the selection.
  const rows = await store.query(
    `WITH page AS (SELECT * FROM flows ${w.sql} ORDER BY ${sortExpr} ${dir} NULLS LAST, run_id, flow_id LIMIT $${n + 1} OFFSET $${n + 2})
     SELECT run_id, capture, flow_id, strftime(first_ts, '%Y-%m-%d %H:%M:%S.%g') AS first, epoch_ms(last_ts) - epoch_ms(first_ts) AS duration_ms,
       proto, src_ip, src_port, src_name, dst_ip, dst_port, dst_name, app, rule, action, mode,
       packets_out + packets_in AS packets, bytes_out + bytes_in AS bytes, end_reason, gs.country AS src_country, gd.country AS dst_country
     FROM page LEFT JOIN geo gs ON gs.ip = page.src_ip LEFT JOIN geo gd ON gd.ip = page.dst_ip
     ORDER BY ${sortExpr} ${dir} NULLS LAST, run_id, flow_id`,
    params,
  );
  return { total, page, size, rows };
}

async function grouped(store: FlowStore, f: FlowFilter, select: string, tail: string): Promise<Row[]> {
  const w = whereClause(f);
  return store.query(`SELECT ${select} FROM (SELECT *, epoch_ms(last_ts) - epoch_ms(first_ts) AS d FROM flows ${w.sql}) ${tail}`, w.params);
}

/** Traffic over time (about 60 buckets of the selection's span), protocols, applications, countries. */
export async function overview(store: FlowStore, f: FlowFilter): Promise<Record<string, Row[] | Row>> {
  const w = whereClause(f);
  const span = (await store.query(`SELECT epoch_ms(min(first_ts)) AS lo, epoch_ms(max(first_ts)) AS hi, count(*) AS flows, coalesce(sum(bytes_out + bytes_in), 0) AS bytes FROM flows ${w.sql}`, w.params))[0]!;
  const lo = Number(span["lo"] ?? 0);
  const step = Math.max(1, Math.ceil((Number(span["hi"] ?? 0) - lo) / 60));
  const n = w.params.length;
  const timeline = await store.query(
    `SELECT $${n + 1}::BIGINT + (epoch_ms(first_ts) - $${n + 1}::BIGINT) // $${n + 2}::BIGINT * $${n + 2}::BIGINT AS t, count(*) AS flows, sum(bytes_out + bytes_in) AS bytes
     FROM flows ${w.sql} GROUP BY 1 ORDER BY 1`,
    [...w.params, lo, step],
  );
  return {
    totals: span,
    timeline,
    protocols: await grouped(store, f, "proto, count(*) AS flows, sum(bytes_out + bytes_in) AS bytes", "GROUP BY 1 ORDER BY flows DESC"),
    apps: await grouped(store, f, "coalesce(app, 'unidentified') AS app, count(*) AS flows, sum(bytes_out + bytes_in) AS bytes", "GROUP BY 1 ORDER BY flows DESC LIMIT 15"),
    actions: await grouped(store, f, "action, count(*) AS flows", "GROUP BY 1 ORDER BY flows DESC"),
    countries: await countries(store, f, 15),
  };
}

/** Bytes and flows per country of the external side of each flow (either end). */
export async function countries(store: FlowStore, f: FlowFilter, limit = 300): Promise<Row[]> {
  const w = whereClause(f);
  const n = w.params.length;
  return store.query(
    `WITH sel AS (SELECT src_ip, dst_ip, bytes_out, bytes_in FROM flows ${w.sql}),
      ends AS (SELECT g.country, g.numeric, s.bytes_out AS sent, s.bytes_in AS received FROM sel s JOIN geo g ON g.ip = s.src_ip
        UNION ALL SELECT g.country, g.numeric, s.bytes_in, s.bytes_out FROM sel s JOIN geo g ON g.ip = s.dst_ip)
     SELECT country, any_value(numeric) AS numeric, count(*) AS flows, sum(sent) AS sent, sum(received) AS received, sum(sent + received) AS bytes
     FROM ends WHERE country IS NOT NULL GROUP BY country ORDER BY bytes DESC LIMIT $${n + 1}`,
    [...w.params, limit],
  );
}

/** Per source and destination IP (bytes sent/received, flows), per protocol, and flow durations. */
export async function statistics(store: FlowStore, f: FlowFilter): Promise<Record<string, Row[]>> {
  return {
    sources: await grouped(store, f, "src_ip AS ip, any_value(src_name) AS name, count(*) AS flows, sum(bytes_out) AS sent, sum(bytes_in) AS received", "GROUP BY 1 ORDER BY sent + received DESC LIMIT 20"),
    destinations: await grouped(store, f, "dst_ip AS ip, any_value(dst_name) AS name, count(*) AS flows, sum(bytes_in) AS sent, sum(bytes_out) AS received", "GROUP BY 1 ORDER BY sent + received DESC LIMIT 20"),
    protocols: await grouped(store, f, "proto, count(*) AS flows, sum(bytes_out) AS out_bytes, sum(bytes_in) AS in_bytes", "GROUP BY 1 ORDER BY flows DESC"),
    durations: await grouped(
      store,
      f,
      `CASE WHEN d < 1 THEN '< 1 ms' WHEN d < 10 THEN '1-10 ms' WHEN d < 100 THEN '10-100 ms' WHEN d < 1000 THEN '0.1-1 s'
        WHEN d < 10000 THEN '1-10 s' WHEN d < 60000 THEN '10-60 s' ELSE '>= 1 min' END AS bucket, min(d) AS lo, count(*) AS flows`,
      "GROUP BY 1 ORDER BY lo",
    ).then((rows) => rows.map(({ lo: _lo, ...r }) => r)),
  };
}

/** What the store holds: runs and their captures, newest first. */
export async function captureList(store: FlowStore): Promise<Row[]> {
  return store.query(
    `SELECT c.run_id, r.kind, r.policy, strftime(r.started, '%Y-%m-%d %H:%M:%S') AS started, c.capture, c.packets, c.flows, c.events, c.error
     FROM captures c JOIN runs r USING (run_id) ORDER BY c.run_id DESC, c.capture`,
  );
}

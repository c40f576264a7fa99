/**
 * The queries behind the Security Event and Risk Report (seed 002), each one SQL statement over the
 * whole store or the runs given. Services are NeuVector's `service.namespace`; a pod is a workload
 * endpoint (`namespace/pod`). Actions read as NeuVector shows them: Allow, Alert (a violation in
 * Monitor or Discover), Deny.
 */
import type { FlowStore, Param, Row } from "./store.js";

export interface ReportData {
  generated: string;
  totals: Row;
  captures: Row[];
  ingress: Row[];
  egress: Row[];
  severities: Row[];
  critical: Row[];
  topSources: Row[];
  topDestinations: Row[];
  serviceModes: Row[];
  podModes: Row[];
  appConversations: Row[];
  appVolume: Row[];
  hasPolicy: boolean;
  hasInventory: boolean;
}

/**
 * A workload endpoint's service: the inventory's (the `pods` CTE), else the pod name without its
 * replica suffix (`web-7d4b9c-x2x1k` → `web`) and the namespace.
 */
const PODS = `pods AS (SELECT namespace || '/' || name AS pod, any_value(service || '.' || namespace) AS service FROM workloads GROUP BY 1)`;
const SERVICE_OF = (pod: string) => `coalesce(p.service,
  regexp_replace(split_part(${pod}, '/', 2), '(-[a-z0-9]{5,10})?-[a-z0-9]{5}$', '') || '.' || split_part(${pod}, '/', 1))`;

function exposure(direction: "ingress" | "egress"): string {
  const [inside, outside] = direction === "ingress" ? (["dst", "src"] as const) : (["src", "dst"] as const);
  // Name each pod's service once (there are few pods). Then two passes: cheap aggregates (count,
  // sum, max) over every service and host pair rank them, and only the 100 shown get the costly
  // ones (distinct pods, the list of applications, a mode): at 10^6 flows that list and distinct
  // count over ~300,000 groups were most of the query (EXPLAIN ANALYZE; docs/performance.md).
  return `WITH ${PODS}, f AS (
      SELECT f.${inside}_name AS pod, f.${outside}_ip AS host, f.app, f.action, f.mode, f.bytes_out + f.bytes_in AS bytes
      FROM flows f WHERE f.${inside}_kind = 'workload' AND f.${outside}_kind <> 'workload' AND f.run_id IN (SELECT run_id FROM sel)),
    ps AS (SELECT d.pod, ${SERVICE_OF("d.pod")} AS service FROM (SELECT DISTINCT pod FROM f) d LEFT JOIN pods p ON p.pod = d.pod),
    g AS (SELECT ps.service, f.host, count(*) AS sessions, sum(f.bytes) AS bytes,
        max(CASE f.action WHEN 'deny' THEN 3 WHEN 'violate' THEN 2 ELSE 1 END) AS act
      FROM f JOIN ps ON ps.pod = f.pod GROUP BY 1, 2),
    top AS (SELECT *, count(*) OVER () AS of_rows FROM g ORDER BY act DESC, sessions DESC, service, host LIMIT 100),
    detail AS (SELECT ps.service, f.host, count(DISTINCT f.pod) AS pods, any_value(f.mode) AS mode, list_distinct(list(f.app)) AS apps
      FROM f JOIN ps ON ps.pod = f.pod WHERE f.host IN (SELECT host FROM top) GROUP BY 1, 2),
    hosts AS (SELECT ip, string_agg(DISTINCT name, ', ') AS fqdn FROM dns WHERE ip IN (SELECT host FROM top) GROUP BY ip),
    modes AS (SELECT service || '.' || namespace AS service, any_value(mode) AS mode FROM services GROUP BY 1)
    SELECT t.service, d.pods, coalesce(m.mode, d.mode) AS mode, t.host, h.fqdn, t.sessions,
      array_to_string(list_sort(list_filter(d.apps, a -> a <> 'unknown')), ', ') AS applications, t.bytes,
      CASE t.act WHEN 3 THEN 'Deny' WHEN 2 THEN 'Alert' ELSE 'Allow' END AS action, t.of_rows
    FROM top t JOIN detail d ON d.service = t.service AND d.host = t.host LEFT JOIN modes m ON m.service = t.service LEFT JOIN hosts h ON h.ip = t.host
    ORDER BY t.act DESC, t.sessions DESC, t.service, t.host`;
}

/** Security events (threats, violations, denies) grouped by one side's pod, or address when not a pod. */
function topBy(side: "src" | "dst"): string {
  return `WITH e AS (
      SELECT coalesce(${side}_name, ${side}_ip) AS who, 'threat' AS kind FROM threats WHERE run_id IN (SELECT run_id FROM sel)
      UNION ALL SELECT coalesce(${side}_name, ${side}_ip), CASE type WHEN 'violation' THEN 'violation' ELSE 'deny' END
        FROM events WHERE type IN ('violation', 'deny') AND run_id IN (SELECT run_id FROM sel))
    SELECT who, count(*) FILTER (kind = 'threat') AS threats, count(*) FILTER (kind = 'violation') AS violations,
      count(*) FILTER (kind = 'deny') AS denies, count(*) AS total
    FROM e GROUP BY who ORDER BY total DESC, who LIMIT 10`;
}

const MODES = `SELECT m.mode, count(*) AS n FROM (VALUES ('discover'), ('monitor'), ('protect')) m(mode)`;

export const REPORT_QUERIES = {
  totals: `SELECT (SELECT count(*) FROM flows WHERE run_id IN (SELECT run_id FROM sel)) AS flows,
      (SELECT coalesce(sum(bytes_out + bytes_in), 0) FROM flows WHERE run_id IN (SELECT run_id FROM sel)) AS bytes,
      (SELECT count(*) FROM threats WHERE run_id IN (SELECT run_id FROM sel)) AS threats,
      (SELECT count(*) FROM events WHERE type IN ('violation', 'deny') AND run_id IN (SELECT run_id FROM sel)) AS violations,
      (SELECT count(*) FROM sel) AS runs`,
  captures: `SELECT c.run_id, r.kind, r.policy, c.capture, c.packets, c.flows, c.events, c.error
    FROM captures c JOIN runs r USING (run_id) WHERE c.run_id IN (SELECT run_id FROM sel) ORDER BY c.run_id, c.capture`,
  ingress: exposure("ingress"),
  egress: exposure("egress"),
  severities: `SELECT severity, count(*) AS n FROM threats WHERE run_id IN (SELECT run_id FROM sel) GROUP BY severity ORDER BY n DESC`,
  critical: `SELECT threat, severity, count(*) AS n, string_agg(DISTINCT action, ', ') AS actions,
      string_agg(DISTINCT coalesce(src_name, src_ip), ', ') AS sources, string_agg(DISTINCT coalesce(dst_name, dst_ip), ', ') AS destinations,
      min(time) AS first, max(time) AS last
    FROM threats WHERE severity = 'critical' AND run_id IN (SELECT run_id FROM sel) GROUP BY threat, severity ORDER BY n DESC LIMIT 100`,
  topSources: topBy("src"),
  topDestinations: topBy("dst"),
  serviceModes: `${MODES} JOIN (SELECT DISTINCT service, namespace, mode FROM services WHERE run_id IN (SELECT run_id FROM sel)) s ON s.mode = m.mode GROUP BY m.mode ORDER BY m.mode`,
  podModes: `${MODES} JOIN (SELECT DISTINCT w.namespace, w.name, s.mode FROM workloads w JOIN services s ON s.service = w.service AND s.namespace = w.namespace AND s.run_id = w.run_id
      WHERE w.run_id IN (SELECT run_id FROM sel)) p ON p.mode = m.mode GROUP BY m.mode ORDER BY m.mode`,
  appConversations: `SELECT coalesce(CASE WHEN app <> 'unknown' THEN app END, 'Others') AS app, count(*) AS n
    FROM flows WHERE run_id IN (SELECT run_id FROM sel) GROUP BY 1 ORDER BY n DESC LIMIT 20`,
  appVolume: `SELECT coalesce(CASE WHEN app <> 'unknown' THEN app END, 'Others') AS app, sum(bytes_out + bytes_in) AS bytes
    FROM flows WHERE run_id IN (SELECT run_id FROM sel) GROUP BY 1 ORDER BY bytes DESC LIMIT 20`,
} as const;

export type ReportQuery = keyof typeof REPORT_QUERIES;

/** `sel`: the runs the report covers (all when `runs` is empty), as a CTE every query starts from. */
function withRuns(sql: string, runs: readonly number[]): { sql: string; params: Param[] } {
  const sel = runs.length ? `sel AS (SELECT unnest($1::INTEGER[]) AS run_id)` : `sel AS (SELECT run_id FROM runs)`;
  const body = sql.startsWith("WITH ") ? sql.slice(5) : null;
  return { sql: body ? `WITH ${sel}, ${body}` : `WITH ${sel} ${sql}`, params: runs.length ? [JSON.stringify(runs)] : [] };
}

export async function runReportQuery(store: FlowStore, name: ReportQuery, runs: readonly number[] = []): Promise<Row[]> {
  const q = withRuns(REPORT_QUERIES[name], runs);
  return store.query(q.sql, q.params);
}

export async function reportData(store: FlowStore, runs: readonly number[] = []): Promise<ReportData> {
  const get = (n: ReportQuery) => runReportQuery(store, n, runs);
  const count = async (table: string) => Number((await store.query(`SELECT count(*) AS n FROM ${table}`))[0]!["n"]);
  return {
    generated: new Date().toISOString(),
    totals: (await get("totals"))[0]!,
    captures: await get("captures"),
    ingress: await get("ingress"),
    egress: await get("egress"),
    severities: await get("severities"),
    critical: await get("critical"),
    topSources: await get("topSources"),
    topDestinations: await get("topDestinations"),
    serviceModes: await get("serviceModes"),
    podModes: await get("podModes"),
    appConversations: await get("appConversations"),
    appVolume: await get("appVolume"),
    hasPolicy: (await count("services")) > 0,
    hasInventory: (await count("workloads")) > 0,
  };
}

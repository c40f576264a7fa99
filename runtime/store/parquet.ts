/** `nvp export-parquet`: every table of the store as one Parquet file (zstd), for Spark, Trino or ClickHouse. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DERIVED_COLUMNS, TABLES } from "./schema.js";
import { firstLine, STORE_CODES, StoreError, type FlowStore } from "./store.js";

export async function exportParquet(store: FlowStore, dir: string): Promise<{ table: string; file: string; rows: number }[]> {
  mkdirSync(dir, { recursive: true });
  const out = [];
  for (const table of TABLES) {
    const file = join(dir, `${table}.parquet`);
    try {
      // The table name comes from TABLES, never from input; COPY takes no parameters, so the path is quoted.
      const derived = DERIVED_COLUMNS[table];
      const source = derived ? `(SELECT * EXCLUDE (${derived.join(", ")}) FROM ${table})` : table;
      await store.run(`COPY ${source} TO '${file.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    } catch (e) {
      throw new StoreError(STORE_CODES.write, `cannot write \`${file}\`: ${firstLine(e)}`, "check the folder exists and is writable");
    }
    const rows = Number((await store.query(`SELECT count(*) AS n FROM ${table}`))[0]!["n"]);
    out.push({ table, file, rows });
  }
  return out;
}

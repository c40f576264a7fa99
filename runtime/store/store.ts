/**
 * Opening the flow store (one DuckDB file) and running parameterised SQL on it. Every query that
 * carries user input goes through `query(sql, params)`: values are bound, never spliced in.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { STORE_CODES, StoreError } from "./codes.js";
import { MIGRATIONS, SCHEMA_SQL, STORE_SCHEMA_VERSION } from "./schema.js";

export { STORE_CODES, StoreError };

export type Row = Record<string, unknown>;
export type Param = string | number | bigint | boolean | null;

/** JSON-safe: bigint to number (counts here stay far below 2^53), timestamps to ISO text. */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const o = v as { toString(): string; items?: unknown[]; entries?: Record<string, unknown> };
    if (Array.isArray(o.items)) return o.items.map(plain);
    if (o.entries && typeof o.entries === "object") return Object.fromEntries(Object.entries(o.entries).map(([k, x]) => [k, plain(x)]));
    return o.toString();
  }
  return v;
}

export class FlowStore {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  /** Open (or create) the store at `path`; `:memory:` for a throwaway one. */
  static async open(path: string, opts: { readOnly?: boolean } = {}): Promise<FlowStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (e) {
      throw new StoreError(STORE_CODES.open, `cannot open the store \`${path}\`: ${firstLine(e)}`, "give a DuckDB file written by `nvp ingest` or `nvp replay --store`, or a new path");
    }
    const store = new FlowStore(path, instance, await instance.connect());
    await store.init(Boolean(opts.readOnly));
    return store;
  }

  private async init(readOnly: boolean): Promise<void> {
    if (!readOnly) await this.conn.run(SCHEMA_SQL);
    const rows = await this.query("SELECT value FROM meta WHERE key = 'schema'").catch(() => []);
    const found = rows[0]?.["value"];
    if (found === undefined) {
      if (readOnly) throw new StoreError(STORE_CODES.open, `\`${this.path}\` is not an nvp flow store`, "create one with `nvp ingest` or `nvp replay --store`");
      await this.conn.run(`INSERT INTO meta VALUES ('schema', '${STORE_SCHEMA_VERSION}')`);
    } else if (String(found) !== String(STORE_SCHEMA_VERSION)) {
      const from = Number(found);
      const known = Number.isInteger(from) && from < STORE_SCHEMA_VERSION && Array.from({ length: STORE_SCHEMA_VERSION - from }, (_, k) => MIGRATIONS[from + k]).every(Boolean);
      const msg = `the store \`${this.path}\` has schema version ${String(found)}, this nvp reads ${STORE_SCHEMA_VERSION}`;
      if (!known) throw new StoreError(STORE_CODES.version, msg, "export it with the nvp that wrote it, or start a new store");
      if (readOnly) throw new StoreError(STORE_CODES.version, msg, "it is upgraded in place when nvp first writes to it (`nvp ingest --store` or `nvp serve --store`); or use the nvp that wrote it");
      await this.migrate(from);
    }
  }

  /** Upgrade a store of version `from` to this version, all steps in one transaction. */
  private async migrate(from: number): Promise<void> {
    await this.transaction(async () => {
      for (let v = from; v < STORE_SCHEMA_VERSION; v++) for (const sql of MIGRATIONS[v]!) await this.conn.run(sql);
      await this.conn.run(`UPDATE meta SET value = '${STORE_SCHEMA_VERSION}' WHERE key = 'schema'`);
    });
  }

  /** Run `sql` with `params` bound to `$1…` (or `$name` when params is an object); rows as plain objects. */
  async query(sql: string, params: readonly Param[] | Record<string, Param> = []): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(sql, params as unknown as Record<string, DuckDBValue>);
    return reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
  }

  async run(sql: string, params: readonly Param[] | Record<string, Param> = []): Promise<void> {
    await this.conn.run(sql, params as unknown as Record<string, DuckDBValue>);
  }

  /** Run `body` in one transaction: everything it wrote is kept, or (on any throw) nothing. */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.conn.run("BEGIN TRANSACTION");
    try {
      const out = await body();
      await this.conn.run("COMMIT");
      return out;
    } catch (e) {
      await this.conn.run("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  /**
   * A second connection to the same database, for a writer beside readers: its transaction is its
   * own, so queries on the first connection never see (or join) a half-written ingest.
   */
  async fork(): Promise<FlowStore> {
    const f = new FlowStore(this.path, this.instance, await this.instance.connect());
    f.forked = true;
    return f;
  }

  private forked = false;

  close(): void {
    this.conn.closeSync();
    if (!this.forked) this.instance.closeSync();
  }
}

/** DuckDB's message without its "Try setting…" advice, which names options nvp does not expose. */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.replace(/^(Invalid Input|IO|Conversion|Binder|Catalog) Error: /, "").trim();
}

/** The flow store: captures and replays accumulated in one DuckDB file (docs/formats.md "Flow store"). */
export { FlowStore, type Row, type Param } from "./store.js";
export { StoreError, STORE_CODES, STORE_CODE_CATALOG } from "./codes.js";
export { ingestRun, ingestReplay, type CaptureInput, type IngestResult, type ReplayCapture, type RunContext, type RunInfo } from "./ingest.js";
export { StoreRecorder } from "./record-events.js";
export { exportParquet } from "./parquet.js";
export { reportData, runReportQuery, REPORT_QUERIES, type ReportQuery, type ReportData } from "./report-queries.js";
export { countryOf, fillGeo, GEO_ATTRIBUTION } from "./geo.js";
export { STORE_SCHEMA_VERSION, TABLES } from "./schema.js";
export { replayFileIntoStore, type ReplayProgress } from "./replay-capture.js";
export { parseFilter, whereClause, cidrRange, FilterError, FILTER_KEYS, SORT_COLUMNS, type FlowFilter } from "./flow-query.js";
export { flowsPage, overview, statistics, countries, captureList, PAGE_MAX, type PageRequest } from "./explore-queries.js";

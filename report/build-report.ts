/**
 * `nvp report`: one self-contained HTML file — the data as JSON, ECharts, the page script and the
 * styles inlined — that opens from disk with no network (a CI artifact). The sections are seed
 * 002's Security Event and Risk Report, filled from the flow store.
 */
import { reportData } from "../runtime/store/report-queries.js";
import type { FlowStore } from "../runtime/store/store.js";
import { echartsJs, inlineScript, webAsset } from "./assets.js";
import { vulnsByService, type VulnCounts } from "./vulns.js";

export interface ReportOptions {
  runs?: readonly number[];
  vulns?: ReadonlyMap<string, VulnCounts>;
  title?: string;
}

export async function reportJson(store: FlowStore, opts: ReportOptions = {}): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = { ...(await reportData(store, opts.runs ?? [])) };
  data["hasVulns"] = Boolean(opts.vulns && opts.vulns.size);
  if (opts.vulns && opts.vulns.size) {
    const byService = await vulnsByService(store, opts.vulns);
    const index = new Map(byService.map((r) => [String(r["service"]), r]));
    for (const key of ["ingress", "egress"]) {
      for (const row of data[key] as Record<string, unknown>[]) {
        const v = index.get(String(row["service"]));
        if (v) row["vulns"] = { high: v["high"], medium: v["medium"] };
      }
    }
    data["vulns"] = byService.sort((a, b) => Number(b["critical"]) - Number(a["critical"]) || Number(b["high"]) - Number(a["high"]));
  }
  return data;
}

export async function buildReport(store: FlowStore, opts: ReportOptions = {}): Promise<string> {
  const data = await reportJson(store, opts);
  const title = opts.title ?? "Security Event and Risk Report";
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title><style>${webAsset("style.css")}</style></head>
<body><header><h1>${title}</h1><p id="summary"></p></header><main id="report"></main>
<script>${inlineScript(echartsJs())}</script>
<script>window.NVP_REPORT = ${json};</script>
<script>${inlineScript(webAsset("common.js"))}</script>
<script>${inlineScript(webAsset("report.js"))}</script>
</body></html>
`;
}

/**
 * Screenshots for docs/report.md: the report and every explorer tab over a store, in Debian's
 * Chromium. `npx tsx scripts/screenshots.ts STORE PREFIX [MODULE]` writes
 * docs/img/PREFIX-report.png and docs/img/PREFIX-<tab>.png.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer } from "../explorer/server.js";
import { buildReport } from "../report/build-report.js";
import { loadModule } from "../runtime/index.js";
import { FlowStore } from "../runtime/store/index.js";
import { openBrowser } from "../test/browser/chromium.js";

const [storePath, prefix = "demo", modulePath] = process.argv.slice(2);
if (!storePath) throw new Error("usage: npx tsx scripts/screenshots.ts STORE PREFIX");
const out = join(import.meta.dirname, "../docs/img");
mkdirSync(out, { recursive: true });
const store = await FlowStore.open(storePath, { readOnly: true });
const s = await openBrowser();
const ready = () => s.page.waitForSelector("body[data-ready='1']");
const html = join(tmpdir(), `nvp-${prefix}-report.html`);
writeFileSync(html, await buildReport(store));
await s.page.goto(`file://${html}`);
await ready();
await s.page.screenshot({ path: join(out, `${prefix}-report.png`), fullPage: true });
const module = modulePath ? { module: loadModule(readFileSync(modulePath)) } : {};
const { app } = await buildServer({ store, captures: join(tmpdir(), `nvp-${prefix}-captures`), ...module });
const base = await app.listen({ host: "127.0.0.1", port: 0 });
const views: [string, string][] = [
  ["flows", "?tab=flows&sort=bytes&dir=desc"],
  ["flows-filtered", "?tab=flows&ip=10.1.0.0%2F24&proto=tcp&action=allow"],
  ["overview", "?tab=overview"],
  ["stats", "?tab=stats"],
  ["geo", "?tab=geo"],
  ["captures", "?tab=captures"],
];
for (const [name, query] of views) {
  await s.page.goto(`${base}/${query}`);
  await ready();
  await s.page.waitForFunction(() => document.getElementById("summary")?.textContent !== "loading…");
  await s.page.waitForTimeout(200); // let the charts finish their first paint
  await s.page.screenshot({ path: join(out, `${prefix}-${name}.png`), fullPage: name === "stats" || name === "overview" });
}
if (s.errors.length) console.error("console errors:", s.errors);
await app.close();
await s.close();
store.close();
console.log(`wrote ${views.length + 1} screenshots to docs/img/${prefix}-*.png`);

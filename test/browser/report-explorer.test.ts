/**
 * The report and the explorer as a user sees them, in Debian's Chromium (test/browser/chromium.ts):
 * the report renders with no console error and every chart has data; filters narrow the flow
 * table to the rows DuckDB selects; the URL keeps the state; a country click filters; a corrupt
 * upload shows its error. No timing assertions: every step waits for a selector.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildServer } from "../../explorer/server.js";
import { buildReport } from "../../report/build-report.js";
import { loadModule } from "../../runtime/index.js";
import { flowsPage, FlowStore, parseFilter } from "../../runtime/store/index.js";
import { clusterFixture, type Fixture } from "../store/fixture.js";
import { hasBrowser, inCi, openBrowser, type Session } from "./chromium.js";

const run = hasBrowser || inCi;
let fx: Fixture;
let store: FlowStore;
let browser: Session;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  if (!run) return;
  fx = await clusterFixture(300);
  store = await FlowStore.open(fx.store);
  browser = await openBrowser();
  const { app } = await buildServer({ store, captures: join(fx.dir, "captures"), module: loadModule(readFileSync(fx.module)) });
  base = await app.listen({ host: "127.0.0.1", port: 0 });
  close = () => app.close();
});
afterAll(async () => {
  await close?.();
  await browser?.close();
  store?.close();
});

const dbTotal = async (q: Record<string, string>) => (await flowsPage(store, parseFilter(q), { size: 1 })).total;

async function ready(): Promise<void> {
  await browser.page.waitForSelector("body[data-ready='1']");
}

describe.skipIf(!run)("in Chromium", () => {
  test("the report opens from disk, renders every section with no console error, charts have data, tables sort", async () => {
    const file = join(fx.dir, "report.html");
    writeFileSync(file, await buildReport(store));
    const { page, errors } = browser;
    const requests: string[] = [];
    page.on("request", (r) => void (r.url().startsWith("file:") || requests.push(r.url())));
    await page.goto(`file://${file}`);
    await ready();
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    for (const id of ["exposure", "critical", "top", "vulnerabilities", "modes", "applications", "captures"]) expect(await page.isVisible(`section#${id}`)).toBe(true);
    const charts = await page.$$eval("div.chart", (els) => els.map((e) => ({ id: e.id, points: Number(e.getAttribute("data-points")), canvas: Boolean(e.querySelector("canvas")) })));
    expect(charts.map((c) => c.id).sort()).toEqual(["chart-app-conversations", "chart-app-volume", "chart-mode-pods", "chart-mode-services", "chart-severity", "chart-top-dst", "chart-top-src"]);
    for (const c of charts) expect(c).toMatchObject({ points: expect.any(Number), canvas: true });
    expect(charts.every((c) => c.points > 0)).toBe(true);
    expect(await page.textContent("section#vulnerabilities")).toContain("need process or file data");
    // Sort the ingress table by Sessions, descending after two clicks.
    await page.click("table#ingress th:has-text('Sessions')");
    await page.click("table#ingress th:has-text('Sessions')");
    const sessions = await page.$$eval("table#ingress tbody tr td:nth-child(7)", (tds) => tds.map((td) => Number(td.getAttribute("data-v"))));
    expect(sessions.length).toBeGreaterThan(1);
    expect(sessions).toEqual([...sessions].sort((a, b) => b - a));
  });

  test("explorer filters narrow the flow table to the rows DuckDB selects, and the URL keeps them", async () => {
    const { page, errors } = browser;
    await page.goto(`${base}/?tab=flows`);
    await ready();
    expect(Number(await page.getAttribute("#page-info", "data-total"))).toBe(await dbTotal({}));
    await page.fill("input[name=ip]", "10.1.0.0/24");
    await page.selectOption("select[name=proto]", "tcp");
    await page.selectOption("select[name=action]", "allow");
    await page.click("#apply");
    await page.waitForURL(/ip=10\.1\.0\.0%2F24/);
    await ready();
    const want = await dbTotal({ ip: "10.1.0.0/24", proto: "tcp", action: "allow" });
    expect(want).toBeGreaterThan(0);
    expect(Number(await page.getAttribute("#page-info", "data-total"))).toBe(want);
    const shown = await page.$$eval("table#flows tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.getAttribute("data-v"))));
    expect(shown.length).toBe(Math.min(50, want));
    for (const r of shown) expect([r[2], r[6]]).toEqual(["tcp", "allow"]);
    // A shared link shows the same view.
    const url = page.url();
    await page.goto("about:blank");
    await page.goto(url);
    await ready();
    expect(await page.inputValue("input[name=ip]")).toBe("10.1.0.0/24");
    expect(Number(await page.getAttribute("#page-info", "data-total"))).toBe(want);
    // A bad value shows the server's message.
    await page.fill("input[name=port]", "99999");
    await page.click("#apply");
    await page.waitForSelector("#filter-error:not([hidden])");
    expect(await page.textContent("#filter-error")).toMatch(/`port` must be a whole number/);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  test("every explorer tab renders its charts; a click on a country on the map filters the flows", async () => {
    const { page, errors } = browser;
    errors.length = 0;
    for (const tab of ["overview", "stats"]) {
      await page.goto(`${base}/?tab=${tab}`);
      await ready();
      const pts = await page.$$eval(`#view-${tab} div.chart`, (els) => els.map((e) => Number(e.getAttribute("data-points"))));
      expect(pts.length).toBeGreaterThan(3);
      expect(pts.every((n) => n > 0)).toBe(true);
    }
    await page.goto(`${base}/?tab=geo`);
    await ready();
    expect(await page.textContent("#geo-licence")).toMatch(/IP2Location LITE .* CC BY-SA 4\.0/);
    const at = await page.evaluate(() => {
      const c = (window as unknown as { nvp: { charts: { convertToPixel(f: object, v: number[]): number[] }[] } }).nvp.charts[0]!;
      return c.convertToPixel({ seriesIndex: 0 }, [-8.0, 53.2]); // the middle of Ireland
    });
    const box = (await page.locator("#chart-map").boundingBox())!;
    await page.mouse.click(box.x + at[0]!, box.y + at[1]!);
    await page.waitForURL(/country=IE/);
    await ready();
    expect(page.url()).toMatch(/tab=flows/);
    const want = await dbTotal({ country: "IE" });
    expect(want).toBeGreaterThan(0);
    expect(Number(await page.getAttribute("#page-info", "data-total"))).toBe(want);
    await page.goto(`${base}/?tab=report`);
    await ready();
    const frame = page.frameLocator("#report-frame");
    await frame.locator("body[data-ready='1']").waitFor();
    expect(await frame.locator("section#exposure").isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  test("uploading a corrupt capture shows the error and stores nothing", async () => {
    const { page } = browser;
    const before = await dbTotal({});
    await page.goto(`${base}/?tab=captures`);
    await ready();
    await page.setInputFiles("#upload-file", { name: "broken.pcap", mimeType: "application/octet-stream", buffer: Buffer.from("this is not a capture at all, just text\n") });
    await page.click("#upload button[type=submit]");
    await page.waitForSelector("#upload-error:not([hidden])");
    expect(await page.textContent("#upload-error")).toMatch(/NV5607: `\d{14}-broken\.pcap` cannot be replayed: not a pcap or pcapng capture/);
    expect(await dbTotal({})).toBe(before);
  });
});

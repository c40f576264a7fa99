/**
 * Debian's Chromium for the browser tests, driven by playwright-core (which downloads nothing).
 * Outside CI a missing browser skips the tests with one line saying how to install it; in CI
 * (CI=true) a missing browser fails them: a skipped browser test there is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env["NVP_CHROMIUM"] ?? "/usr/bin/chromium";
export const INSTALL_HINT = "apt-get update && apt-get install -y chromium";
export const hasBrowser = existsSync(CHROMIUM);
export const inCi = process.env["CI"] === "true";

if (!hasBrowser && !inCi) process.stderr.write(`browser tests skipped: no ${CHROMIUM} (install it: ${INSTALL_HINT})\n`);

/** Flags without which Chromium keeps calling home on a machine that cannot reach it (docs/toolchain). */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Session> {
  if (!hasBrowser) throw new Error(`no browser at ${CHROMIUM}: ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), "nvp-chromium-"));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: FLAGS, headless: true, viewport: { width: 1280, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => void errors.push(String(e)));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type { Browser, Page };

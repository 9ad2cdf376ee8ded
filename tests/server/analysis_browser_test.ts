import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { tempDir, vpo } from "../cli/_cli.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { asNdjson, perfHistory } from "../fixtures/perf_history.ts";
import { hasChromium, launchChromium, offlinePage } from "./_browser.ts";
import { startServe, type ServeProcess } from "./_serve.ts";

let server: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  const dataDir = tempDir("vpo-analysis-browser-");
  const lib = join(dataDir, "movies");
  mkdirSync(lib);
  const fixtures = await makeFixtures();
  await copyFixture(fixtures, "multi", lib);
  await copyFixture(fixtures, "hevc", lib);
  writeFileSync(join(dataDir, "h.ndjson"), asNdjson(perfHistory({ runs: 200, seed: 61, start: new Date(Date.now() - 17 * 86_400_000).toISOString() }))); // the last run 8 h ago
  await vpo(["stats", "import", "h.ndjson"], { dataDir });
  writeFileSync(join(dataDir, "config.toml"), `[libraries]\nmovies = "${lib}"\n\n[[reports.schedule]]\nname = "weekly"\ncron = "0 6 * * 1"\nperiod = "week"\nformat = "html"\n`);
  await vpo(["scan", lib], { dataDir });
  server = await startServe(["--port", "0"], { dataDir });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test.skipIf(!hasChromium)("the compare switch shows each card's change against the previous period, as /api/stats/compare computes it; the library and reports panels show the snapshot and the stored report", async () => {
  const { page, errors, blocked } = await offlinePage(browser, { viewport: { width: 1400, height: 1000 } });
  await page.goto(`${server.url}/#range=7d`);
  await page.waitForSelector("body[data-loaded]");
  expect(await page.locator("[data-delta]").count()).toBe(0);
  const before = await page.getAttribute("body", "data-loaded");
  const answered = page.waitForResponse((r) => r.url().includes("/api/stats/compare"));
  await page.check("#compare-switch");
  const comparison = await (await answered).json();
  await page.waitForFunction((b) => document.body.dataset.loaded !== b && document.querySelector("[data-delta]"), before);
  expect(page.url()).toContain("compare=1");
  const shown = await page.locator('[data-delta="total_files_processed"]').innerText();
  const files = Number(await page.getAttribute('[data-field="total_files_processed"]', "data-value"));
  const field = comparison.fields.find((f: { field: string }) => f.field === "total_files_processed");
  expect(files).toBe(field.current);
  const pct = field.change_percent as number;
  expect(shown.trim()).toBe(`${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct).toFixed(1)} %`);
  expect(comparison.baseline.until).toBe(comparison.current.since);
  // Reloading keeps the switch on (it lives in the URL).
  await page.reload();
  await page.waitForSelector("[data-delta]");
  expect(await page.isChecked("#compare-switch")).toBe(true);

  await page.goto(`${server.url}/#range=7d&library=movies`);
  await page.waitForSelector("#library-mix .mix-row");
  expect(await page.locator("#library-legend").innerText()).toContain("2 files");
  expect(await page.locator("#library-mix [data-dimension]").count()).toBe(4);
  const reports = await page.locator("#reports tbody tr").allInnerTexts();
  expect(reports.length).toBe(1);
  expect(reports[0]).toContain("weekly");
  const link = await page.getAttribute("#reports tbody a", "href");
  const doc = await fetch(`${server.url}${link}`);
  expect(doc.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(errors).toEqual([]);
  expect(blocked).toEqual([]);
}, 60_000);

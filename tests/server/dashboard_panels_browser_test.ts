import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { openDatabase } from "../../core/mod.ts";
import { hasChromium, launchChromium, offlinePage } from "./_browser.ts";
import { historyRuns, seedHistory } from "./_history.ts";
import { startServe, type ServeProcess } from "./_serve.ts";
import { tempDir } from "./_seed.ts";

const DAY = 86_400_000;
/** One day of history up to now: 40 runs over five policies, three libraries, two machines. */
const RUN_COUNT = 40;

let server: ServeProcess;
let browser: Browser;
const open: { page: Page; errors: string[]; blocked: string[] }[] = [];

async function api(path: string) {
  const res = await fetch(`${server.url}${path}`);
  expect({ path, status: res.status }).toEqual({ path, status: 200 });
  return res.json();
}

/** The dashboard at `hash`, loaded; its errors and blocked requests are checked after each test. */
async function dashboard(hash: string, width = 1400): Promise<Page> {
  const opened = await offlinePage(browser, { viewport: { width, height: 900 } });
  open.push(opened);
  await opened.page.goto(`${server.url}/${hash}`);
  await opened.page.waitForSelector("body[data-loaded]");
  return opened.page;
}

/** Runs `act` and waits until the page has loaded again after it. */
async function andReload(page: Page, act: () => Promise<unknown>) {
  const before = await page.getAttribute("body", "data-loaded");
  await act();
  await page.waitForFunction((b) => document.body.dataset.loaded !== b, before);
}

/** The x and byte scales of a chart, read from its uPlot instance, with its axes' label fit. */
function chartOf(page: Page, id: string) {
  return page.$eval(`#${id}`, (node) => {
    const plot = (node as unknown as { uplot: { scales: Record<string, { min: number; max: number }>; axes: { _size: number; _values: string[]; font: string[]; ticks: { size: number }; gap: number; show: boolean }[]; ctx: CanvasRenderingContext2D } }).uplot;
    // Space each axis needs for its widest label (uPlot drew them; _values are the labels).
    const fit = plot.axes.slice(1).map((axis) => {
      plot.ctx.font = axis.font[0]!;
      const widest = Math.max(0, ...(axis._values ?? []).map((v) => plot.ctx.measureText(String(v)).width / devicePixelRatio));
      return { labels: axis._values, fits: axis.ticks.size + axis.gap + widest <= axis._size };
    });
    return { x: plot.scales.x!, bytes: plot.scales.bytes!, fit };
  });
}

/** Raw values of the summary cards. */
const cardValues = (page: Page) =>
  page.$$eval("#summary [data-field][data-value]", (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute("data-field")!, n.getAttribute("data-value")])));
const expectCardsEqual = (shown: Record<string, string | null>, summary: Record<string, unknown>) => {
  expect(Object.keys(shown).length).toBe(11);
  for (const [field, value] of Object.entries(shown)) expect({ field, value }).toEqual({ field, value: String(summary[field] ?? "") });
};
/** [name, files] of a breakdown table's rows. */
const tableRows = (page: Page, id: string, attr: string) =>
  page.$$eval(`#${id} tbody tr`, (rows, a) => rows.map((r) => [r.getAttribute(a), Number(r.querySelector("td")?.getAttribute("data-value"))]), attr);
const runIds = (page: Page, table = "recent") => page.$$eval(`#${table} tbody tr`, (rows) => rows.map((r) => r.getAttribute("data-run-row") ?? r.getAttribute("data-failed-run")));

describe.skipIf(!hasChromium)("dashboard panels in headless Chromium, over one day of history", () => {
  beforeAll(async () => {
    const dataDir = tempDir();
    const db = join(dataDir, "library.db");
    const opened = await openDatabase(db);
    await seedHistory(opened.db, historyRuns({ days: 1, perDay: RUN_COUNT }));
    await opened.close();
    server = await startServe(["--port", "0", "--db", db], { dataDir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  // No test leaves a script error, a CSP violation or a request to the outside behind.
  const checkPages = async () => {
    for (const { page, errors, blocked } of open.splice(0)) {
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
      await page.close();
    }
  };

  test('"30 days" draws from 30 days ago to now, bytes from 0, every axis label fitting', async () => {
    const page = await dashboard("#range=30d");
    const now = Date.now();
    for (const id of ["trend-chart", "cumulative-chart"]) {
      const chart = await chartOf(page, id);
      expect(Math.abs(chart.x.min - (now - 30 * DAY))).toBeLessThan(60_000);
      expect(Math.abs(chart.x.max - now)).toBeLessThan(60_000);
      expect(chart.bytes.min).toBe(0);
      expect(chart.bytes.max).toBeGreaterThan(0);
      for (const axis of chart.fit) expect(axis).toMatchObject({ fits: true });
    }
    // The bytes axis reaches the busiest day, and the cumulative one the whole total.
    const points: { size_saved: number }[] = await api("/api/stats/trends?since=30d&group_by=day");
    const summary = await api("/api/stats/summary?since=30d");
    expect((await chartOf(page, "trend-chart")).bytes.max).toBeGreaterThanOrEqual(Math.max(...points.map((p) => p.size_saved)));
    expect((await chartOf(page, "cumulative-chart")).bytes.max).toBeGreaterThanOrEqual(summary.total_size_saved);
    expect(await page.textContent("#cumulative-caption")).toContain("saved in this range");
    await checkPages();
  });

  test('"All" draws from the first run to the last, bytes from 0', async () => {
    const page = await dashboard("#range=all");
    const summary = await api("/api/stats/summary");
    for (const id of ["trend-chart", "cumulative-chart"]) {
      const chart = await chartOf(page, id);
      expect([chart.x.min, chart.x.max]).toEqual([Date.parse(summary.earliest_processing), Date.parse(summary.latest_processing)]);
      expect(chart.bytes.min).toBe(0);
      for (const axis of chart.fit) expect(axis).toMatchObject({ fits: true });
    }
    // The codec mix is drawn from /api/stats/codecs: one segment per codec on each bar.
    const codecs: { codec: string; before: number; after: number }[] = await api("/api/stats/codecs");
    expect(await page.$$eval('#codec-mix [data-side="before"] .segment', (s) => s.length)).toBe(codecs.filter((c) => c.before).length);
    expect(await page.$$eval("#codec-mix .legend li", (li) => li.map((l) => l.textContent))).toEqual(expect.arrayContaining(codecs.map((c) => c.codec)));
    // Jobs from /api/jobs, failed runs with their reasons.
    expect(await page.$$eval("#jobs tbody tr", (rows) => rows.map((r) => r.getAttribute("data-job")))).toEqual((await api("/api/jobs?limit=8")).map((j: { id: string }) => j.id));
    const failed = await api("/api/stats/runs?status=failed&limit=8");
    expect(failed.runs.length).toBeGreaterThan(0);
    expect(await runIds(page, "failed")).toEqual(failed.runs.map((r: { stats_id: string }) => r.stats_id));
    expect(await page.$$eval("#failed td.reason", (cells) => cells.map((c) => c.textContent))).toEqual(failed.runs.map((r: { error_message: string }) => r.error_message));
    await checkPages();
  });

  test("clicking a policy, then a library, narrows every panel to the API's numbers; the filters show, survive a reload and come off", async () => {
    const page = await dashboard("#range=all");
    await andReload(page, () => page.click('#policies [data-filter-policy="anime"]'));
    expect(page.url()).toEndWith("#range=all&policy=anime");
    expect(await page.textContent('#active-filters [data-remove-filter="policy"]')).toContain("anime");

    const expectPanelsFor = async (query: string) => {
      expectCardsEqual(await cardValues(page), await api(`/api/stats/summary?${query}`));
      for (const [table, path, attr] of [["libraries", "libraries", "data-library"], ["nodes", "nodes", "data-node"]] as const) {
        const rows: { name: string; files_processed: number }[] = await api(`/api/stats/${path}?${query}`);
        expect(await tableRows(page, table, attr)).toEqual(rows.map((r) => [r.name, r.files_processed]));
      }
      const codecs: { codec: string; before: number }[] = await api(`/api/stats/codecs?${query}`);
      expect(await tableRows(page, "codecs", "data-codec")).toEqual(codecs.map((c) => [c.codec, c.before]));
      expect(await runIds(page)).toEqual((await api(`/api/stats/runs?${query}&limit=20`)).runs.map((r: { stats_id: string }) => r.stats_id));
      expect(await runIds(page, "failed")).toEqual((await api(`/api/stats/runs?${query}&status=failed&limit=8`)).runs.map((r: { stats_id: string }) => r.stats_id));
    };
    await expectPanelsFor("policy=anime");
    const anime = (await api("/api/stats/policies")).find((p: { policy_name: string }) => p.policy_name === "anime");
    expect(await tableRows(page, "policies", "data-policy")).toEqual([["anime", anime.files_processed]]);
    expect(Number(await page.textContent('[data-field="total_files_processed"]'))).toBeLessThan(RUN_COUNT);

    // A second filter from another table combines with the first.
    const library = (await api("/api/stats/libraries?policy=anime"))[0].name;
    await andReload(page, () => page.click(`#libraries [data-filter-library="${library}"]`));
    expect(page.url()).toEndWith(`#range=all&policy=anime&library=${library}`);
    await expectPanelsFor(`policy=anime&library=${library}`);

    // A reload (or the link, shared) keeps both.
    await page.reload();
    await page.waitForSelector("body[data-loaded]");
    expect(await page.$$eval("#active-filters [data-remove-filter]", (b) => b.map((x) => x.getAttribute("data-remove-filter")))).toEqual(["policy", "library"]);
    await expectPanelsFor(`policy=anime&library=${library}`);

    // Removing them one by one widens the page again.
    await andReload(page, () => page.click('#active-filters [data-remove-filter="policy"]'));
    expect(page.url()).toEndWith(`#range=all&library=${library}`);
    await expectPanelsFor(`library=${library}`);
    await andReload(page, () => page.click('#active-filters [data-remove-filter="library"]'));
    expect(await page.isHidden("#active-filters")).toBe(true);
    expect(await page.textContent('[data-field="total_files_processed"]')).toBe(String(RUN_COUNT));
    await checkPages();
  });

  test("the run list pages through every run, and a search narrows it", async () => {
    const page = await dashboard("#range=all");
    const first = await api("/api/stats/runs?limit=20");
    expect(first.has_more).toBe(true);
    expect(await runIds(page)).toEqual(first.runs.map((r: { stats_id: string }) => r.stats_id));
    expect(await page.isDisabled('[data-page="newer"]')).toBe(true);

    await andReload(page, () => page.click('[data-page="older"]'));
    const second = await api(`/api/stats/runs?limit=20&cursor=${first.next_cursor}`);
    expect(await runIds(page)).toEqual(second.runs.map((r: { stats_id: string }) => r.stats_id));
    expect(await page.textContent(".page-position")).toBe("Page 2");
    expect(await page.isDisabled('[data-page="older"]')).toBe(!second.has_more);
    await andReload(page, () => page.click('[data-page="newer"]'));
    expect(await runIds(page)).toEqual(first.runs.map((r: { stats_id: string }) => r.stats_id));

    // Path text, then an outcome; both kept in the URL.
    await andReload(page, async () => {
      await page.fill("#run-q", "paper moons");
      await page.press("#run-q", "Enter");
    });
    const found = await api(`/api/stats/runs?limit=20&q=${encodeURIComponent("paper moons")}`);
    expect(found.runs.length).toBeGreaterThan(0);
    expect(found.runs.length).toBeLessThan(20);
    expect(await runIds(page)).toEqual(found.runs.map((r: { stats_id: string }) => r.stats_id));
    expect(await page.$$eval("#recent td.file button", (b) => b.every((x) => x.getAttribute("title")!.includes("Paper Moons")))).toBe(true);
    await andReload(page, () => page.selectOption("#run-status", "success"));
    expect(page.url()).toEndWith("#range=all&q=paper+moons&status=success");
    const narrowed = await api(`/api/stats/runs?limit=20&q=${encodeURIComponent("paper moons")}&status=success`);
    expect(await runIds(page)).toEqual(narrowed.runs.map((r: { stats_id: string }) => r.stats_id));
    expect(narrowed.runs.length).toBeLessThan(found.runs.length);
    await checkPages();
  });

  test("every table fits at 1400 px; at 390 px tables scroll sideways with one line per row", async () => {
    const wide = await dashboard("#range=all", 1400);
    const overflowing = (page: Page) =>
      page.$$eval(".table-wrap", (wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth).map((w) => w.querySelector("table")!.id));
    expect(await overflowing(wide)).toEqual([]);
    expect(await wide.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    const narrow = await dashboard("#range=all", 390);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true); // only the tables scroll
    expect(await overflowing(narrow)).toContain("recent");
    const tallest = await narrow.$$eval("table", (tables) => Math.max(...tables.flatMap((t) => [...t.rows].map((r) => r.getBoundingClientRect().height))));
    expect(tallest).toBeLessThan(40); // a second line of text would make a row ~55 px tall
    await checkPages();
  });
});

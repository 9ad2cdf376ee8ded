import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { openDatabase, recordRuns } from "../../core/mod.ts";
import { hasChromium, launchChromium, offlinePage as newOfflinePage } from "./_browser.ts";
import { startServe, type ServeProcess } from "./_serve.ts";
import { newRun, SEED_RUNS, SID, tempDir } from "./_seed.ts";

let server: ServeProcess;
let browser: Browser;
const blocked: string[] = [];

async function api(path: string) {
  return (await fetch(`${server.url}${path}`)).json();
}

/** A page whose every request to anything but the local server is aborted and remembered in `blocked`. */
async function offlinePage(): Promise<Page> {
  return (await newOfflinePage(browser, { blocked })).page;
}

describe.skipIf(!hasChromium)("dashboard and Swagger UI in headless Chromium", () => {
  beforeAll(async () => {
    const dataDir = tempDir();
    const db = join(dataDir, "library.db");
    const opened = await openDatabase(db);
    await recordRuns(opened.db, SEED_RUNS);
    await opened.close();
    server = await startServe(["--port", "0", "--token", "s3cret", "--db", db], { dataDir });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the dashboard shows the API's numbers, opens a run's detail, and shows a run posted meanwhile without a reload", async () => {
    const page = await offlinePage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text())); // CSP violations, failed loads
    await page.goto(`${server.url}/#range=all`);
    await page.waitForSelector("body[data-loaded]");

    // Summary cards: every raw value equals the API's, and the text is formatted.
    const summary = await api("/api/stats/summary");
    const shown = await page.$$eval("#summary [data-field][data-value]", (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute("data-field"), n.getAttribute("data-value")])));
    for (const [field, value] of Object.entries(shown)) expect({ field, value }).toEqual({ field, value: String(summary[field] ?? "") });
    expect(Object.keys(shown).length).toBe(11);
    expect(await page.textContent('[data-field="total_files_processed"]')).toBe("6");
    expect(await page.textContent('[data-field="success_rate"]')).toBe("66.7 %");
    expect(await page.textContent('[data-field="total_size_saved"]')).toBe("3.2 KiB");
    expect(await page.textContent('[data-field="avg_processing_time"]')).toBe("1 min 06 s");

    // Policy table in the API's order, then re-sorted by bytes saved like ?sort=savings.
    const policyNames = () => page.$$eval("#policies tbody tr", (rows) => rows.map((r) => r.getAttribute("data-policy")));
    expect(await policyNames()).toEqual((await api("/api/stats/policies")).map((p: { policy_name: string }) => p.policy_name));
    await page.click('#policies button[data-sort="total_size_saved"]');
    expect(await policyNames()).toEqual((await api("/api/stats/policies?sort=savings")).map((p: { policy_name: string }) => p.policy_name));
    expect(await page.getAttribute('#policies th:has(button[data-sort="total_size_saved"])', "aria-sort")).toBe("descending");

    // Codec table and trend caption.
    const codecs = await page.$$eval("#codecs tbody tr", (rows) => rows.map((r) => [r.getAttribute("data-codec"), ...[...r.querySelectorAll("td")].map((td) => Number(td.getAttribute("data-value")))]));
    expect(codecs).toEqual((await api("/api/stats/codecs")).map((c: { codec: string; before: number; after: number }) => [c.codec, c.before, c.after]));
    expect(await page.textContent("#trend-caption")).toBe("3.2 KiB saved over 3 days with runs");
    expect(await page.$$eval("#trend-chart canvas", (c) => c.length)).toBe(1);

    // A run's detail, opened from the keyboard.
    await page.focus(`#recent button[data-run="${SID.S6}"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector('#detail-body [data-detail="id"]');
    expect(await page.textContent('#detail-body [data-detail="id"]')).toBe(SID.S6);
    await page.keyboard.press("Escape");
    await page.click(`#recent button[data-run="${SID.S4}"]`);
    await page.waitForFunction((id) => document.querySelector('#detail-body [data-detail="id"]')?.textContent === id, SID.S4);
    await page.click("[data-close]");
    // S2 has actions and phases with timings, and a transcode.
    await page.goto(`${server.url}/#range=all`);
    await page.waitForSelector("body[data-loaded]");
    const s2 = await api(`/api/stats/${SID.S2}`);
    expect(s2.actions.length).toBe(1);
    await page.click(`#recent button[data-run="${SID.S2}"]`);
    await page.waitForSelector('#detail-body [data-detail="transcode"]');
    expect(await page.textContent('#detail-body [data-detail="transcode"]')).toBe("h264 → hevc, hardware encoder");
    const tables = await page.$$eval("#detail-body table", (ts) => ts.map((t) => [t.querySelector("caption")?.textContent, t.querySelectorAll("tbody tr").length]));
    expect(tables).toEqual([
      ["Tracks before and after", 3],
      ["Actions in order, with their timings", 1],
      ["Phases in order, with their timings", 2],
      ["Metrics contributed by plugins", 1],
    ]);
    expect(await page.textContent("#detail-body")).toContain("290,000 ms");
    await page.keyboard.press("Escape");

    // Live: a run posted by another tool appears in the list and the totals, with no reload.
    await page.waitForFunction(() => document.querySelector("#live-status")?.getAttribute("data-state") === "live");
    const loadedAt = await page.getAttribute("body", "data-loaded");
    const posted = await fetch(`${server.url}/api/stats/runs`, {
      method: "POST",
      body: JSON.stringify(newRun({ file_path: "/m/live-posted.mkv" })),
      headers: { authorization: "Bearer s3cret", "content-type": "application/json" },
    });
    expect(posted.status).toBe(201);
    const { id } = await posted.json();
    await page.waitForSelector(`#recent tr[data-run-row="${id}"]`, { timeout: 5000 });
    expect(await page.textContent(`#recent tr[data-run-row="${id}"] button`)).toBe("live-posted.mkv");
    expect(await page.getAttribute(`#recent tr[data-run-row="${id}"]`, "class")).toBe("new");
    expect(await page.textContent('[data-field="total_files_processed"]')).toBe("7");
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
    expect(await page.getAttribute("body", "data-loaded")).not.toBe(loadedAt);

    // The time range selector narrows every view.
    await page.check('input[name="range"][value="custom"]');
    await page.fill("#custom-since", "2026-01-12");
    await page.fill("#custom-until", "2026-01-12");
    await page.click('#range-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('[data-field="total_files_processed"]')?.textContent === "3");
    expect(page.url()).toEndWith("#range=custom&since=2026-01-12&until=2026-01-12");
    expect((await api("/api/stats/summary?since=2026-01-12&until=2026-01-12")).total_files_processed).toBe(3);

    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  test("Swagger UI renders every operation with the outside network blocked", async () => {
    const page = await offlinePage();
    await page.goto(`${server.url}/swagger`);
    await page.waitForSelector(".swagger-ui .opblock", { timeout: 15_000 });
    const operations = await page.$$eval(".opblock-summary-path", (nodes) => nodes.map((n) => n.textContent?.replace(/\u200b/g, "")));
    expect(operations).toEqual(expect.arrayContaining(["/api/stats/summary", "/api/stats/runs", "/api/stats/{stats_id}", "/api/events", "/metrics"]));
    // Every operation of the OpenAPI document is drawn, none twice.
    const spec = await api("/swagger/json");
    const documented = Object.values(spec.paths as Record<string, object>).reduce((n: number, methods) => n + Object.keys(methods).length, 0);
    expect(operations.length).toBe(documented);
    expect(await page.textContent(".swagger-ui .title")).toContain("vpo API");
    expect(blocked).toEqual([]);
    await page.close();
  });
});

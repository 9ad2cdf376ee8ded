/**
 * The dashboard while a real `vpo worker` (another process, another data dir) transcodes: the
 * "now" panel shows its file with a progress bar that moves without a reload (file.progress that
 * `vpo serve` reads from the database), and the machines table equals GET /api/nodes — during the
 * run and after it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { tempDir } from "../cli/_cli.ts";
import { ACCEPTANCE_POLICY, realtimeFfmpeg } from "../engine/_setup.ts";
import { pgCluster, pgUnavailable } from "../pg_cluster.ts";
import { longClip, machine, on, startWorker, type WorkerProcess } from "../queue/_machines.ts";
import { hasChromium, launchChromium, offlinePage } from "./_browser.ts";
import { startServe, type ServeProcess } from "./_serve.ts";

let browser: Browser | undefined;
let server: ServeProcess | undefined;
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await browser?.close();
  if (worker?.proc.exitCode === null) await worker.stop("SIGKILL");
  await server?.stop();
});

/** [node, runs, status] of the machines table, and the same from /api/nodes (the page's default range is 30 days). */
async function nodesShown(page: Page) {
  return page.$$eval("#nodes tbody tr[data-node]", (rows) => rows.map((r) => [r.getAttribute("data-node"), Number(r.querySelector("td")?.getAttribute("data-value")), r.querySelector("[data-status]")?.getAttribute("data-status")]));
}
async function nodesApi(url: string) {
  const rows = (await (await fetch(`${url}/api/nodes?since=30d`)).json()) as { name: string; runs: number; online: boolean }[];
  return rows.map((r) => [r.name, r.runs, r.online ? "online" : "offline"]);
}

describe.skipIf(!hasChromium || (pgUnavailable() !== null && process.env.CI !== "true"))("the dashboard's now panel and machines table, with a worker at work", () => {
  test("a file in progress on a worker shows with a live progress bar; the machines table equals /api/nodes", async () => {
    const url = await pgCluster().createDatabase();
    const root = tempDir("vpo-now-");
    const lib = join(root, "lib");
    const file = await longClip(lib, "movie.mkv", 40);
    const policy = join(root, "acceptance.yaml");
    writeFileSync(policy, ACCEPTANCE_POLICY());
    // ffmpeg reading at native speed: the clip takes seconds to transcode, time enough to watch it.
    const m = machine("node-a", { url, library: lib, ffmpeg: realtimeFfmpeg(root) });
    expect((await on(m, ["enqueue", lib, "--policy", policy])).code).toBe(0);
    server = await startServe(["--port", "0", "--db", url]);
    browser = await launchChromium();
    const { page, errors, blocked } = await offlinePage(browser, { viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/`);
    await page.waitForSelector("body[data-loaded]");
    await page.waitForFunction(() => document.querySelector("#live-status")?.getAttribute("data-state") === "live");
    expect(await page.getAttribute("[data-count=waiting]", "data-value")).toBe("1");
    worker = await startWorker(m);

    const row = '#now-running tr[data-node="node-a"]';
    await page.waitForSelector(row, { timeout: 60_000 });
    expect(await page.textContent(`${row} td.file`)).toBe("movies/movie.mkv");
    const percent = () => page.$eval(`${row} td.progress`, (td) => Number((td as HTMLElement).dataset.percent || 0));
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset.percent || 0) > 0, `${row} td.progress`, { timeout: 60_000 });
    const first = await percent();
    const navigations = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    await page.waitForFunction(([sel, p]) => Number((document.querySelector(sel as string) as HTMLElement | null)?.dataset.percent || 0) > (p as number), [`${row} td.progress`, first] as const, { timeout: 30_000 });
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(navigations);
    expect(Number(await page.getAttribute(`${row} progress`, "value"))).toBeGreaterThan(first - 0.01);
    expect(await page.getAttribute("[data-count=active]", "data-value")).toBe("1");

    // Machines: the worker's node is online, with no run yet in range.
    await page.waitForFunction(() => document.querySelector('#nodes tr[data-node="node-a"]') !== null);
    expect(await nodesShown(page)).toEqual(await nodesApi(server.url));
    expect((await nodesShown(page))[0]).toEqual(["node-a", 0, "online"]);

    // Once the run is recorded the panels follow: nothing in progress, one run on node-a.
    await page.waitForSelector("#now-running td.empty", { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelector('#nodes tr[data-node="node-a"] td')?.getAttribute("data-value") === "1", undefined, { timeout: 30_000 });
    expect(await nodesShown(page)).toEqual(await nodesApi(server.url));
    await page.waitForSelector('[data-count=completed][data-value="1"]', { timeout: 15_000 });
    expect(worker.events.find((e) => e.event === "job.finished")?.result).toMatchObject({ outcome: "processed", file, changed: true });
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    expect(await worker.stop()).toBe(0);
  }, 240_000);
});

/**
 * The dashboard's alerts panel and logs view in real Chromium, against the real `vpo serve`:
 * empty on a new database (no errors, no failed requests), then a real failed `vpo process` shows
 * live — the rule firing, the notification and its delivery, the error in the logs with a button
 * that opens the run — and a notification's link opens that run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { ROOT, tempDir, vpo } from "../cli/_cli.ts";
import { copyFixture, makeFixtures } from "../fixtures/media.ts";
import { type WebhookReceiver, webhookReceiver } from "../monitor/_receivers.ts";
import { hasChromium, launchChromium, offlinePage } from "./_browser.ts";
import { startServe, type ServeProcess } from "./_serve.ts";

let browser: Browser;
let hook: WebhookReceiver;
const servers: ServeProcess[] = [];
const pages: { page: Page; errors: string[]; blocked: string[]; failed: string[] }[] = [];

async function dashboard(server: ServeProcess, hash = "") {
  const opened = await offlinePage(browser, { viewport: { width: 1400, height: 1000 } });
  const failed: string[] = [];
  opened.page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));
  pages.push({ ...opened, failed });
  await opened.page.goto(`${server.url}/${hash}`);
  await opened.page.waitForSelector("body[data-loaded]");
  return opened.page;
}

describe.skipIf(!hasChromium && process.env.CI !== "true")("the dashboard's alerts panel and logs view", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    hook = webhookReceiver();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.stop();
    hook?.stop();
  });

  test("on an empty database both say there is nothing yet, with no errors and no failed requests", async () => {
    const server = await startServe(["--port", "0"]);
    servers.push(server);
    const page = await dashboard(server);
    expect(await page.textContent("#alert-rules td.empty")).toBe("No alert rules: add [[alerts.rules]] to config.toml");
    expect(await page.textContent("#alert-history td.empty")).toBe("No notifications yet");
    expect(await page.textContent("#logs td.empty")).toBe("No log records kept in this database yet");
    const { errors, blocked, failed } = pages.at(-1)!;
    expect({ errors, blocked, failed }).toEqual({ errors: [], blocked: [], failed: [] });
  }, 60_000);

  test("a failed run shows live: the rule firing, its notification delivered, the error in the logs opening the run", async () => {
    const dataDir = tempDir("vpo-alerts-browser-");
    mkdirSync(join(dataDir, "policies"), { recursive: true });
    writeFileSync(join(dataDir, "policies", "anime.yaml"), readFileSync(join(ROOT, "cli/templates/policies/anime.yaml")));
    writeFileSync(join(dataDir, "config.toml"), `[node]\nname = "nas-1"\n\n[channels.hook]\ntype = "webhook"\nurl = "${hook.url}"\n\n[[alerts.rules]]\nname = "run-failed"\nkind = "run_failed"\nchannels = ["hook"]\nseverity = "critical"\n`);
    const server = await startServe(["--port", "0"], { dataDir });
    servers.push(server);
    const page = await dashboard(server);
    await page.waitForFunction(() => document.querySelector("#live-status")?.getAttribute("data-state") === "live");
    expect(await page.getAttribute('#alert-rules tr[data-alert-rule="run-failed"]', "data-state")).toBe("ok");

    const file = await copyFixture(await makeFixtures(), "truncated", join(dataDir, "media"));
    const processed = await vpo(["process", file, "--policy", "anime", "--json"], { dataDir });
    expect(processed.code).toBe(1);
    const runId = processed.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === "file.finished").run_id as string;

    // No reload by hand: the server's "alert" event reloads the panel.
    await page.waitForSelector('#alert-rules tr[data-alert-rule="run-failed"][data-state="firing"]', { timeout: 20_000 });
    expect(await page.textContent('#alert-rules tr[data-alert-rule="run-failed"] td.reason')).toContain("truncated.mkv");
    await page.waitForFunction(() => document.querySelector("#alert-history tbody tr[data-alert-event] td:last-child")?.textContent?.includes("hook: sent"), undefined, { timeout: 20_000 });
    expect(await page.textContent("#alert-history tbody tr[data-alert-event] td:nth-child(3)")).toBe("fired");

    // The logs view: the failure at error level, filtered by level and text, with the run one click away.
    await page.selectOption("#log-level", "error");
    await page.fill("#log-grep", "truncated");
    await page.waitForSelector(`#logs tr[data-level="error"] button[data-run="${runId}"]`, { timeout: 20_000 });
    const levels = await page.$$eval("#logs tbody tr[data-log]", (rows) => rows.map((r) => r.getAttribute("data-level")));
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.every((l) => l === "error")).toBe(true);
    await page.click(`#logs tr[data-level="error"] button[data-run="${runId}"]`);
    await page.waitForSelector("#run-detail[open] [data-detail=failure_output]");
    expect(await page.textContent("#run-detail [data-detail=status]")).toContain("Cannot read media file");

    // The link a notification carries opens the same run.
    const link = hook.received.find((r) => r.json.data?.rule === "run-failed")!.json.link as string;
    expect(link).toBe(`${server.url}/#range=all&run=${runId}`);
    const linked = await dashboard(server, link.slice(server.url.length + 1));
    await linked.waitForSelector("#run-detail[open] [data-detail=failure_output]");
    for (const { errors, blocked, failed } of pages) expect({ errors, blocked, failed }).toEqual({ errors: [], blocked: [], failed: [] });
  }, 120_000);
});

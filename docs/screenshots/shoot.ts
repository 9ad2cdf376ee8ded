/**
 * Regenerates the dashboard screenshots in this folder: seeds a database with synthetic history
 * (tests/server/_history.ts), starts the real `vpo serve` on it, and shoots the page in headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core; nothing is downloaded).
 *
 *   bun docs/screenshots/shoot.ts                      # a year of history → docs/screenshots/*.png
 *   bun docs/screenshots/shoot.ts --days 1 --out /tmp/shots
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { openDatabase } from "../../core/mod.ts";
import { historyRuns, seedHistory } from "../../tests/server/_history.ts";
import { startServe } from "../../tests/server/_serve.ts";
import { tempDir } from "../../tests/server/_seed.ts";

const { values: args } = parseArgs({
  options: {
    days: { type: "string", default: "365" },
    "per-day": { type: "string", default: "8" },
    out: { type: "string", default: import.meta.dir },
  },
});

/** name, viewport width, hash, and what to do before the shot. */
const SHOTS: [name: string, width: number, hash: string, prepare?: (page: Page) => Promise<void>][] = [
  ["dashboard-1400", 1400, "#range=all"],
  ["dashboard-1400-filtered", 1400, "#range=90d", async (page) => {
    await page.click('#policies [data-filter-policy="transcode-hevc"]');
    await page.waitForSelector('#active-filters [data-remove-filter="policy"]');
    await page.fill("#run-q", "S02E1");
    await page.press("#run-q", "Enter");
    await page.waitForFunction(() => new URL(location.href).hash.includes("q=S02E1"));
  }],
  ["dashboard-390", 390, "#range=30d"],
];

const dir = tempDir("vpo-shots-");
const dbPath = join(dir, "library.db");
const opened = await openDatabase(dbPath);
await seedHistory(opened.db, historyRuns({ days: Number(args.days), perDay: Number(args["per-day"]) }));
await opened.close();

const server = await startServe(["--port", "0", "--db", dbPath], { dataDir: dir });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"] });
try {
  for (const [name, width, hash, prepare] of SHOTS) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
    page.on("console", (m) => m.type() === "error" && console.error(`${name}: ${m.text()}`));
    await page.goto(`${server.url}/${hash}`);
    await page.waitForSelector("body[data-loaded]");
    if (prepare) {
      const loaded = await page.getAttribute("body", "data-loaded");
      await prepare(page);
      await page.waitForFunction((before) => document.body.dataset.loaded !== before, loaded);
    }
    await page.waitForFunction(() => document.querySelector("#live-status")?.getAttribute("data-state") === "live");
    const file = join(args.out!, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}

import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lastCompletePeriod } from "../../monitor/reports/mod.ts";
import { asNdjson, perfHistory } from "../fixtures/perf_history.ts";
import { tempDir, vpo } from "./_cli.ts";

/** 25 days of runs up to now, with failures, two policies, two libraries, and a 30 % fps drop. */
function history() {
  const runs = perfHistory({ runs: 300, seed: 21, start: new Date(Date.now() - 25 * 86_400_000).toISOString(), drop: { at: 200, change: -0.3 } });
  runs.forEach((r, i) => {
    if (i % 17 === 0) Object.assign(r, { success: false, error_message: i % 34 === 0 ? "ffmpeg exited with code 1" : "Source changed during processing" });
    if (i % 3 === 0) Object.assign(r, { policy_name: "strip", video_transcode_skipped: true });
    Object.assign(r, { library: i % 2 ? "movies" : "tv", node: i % 5 ? "alpha" : "beta" });
  });
  return runs;
}

let dataDir: string;
const week = lastCompletePeriod("week", new Date());
const lastDay = new Date(Date.parse(week.until) - 1).toISOString().slice(0, 10);
const weekArgs = ["--since", week.since.slice(0, 10), "--until", lastDay];

beforeAll(async () => {
  dataDir = tempDir("vpo-report-");
  writeFileSync(join(dataDir, "history.ndjson"), asNdjson(history()));
  expect((await vpo(["stats", "import", "history.ndjson"], { dataDir })).code).toBe(0);
});

const json = async (args: string[]) => {
  const r = await vpo(args, { dataDir });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe("vpo report", () => {
  test("the week's PDF states the space saved that `stats summary` gives for the same week, and its charts are drawn", async () => {
    const r = await vpo(["report", "--period", "week", "--format", "pdf", "--output", "week.pdf"], { dataDir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Wrote the ${week.label} report (pdf`);
    const summary = await json(["stats", "summary", ...weekArgs, "--format", "json"]);
    expect(summary.total_files_processed).toBeGreaterThan(50);
    const text = Bun.spawnSync(["pdftotext", "-layout", join(dataDir, "week.pdf"), "-"]).stdout.toString();
    const saved = /Space saved: ([\d,]+) bytes/.exec(text)?.[1];
    expect(saved?.replaceAll(",", "")).toBe(String(summary.total_size_saved));
    expect(text).toContain(`vpo report: ${week.label}`);
    expect(text).toMatch(new RegExp(`Files processed\\s+${summary.total_files_processed}\\s`));
    for (const heading of ["Space saved per day", "Cumulative space saved", "Codec mix", "Failures by reason", "Per policy", "Per library", "Per node", "Where the time went", "Performance regressions"]) {
      expect(text).toContain(heading);
    }
    // Render page 1 (PPM: a header, then RGB bytes) and count the bar colour #2f6fdf: the daily chart is there.
    const ppm = Bun.spawnSync(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", join(dataDir, "week.pdf")]).stdout;
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 30).toString("latin1"))!;
    const pixels = ppm.subarray(header[0].length);
    let bars = 0;
    for (let i = 0; i + 2 < pixels.length; i += 3) if (Math.abs(pixels[i]! - 0x2f) < 24 && Math.abs(pixels[i + 1]! - 0x6f) < 24 && Math.abs(pixels[i + 2]! - 0xdf) < 24) bars++;
    expect(bars).toBeGreaterThan(1000);
  }, 60_000);

  test("the JSON report's totals, policies, libraries and nodes equal the views over the same window", async () => {
    const report = await json(["report", ...weekArgs, "--format", "json"]);
    expect(report.summary).toEqual(await json(["stats", "summary", ...weekArgs, "--format", "json"]));
    expect(report.policies).toEqual(await json(["stats", "policies", ...weekArgs, "--format", "json"]));
    expect(report.libraries).toEqual(await json(["stats", "libraries", ...weekArgs, "--format", "json"]));
    expect(report.nodes).toEqual(await json(["stats", "nodes", ...weekArgs, "--format", "json"]));
    expect(report.window).toEqual({ since: week.since, until: week.until, label: `${week.since.slice(0, 10)} → ${lastDay}` });
    const previous = new Date(Date.parse(week.since) - 7 * 86_400_000).toISOString().slice(0, 10);
    expect(report.previous.summary).toEqual(await json(["stats", "summary", "--since", previous, "--until", new Date(Date.parse(week.since) - 1).toISOString().slice(0, 10), "--format", "json"]));
    const saved = report.comparison.find((c: { field: string }) => c.field === "total_size_saved");
    expect(saved.change).toBe(report.summary.total_size_saved - report.previous.summary.total_size_saved);
    expect(report.daily).toHaveLength(7);
    expect(report.daily.reduce((n: number, d: { saved: number }) => n + d.saved, 0)).toBe(report.summary.total_size_saved);
    expect(report.failures.map((f: { reason: string }) => f.reason).sort()).toEqual(["Source changed during processing", "ffmpeg exited with code 1"].filter((r) => report.failures.some((f: { reason: string }) => f.reason === r)).sort());
  }, 60_000);

  test("HTML carries the charts as inline SVG and Markdown the same numbers, to standard output", async () => {
    const html = await vpo(["report", "--period", "week", "--format", "html"], { dataDir });
    expect(html.code).toBe(0);
    expect(html.stdout.match(/<svg /g)?.length).toBe(3);
    const md = await vpo(["report", "--period", "week", "--library", "movies"], { dataDir });
    const summary = await json(["stats", "summary", ...weekArgs, "--library", "movies", "--format", "json"]);
    expect(md.stdout).toContain(`Space saved: ${BigInt(summary.total_size_saved).toLocaleString("en-US")} bytes`);
    expect(md.stdout).toContain("library movies");
  }, 60_000);

  test("a report over a month reaching before the retention horizon says its totals count whole days there", async () => {
    const dir = tempDir("vpo-report-ret-");
    writeFileSync(join(dir, "h.ndjson"), asNdjson(history()));
    await vpo(["stats", "import", "h.ndjson"], { dataDir: dir });
    writeFileSync(join(dir, "config.toml"), "[retention]\nruns_days = 10\n");
    const since = new Date(Date.now() - 20 * 86_400_000 + 3_600_000).toISOString();
    const before = await vpo(["stats", "summary", "--since", since, "--format", "json"], { dataDir: dir });
    await vpo(["db", "retention"], { dataDir: dir });
    const md = await vpo(["report", "--since", since, "--until", new Date().toISOString().slice(0, 10)], { dataDir: dir });
    expect(md.stdout).toContain("removed by retention: its totals count whole days there");
    expect(before.code).toBe(0);
  }, 60_000);

  test("--output report.pdf without --format writes a PDF (it wrote Markdown into it)", async () => {
    const r = await vpo(["report", "--period", "week", "--output", "named.pdf"], { dataDir });
    expect([r.code, r.stderr]).toEqual([0, expect.stringContaining(`Wrote the ${week.label} report (pdf`)]);
    expect(readFileSync(join(dataDir, "named.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
    const mismatch = await vpo(["report", "--period", "week", "--format", "md", "--output", "named.html"], { dataDir });
    expect([mismatch.code, mismatch.stderr]).toEqual([2, 'vpo: --format md does not match --output "named.html" (a .html file): leave --format out, or name the file .md\n']);
  }, 60_000);

  test("conflicting or incomplete windows are refused with exit 2", async () => {
    const both = await vpo(["report", "--period", "day", "--since", "7d"], { dataDir });
    expect([both.code, both.stderr.trim()]).toEqual([2, "vpo: Give either --period or --since/--until, not both"]);
    const half = await vpo(["report", "--since", "7d"], { dataDir });
    expect(half.code).toBe(2);
    const bad = await vpo(["report", "--period", "year"], { dataDir });
    expect(bad.code).toBe(2);
    // Its end would be the year 10000: refused saying so, not "unexpected error: Invalid Date".
    const endless = await vpo(["report", "--since", "7d", "--until", "9999-12-31"], { dataDir });
    expect([endless.code, endless.stderr.trim()]).toEqual([2, 'vpo: Invalid until "9999-12-31": a window ends before the year 10000 (9999-12-30 at the latest as a date)']);
    expect(readFileSync(join(dataDir, "history.ndjson"), "utf8").length).toBeGreaterThan(0);
  }, 60_000);
});

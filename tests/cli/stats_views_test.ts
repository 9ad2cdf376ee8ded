import { beforeAll, describe, expect, test } from "bun:test";
import { vpo } from "./_cli.ts";
import { ALPHA, M, SEED_ID as S, seededDataDir, ZETA } from "./_stats_seed.ts";
import { inTerminal } from "./_terminal.ts";

// Every expectation below is worked out by hand from the table in _stats_seed.ts.
let dataDir: string;
beforeAll(async () => {
  dataDir = await seededDataDir();
});
const stats = (...args: string[]) => vpo(["stats", ...args], { dataDir });
const json = async (...args: string[]) => {
  const r = await stats(...args, "--format", "json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};
const csvLines = (text: string) => text.trimEnd().split("\n");

const POLICY = {
  strip: {
    policy_name: "strip", files_processed: 3, success_rate: 2 / 3, total_size_saved: 800 * M, avg_savings_percent: 16,
    audio_tracks_removed: 2, subtitle_tracks_removed: 4, attachments_removed: 2, videos_transcoded: 0, audio_transcoded: 0,
    avg_processing_time: 82.5, last_used: "2026-03-03T20:00:00.000Z",
  },
  transcode: {
    policy_name: "transcode", files_processed: 3, success_rate: 2 / 3, total_size_saved: 6000 * M, avg_savings_percent: 60,
    audio_tracks_removed: 2, subtitle_tracks_removed: 2, attachments_removed: 1, videos_transcoded: 2, audio_transcoded: 3, // S3's transcode failed
    avg_processing_time: 1810, last_used: "2026-03-31T23:59:59.000Z",
  },
  remux: {
    policy_name: "remux", files_processed: 2, success_rate: 1, total_size_saved: 50 * M, avg_savings_percent: 3.125,
    audio_tracks_removed: 0, subtitle_tracks_removed: 0, attachments_removed: 0, videos_transcoded: 0, audio_transcoded: 0,
    avg_processing_time: 32.5, last_used: "2026-03-31T23:30:00.000Z",
  },
};

describe("vpo stats summary", () => {
  test("JSON holds every total of the seed, computed by hand", async () => {
    expect(await json("summary")).toEqual({
      total_files_processed: 8, total_successful: 6, total_failed: 2, total_interrupted: 1, success_rate: 0.75,
      total_size_before: 16600 * M, total_size_after: 9750 * M, total_size_saved: 6850 * M,
      avg_savings_percent: (6850 / 16600) * 100,
      total_audio_removed: 4, total_subtitles_removed: 6, total_attachments_removed: 3,
      total_videos_transcoded: 2, total_videos_skipped: 2, total_audio_transcoded: 3, // work done: successful runs only
      avg_processing_time: 808.571, total_processing_time: 5660,
      earliest_processing: "2026-02-27T09:00:00.000Z", latest_processing: "2026-03-31T23:59:59.000Z",
      hardware_encodes: 1, software_encodes: 1,
    });
  });

  test("the table is for people: percentages, human sizes and durations, UTC time range", async () => {
    const { stdout, code } = await stats("summary");
    expect(code).toBe(0);
    for (const line of [
      "  Total       8", "  Successful  6 (75.0%)", "  Failed      2 (25.0%)",
      "  Before  16.2 GiB", "  After   9.52 GiB", "  Saved   6.69 GiB (41.3%)",
      "  Audio        4", "  Subtitles    6", "  Attachments  3",
      "  Videos transcoded            2", "  Videos skipped               2", "  Audio tracks transcoded      3",
      "  Hardware / software encodes  1 / 1",
      "  Avg processing time    13m 29s", "  Total processing time  1h 34m",
      "  Earliest  2026-02-27 09:00:00 UTC", "  Latest    2026-03-31 23:59:59 UTC",
    ]) expect(stdout).toContain(`${line}\n`);
    expect(stdout).not.toContain("\x1b[");
  });

  test("colour only on a terminal, and never with NO_COLOR", async () => {
    const [coloured, plain] = await Promise.all([
      inTerminal(["stats", "recent", "--limit", "1"], dataDir),
      inTerminal(["stats", "recent", "--limit", "1"], dataDir, { env: { NO_COLOR: "1" } }),
    ]);
    expect(coloured.output).toContain("\x1b[32msuccess\x1b[39m");
    expect(plain.output).toContain("success");
    expect(plain.output).not.toContain("\x1b[");
  });

  test("growth reads as growth and no change as no change; CSV is one header and one row", async () => {
    const [grew, same, csv] = await Promise.all([
      stats("summary", "--policy", "strip", "--since", "2026-03-02"),
      stats("summary", "--policy", "remux", "--until", "2026-03-02"),
      stats("summary", "--policy", "strip", "--format", "csv"),
    ]);
    expect(grew.stdout).toContain("  Grew    200 MiB larger (20.0%)\n");
    expect(same.stdout).toContain("  Saved   no change\n");
    const [header, row, ...rest] = csvLines(csv.stdout);
    expect(header!.split(",").slice(0, 5)).toEqual(["total_files_processed", "total_successful", "total_failed", "total_interrupted", "success_rate"]);
    expect(row!.split(",").slice(0, 9)).toEqual(["3", "2", "1", "1", String(2 / 3), String(5000 * M), String(4200 * M), String(800 * M), "16"]);
    expect(rest).toEqual([]);
  });
});

describe("vpo stats recent", () => {
  test("lists the latest runs newest first, with --limit and --policy", async () => {
    const ids = (runs: { stats_id: string }[]) => runs.map((r) => r.stats_id);
    const [all, three, strip] = await Promise.all([json("recent"), json("recent", "--limit", "3"), json("recent", "--policy", "strip")]);
    expect(ids(all)).toEqual([S.S7, S.S8, S.S6, S.S5, S.S4, S.S3, S.S2, S.S1]);
    expect(ids(three)).toEqual([S.S7, S.S8, S.S6]);
    expect(ids(strip)).toEqual([S.S6, S.S4, S.S1]);
    expect(all[1]).toEqual({
      stats_id: S.S8, processed_at: "2026-03-31T23:30:00.000Z", policy_name: "remux", size_before: 900 * M, size_after: 850 * M,
      size_change: 50 * M, audio_removed: null, subtitle_removed: null, attachments_removed: null, duration_seconds: 60,
      success: true, error_message: null, encoder_type: null, file_path: ZETA, status: "success",
      video_source_codec: null, video_target_codec: null, video_transcode_skipped: null,
    });
  });

  test("the table shows short ids, savings, growth and no change; CSV quotes per RFC 4180", async () => {
    const [table, csv] = await Promise.all([stats("recent"), stats("recent", "--format", "csv", "--limit", "2")]);
    const rows = table.stdout.trimEnd().split("\n");
    expect(rows).toHaveLength(9);
    expect(rows[0]).toMatch(/^Run\s+Processed \(UTC\)\s+Policy\s+Status\s+Size\s+Change\s+Time\s+File$/);
    expect(rows[1]).toMatch(/^5eed0007 {2}2026-03-31 23:59:59 {2}transcode {2}success +1\.95 GiB {2}1000 MiB saved \(50\.0%\) +30m 0s {2}\/lib\/movies\/epsilon\.mkv$/);
    expect(table.stdout).toContain("200 MiB larger (20.0%)");
    expect(table.stdout).toContain("no change");
    expect(table.stdout).toMatch(/5eed0006 .* interrupted /);
    const lines = csvLines(csv.stdout);
    expect(lines[0]).toBe(
      "stats_id,processed_at,policy_name,file_path,status,success,error_message,size_before,size_after,size_change,audio_removed,subtitle_removed,attachments_removed,duration_seconds,encoder_type,video_source_codec,video_target_codec,video_transcode_skipped",
    );
    expect(lines[2]).toBe(`${S.S8},2026-03-31T23:30:00.000Z,remux,"/lib/movies/zeta, ""director's cut"".mkv",success,true,,${900 * M},${850 * M},${50 * M},,,,60,,,,`);
  });
});

describe("vpo stats policies and policy", () => {
  test("one row per policy, sorted by files, savings or time (descending, ties by name)", async () => {
    const names = (rows: { policy_name: string }[]) => rows.map((r) => r.policy_name);
    const [byFiles, bySavings, byTime] = await Promise.all([json("policies"), json("policies", "--sort", "savings"), json("policies", "--sort", "time")]);
    expect(byFiles).toEqual([POLICY.strip, POLICY.transcode, POLICY.remux]);
    expect(names(bySavings)).toEqual(["transcode", "strip", "remux"]);
    expect(names(byTime)).toEqual(["transcode", "strip", "remux"]);
  });

  test("the table aligns numbers and shows a policy whose files grew as growth", async () => {
    const [all, since] = await Promise.all([stats("policies"), stats("policies", "--since", "2026-03-02")]);
    expect(all.stdout.split("\n")).toEqual([
      "Policy     Files  Success     Saved  Avg saving  Avg time  Last used (UTC)",
      "strip          3    66.7%   800 MiB       16.0%    1m 23s  2026-03-03 20:00:00",
      "transcode      3    66.7%  5.86 GiB       60.0%   30m 10s  2026-03-31 23:59:59",
      "remux          2   100.0%  50.0 MiB        3.1%       33s  2026-03-31 23:30:00",
      "",
    ]);
    expect(since.stdout).toMatch(/strip +2 +50\.0% +grew 200 MiB +grew 20\.0% +45s/);
  });

  test("policy <name> shows one policy in table, JSON and CSV; an unknown name exits 65 with a suggestion", async () => {
    const [table, one, csv, unknown] = await Promise.all([
      stats("policy", "transcode"),
      json("policy", "remux"),
      stats("policy", "strip", "--format", "csv"),
      stats("policy", "trancode"),
    ]);
    expect(table.stdout).toContain("  Space saved              5.86 GiB (60.0%)\n");
    expect(table.stdout).toContain("  Avg processing time      30m 10s\n");
    expect(one).toEqual(POLICY.remux);
    expect(csvLines(csv.stdout)[1]).toBe(`strip,3,${2 / 3},${800 * M},16,2,4,2,0,0,82.5,2026-03-03T20:00:00.000Z`);
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toBe(
      'vpo: No statistics found for policy "trancode" (did you mean "transcode"?). Policies with recorded runs: remux, strip, transcode.\n',
    );
  });
});

describe("vpo stats trends", () => {
  test("groups by ISO week and by month with hand-computed totals", async () => {
    const [weeks, months] = await Promise.all([json("trends", "--group-by", "week"), json("trends", "--group-by", "month")]);
    expect(weeks).toEqual([
      { period: "2026-W09", files_processed: 3, successes: 2, failures: 1, size_before: 12000 * M, size_after: 6000 * M, size_saved: 6000 * M },
      { period: "2026-W10", files_processed: 3, successes: 2, failures: 1, size_before: 1700 * M, size_after: 1900 * M, size_saved: -200 * M },
      { period: "2026-W14", files_processed: 2, successes: 2, failures: 0, size_before: 2900 * M, size_after: 1850 * M, size_saved: 1050 * M },
    ]);
    expect(months).toEqual([
      { period: "2026-02", files_processed: 2, successes: 2, failures: 0, size_before: 12000 * M, size_after: 6000 * M, size_saved: 6000 * M },
      { period: "2026-03", files_processed: 6, successes: 4, failures: 2, size_before: 4600 * M, size_after: 3750 * M, size_saved: 850 * M },
    ]);
  });

  test("by day (the default) as a table with a total row, and as CSV; --policy filters", async () => {
    const [table, csv] = await Promise.all([stats("trends"), stats("trends", "--policy", "transcode", "--format", "csv")]);
    expect(table.stdout.split("\n")).toEqual([
      "Period      Files  Succeeded  Failed    Before         Saved",
      "2026-02-27      1          1       0  3.91 GiB      1000 MiB",
      "2026-02-28      1          1       0  7.81 GiB      4.88 GiB",
      "2026-03-01      1          0       1       0 B           0 B",
      "2026-03-02      2          2       0  1.66 GiB  grew 200 MiB",
      "2026-03-03      1          0       1       0 B           0 B",
      "2026-03-31      2          2       0  2.83 GiB      1.03 GiB",
      "Total           8          6       2  16.2 GiB      6.69 GiB",
      "",
    ]);
    expect(csvLines(csv.stdout)).toEqual([
      "period,files_processed,successes,failures,size_before,size_after,size_saved",
      `2026-02-28,1,1,0,${8000 * M},${3000 * M},${5000 * M}`,
      "2026-03-01,1,0,1,0,0,0",
      `2026-03-31,1,1,0,${2000 * M},${1000 * M},${1000 * M}`,
    ]);
  });
});

describe("vpo stats file", () => {
  test("shows one file's runs newest first, with --limit, as JSON, table and CSV", async () => {
    const [all, one, table, csv] = await Promise.all([
      json("file", ALPHA),
      json("file", ALPHA, "--limit", "1"),
      stats("file", ALPHA),
      stats("file", ALPHA, "--format", "csv"),
    ]);
    expect(csvLines(csv.stdout)).toEqual([
      "stats_id,processed_at,policy_name,success,error_message,size_before,size_after,size_change,audio_removed,subtitle_removed,attachments_removed,duration_seconds,encoder_type",
      `${S.S5},2026-03-02T12:00:00.000Z,remux,true,,${700 * M},${700 * M},0,0,,,5,`,
      `${S.S1},2026-02-27T09:00:00.000Z,strip,true,,${4000 * M},${3000 * M},${1000 * M},2,4,2,120,`,
    ]);
    expect(all.file_path).toBe(ALPHA);
    expect(all.runs.map((r: { stats_id: string }) => r.stats_id)).toEqual([S.S5, S.S1]);
    expect(all.runs[1]).toEqual({
      stats_id: S.S1, processed_at: "2026-02-27T09:00:00.000Z", policy_name: "strip", size_before: 4000 * M, size_after: 3000 * M,
      size_change: 1000 * M, audio_removed: 2, subtitle_removed: 4, attachments_removed: 2, duration_seconds: 120,
      success: true, error_message: null, encoder_type: null,
    });
    expect(one.runs).toHaveLength(1);
    expect(table.stdout).toContain(`${ALPHA}  (2 runs)`);
    expect(table.stdout).toMatch(/5eed0001 .* strip .* 3\.91 GiB → 2\.93 GiB {2}1000 MiB saved \(25\.0%\) {2}2 audio, 4 sub, 2 att {2}2m 0s/);
  });
});

describe("vpo stats detail", () => {
  test("shows one run by unique prefix, with track changes, transcode outcome, hashes and the flag tables", async () => {
    const [s1, s2] = await Promise.all([
      stats("detail", "5eed0001", "--show-actions", "--show-performance"),
      stats("detail", S.S2, "--show-performance"),
    ]);
    expect(s1.code).toBe(0);
    for (const line of [
      `Run ${S.S1}`,
      "  Size          3.91 GiB → 2.93 GiB, 1000 MiB saved (25.0%)",
      "  Audio         4 → 2 (-2 removed)",
      "  Subtitles     5 → 1 (-4 removed)",
      "  Attachments   2 → 0 (-2 removed)",
      "  Video         skipped (already hevc), hevc",
      "  Audio codecs  0 transcoded, 2 preserved",
      `  Hash before   sha256:${"a".repeat(64)}`,
      "  Duration      2m 0s",
      "  Phases        1/1",
      "  Changes       2",
    ]) expect(s1.stdout).toContain(`${line}\n`);
    expect(s1.stdout).toMatch(/1 +remove +audio #2 +ok +4 ms +keep_audio/);
    expect(s1.stdout).toMatch(/remux +1m 59s +3\.91 GiB +2\.93 GiB/);
    expect(s2.stdout).toContain("  Video         h264 → hevc (hardware)\n");
    expect(s2.stdout).toMatch(/transcode +58m 20s .* 4,500 kb\/s/);
  });

  test("JSON carries the whole run; an ambiguous prefix lists the candidates and exits 2", async () => {
    const [s3, ambiguous, missing] = await Promise.all([json("detail", "5eed0003"), stats("detail", "5eed"), stats("detail", "ffff0000")]);
    expect(s3).toMatchObject({
      id: S.S3, status: "failed", error_message: "ffmpeg exited with code 1", phases_completed: 0, phases_total: 1,
      plugin_errors: [{ plugin: "hash", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }],
    });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toStartWith('vpo: Run id "5eed" is ambiguous; it matches:\n');
    for (const id of Object.values(S)) expect(ambiguous.stderr).toContain(id);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toBe('vpo: No run with id "ffff0000"\n');
  });
});

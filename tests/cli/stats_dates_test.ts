import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";
import { seededDataDir, seedNdjson } from "./_stats_seed.ts";

let dataDir: string;
beforeAll(async () => {
  dataDir = await seededDataDir();
});
const stats = (...args: string[]) => vpo(["stats", ...args], { dataDir });
const files = async (...args: string[]) => {
  const r = await stats("summary", "--format", "json", ...args);
  return r.code === 0 ? JSON.parse(r.stdout).total_files_processed : `exit ${r.code}`;
};

describe("time filters through the CLI", () => {
  test("a date-only --until includes that whole day; a datetime --until includes that instant", async () => {
    const [dateOnly, instant, justBefore] = await Promise.all([
      files("--until", "2026-03-02"), // S1…S5: S4 (08:00) and S5 (12:00) are on the 2nd
      files("--until", "2026-03-02T08:00:00Z"), // S1…S4
      files("--until", "2026-03-02T07:59:59Z"), // S1…S3
    ]);
    expect([dateOnly, instant, justBefore]).toEqual([5, 4, 3]);
  });

  test("datetimes are UTC unless an offset is given", async () => {
    const [plus2, utcDate, minus1, spaced] = await Promise.all([
      files("--since", "2026-04-01T00:00:00+02:00"), // 03-31 22:00 UTC: S7 and S8 (03-31 23:30 UTC, recorded as +02:00)
      files("--since", "2026-04-01"), // nothing on April 1st UTC
      files("--since", "2026-02-28T22:30:00-01:00", "--until", "2026-03-01T01:00:00+01:00"), // [02-28 23:30, 03-01 00:00] UTC: S2, S3
      files("--since", "2026-03-02 12:00"), // space instead of T, UTC: S5…S8
    ]);
    expect([plus2, utcDate, minus1, spaced]).toEqual([2, "exit 65", 2, 4]);
  });

  test("relative times count back from now in minutes, hours, days and weeks", async () => {
    const dir = tempDir();
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const H = 3_600_000;
    const runs = [
      { processed_at: ago(2 * 60_000), policy_name: "p", file_path: "/r/now.mkv", success: true }, // 2 minutes ago
      { processed_at: ago(3 * H), policy_name: "p", file_path: "/r/hours.mkv", success: true },
      { processed_at: ago(3 * 24 * H), policy_name: "p", file_path: "/r/days.mkv", success: true },
      { processed_at: ago(10 * 24 * H), policy_name: "p", file_path: "/r/week.mkv", success: true },
    ];
    writeFileSync(join(dir, "recent.ndjson"), seedNdjson(runs));
    expect((await vpo(["stats", "import", "recent.ndjson"], { dataDir: dir })).code).toBe(0);
    const count = async (...args: string[]) => {
      const r = await vpo(["stats", "summary", "--format", "json", ...args], { dataDir: dir });
      return r.code === 0 ? JSON.parse(r.stdout).total_files_processed : `exit ${r.code}`;
    };
    const results = await Promise.all([
      count("--since", "30m"), count("--since", "24h"), count("--since", "7d"), count("--since", "2w"),
      count("--until", "24h"), count("--since", "1m", "--until", "2m"),
    ]);
    expect(results).toEqual([1, 2, 3, 4, 2, "exit 2"]);
  });

  test("an invalid date exits 2 and names the accepted forms", async () => {
    const [word, noSuchDay, backwards] = await Promise.all([
      stats("summary", "--since", "yesterday"),
      stats("trends", "--until", "2026-02-30"),
      stats("policies", "--since", "2026-03-02", "--until", "2026-03-01"),
    ]);
    expect(word.code).toBe(2);
    expect(word.stderr).toBe(
      'vpo: Invalid since "yesterday": expected an ISO date (2026-01-31), an ISO datetime (2026-01-31T12:00:00Z, UTC unless an offset is given) or a relative time (30m, 24h, 7d, 2w)\n',
    );
    expect(noSuchDay.code).toBe(2);
    expect(noSuchDay.stderr).toContain('Invalid until "2026-02-30"');
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain("since (2026-03-02) is not before until (2026-03-01)");
  });
});

describe("exit codes", () => {
  test("2 for invalid arguments, each with a message saying what was expected", async () => {
    const cases = [
      [["summary", "--format", "xml"], 'Invalid --format "xml": expected table, json, csv'],
      [["recent", "--limit", "0"], 'Invalid --limit "0": expected a positive integer'],
      [["file", "/x.mkv", "--limit", "ten"], 'Invalid --limit "ten": expected a positive integer'],
      [["policies", "--sort", "size"], 'Invalid --sort "size": expected files, savings, time'],
      [["trends", "--group-by", "year"], 'Invalid --group-by "year": expected day, week, month'],
      [["detail", "5ee"], 'Run id "5ee" is too short'],
      [["detail", "5eed0001", "--format", "csv"], 'Invalid --format "csv": expected table, json'],
      [["export", "--format", "xml"], 'Invalid --format "xml": expected ndjson, csv, json'],
      [["purge", "--before", "soon", "--dry-run"], 'Invalid --before "soon": expected an ISO date'],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => stats(...args)));
    results.forEach((r, i) => {
      expect({ args: cases[i]![0], code: r.code }).toEqual({ args: cases[i]![0], code: 2 });
      expect(r.stderr).toContain(cases[i]![1]);
      expect(r.stderr).not.toContain("    at "); // never a stack trace
    });
  });

  test("64 for a file that does not exist, 65 for no statistics, 1 for a database that cannot be opened", async () => {
    const empty = tempDir();
    writeFileSync(join(empty, "not-a-db.txt"), "hello, I am not SQLite\n".repeat(200));
    writeFileSync(join(empty, "unprocessed.mkv"), "");
    // Created first and alone: concurrent first opens of one new database race (core/db migrations).
    const emptySummary = await vpo(["stats", "summary"], { dataDir: empty });
    const [gone, neverProcessed, importGone, emptyRecent, emptyExport, badDb, unknownPolicy, emptyWindow] = await Promise.all([
      stats("file", "/no/such/file.mkv"),
      vpo(["stats", "file", "unprocessed.mkv"], { dataDir: empty }),
      stats("import", "/no/such/runs.ndjson"),
      vpo(["stats", "recent"], { dataDir: empty }),
      vpo(["stats", "export"], { dataDir: empty }),
      vpo(["stats", "summary", "--db", "not-a-db.txt"], { dataDir: empty }),
      stats("trends", "--policy", "strp"),
      stats("export", "--policy", "strip", "--since", "2026-03-04"),
    ]);
    expect(gone.code).toBe(64);
    expect(gone.stderr).toBe('vpo: File not found: "/no/such/file.mkv" (and no runs are recorded for that path)\n');
    expect(neverProcessed.code).toBe(65);
    expect(neverProcessed.stderr).toContain(`No statistics found for "${join(empty, "unprocessed.mkv")}"`);
    expect(importGone.code).toBe(64);
    expect([emptySummary.code, emptyRecent.code, emptyExport.code]).toEqual([65, 65, 65]);
    expect(emptySummary.stderr).toBe(
      "vpo: No statistics found: no runs are recorded yet. Process some files (vpo run / vpo process) or import runs (vpo stats import).\n",
    );
    expect(emptyExport.stdout).toBe("");
    expect(unknownPolicy.code).toBe(65);
    expect(unknownPolicy.stderr).toBe('vpo: No statistics found for policy "strp" (did you mean "strip"?). Policies with recorded runs: remux, strip, transcode.\n');
    expect(emptyWindow.code).toBe(65);
    expect(emptyWindow.stderr).toBe('vpo: No statistics found for policy "strip" in this range. Widen the filters (--since, --until).\n');
    expect(badDb.code).toBe(1);
    expect(badDb.stderr).toStartWith("vpo: ");
    expect(badDb.stderr).toContain("not-a-db.txt");
    expect(badDb.stderr).not.toContain("    at ");
  });
});

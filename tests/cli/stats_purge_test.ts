import { describe, expect, test } from "bun:test";
import { vpo } from "./_cli.ts";
import { SEED_ID as S, seededDataDir } from "./_stats_seed.ts";
import { inTerminal } from "./_terminal.ts";

/*
 * Children per seed run: S1 2 actions, 1 phase, 3 plugin metrics; S2 1 action, 2 phases, 1 metric;
 * S3 1 phase, 1 plugin error; S4…S8 none.
 */
const counts = (processing_stats: number, action_results: number, performance_metrics: number, plugin_metrics: number, plugin_errors: number) =>
  ({ processing_stats, action_results, performance_metrics, plugin_metrics, plugin_errors });

const MATRIX = [
  { name: "--before", args: ["--before", "2026-03-02"], counts: counts(3, 3, 4, 4, 1), left: [S.S4, S.S5, S.S6, S.S7, S.S8] },
  { name: "--policy", args: ["--policy", "strip"], counts: counts(3, 2, 1, 3, 0), left: [S.S2, S.S3, S.S5, S.S7, S.S8] },
  { name: "--before and --policy", args: ["--before", "2026-03-02", "--policy", "strip"], counts: counts(1, 2, 1, 3, 0), left: [S.S2, S.S3, S.S4, S.S5, S.S6, S.S7, S.S8] },
  { name: "--all", args: ["--all"], counts: counts(8, 3, 4, 4, 1), left: [] },
];

const recentIds = async (dataDir: string) => {
  const r = await vpo(["stats", "recent", "--limit", "100", "--format", "json"], { dataDir });
  return r.code === 65 ? [] : (JSON.parse(r.stdout) as { stats_id: string }[]).map((x) => x.stats_id).sort();
};

describe("vpo stats purge", () => {
  test("--dry-run counts the rows of each table for every criterion and deletes nothing", async () => {
    const dataDir = await seededDataDir();
    const results = await Promise.all(MATRIX.map((m) => vpo(["stats", "purge", ...m.args, "--dry-run", "--format", "json"], { dataDir })));
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dry_run: true, deleted: false, counts: MATRIX[i]!.counts });
    });
    const table = await vpo(["stats", "purge", "--before", "2026-03-01", "--dry-run"], { dataDir });
    // The boundary is exclusive: S3 at 2026-03-01T00:00:00Z stays.
    expect(table.stdout).toBe(
      [
        "Would delete (runs before 2026-03-01 00:00:00 UTC):",
        "  Processing records   2",
        "  Action results       3",
        "  Performance metrics  3",
        "  Plugin metrics       4",
        "  Plugin errors        0",
        "Dry run: nothing was deleted.",
        "",
      ].join("\n"),
    );
    expect(await recentIds(dataDir)).toHaveLength(8);
  });

  for (const m of MATRIX) {
    test(`${m.name} --yes deletes exactly the matching runs and keeps every view consistent`, async () => {
      const dataDir = await seededDataDir();
      const purge = await vpo(["stats", "purge", ...m.args, "--yes", "--format", "json"], { dataDir });
      expect(purge.code).toBe(0);
      expect(JSON.parse(purge.stdout)).toMatchObject({ dry_run: false, deleted: true, counts: m.counts });
      expect(await recentIds(dataDir)).toEqual([...m.left].sort());
      const summary = await vpo(["stats", "summary", "--format", "json"], { dataDir });
      if (m.left.length === 0) expect(summary.code).toBe(65);
      else expect(JSON.parse(summary.stdout).total_files_processed).toBe(m.left.length); // the rollup was rebuilt too
    });
  }

  test("without a terminal and without --yes it refuses with exit 2 instead of waiting for an answer", async () => {
    const dataDir = await seededDataDir();
    const [refused, nothing, bad] = await Promise.all([
      vpo(["stats", "purge", "--all"], { dataDir }),
      vpo(["stats", "purge", "--policy", "never-ran"], { dataDir }),
      vpo(["stats", "purge", "--all", "--policy", "strip", "--yes"], { dataDir }),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("vpo: Refusing to purge without confirmation: not on a terminal. Pass --yes to delete, or --dry-run to only count.\n");
    expect(nothing).toMatchObject({ code: 0, stdout: 'Nothing to delete: no runs of policy "never-ran" are recorded.\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("A purge of every run cannot also name a cutoff time or a policy");
    expect(await recentIds(dataDir)).toHaveLength(8);
  });

  test("on a terminal it shows the counts and asks; only y deletes", async () => {
    const dataDir = await seededDataDir();
    const declined = await inTerminal(["stats", "purge", "--policy", "strip"], dataDir, { answer: "n\r", env: { NO_COLOR: "1" } });
    expect(declined.code).toBe(1);
    expect(declined.output).toContain('About to delete (runs of policy "strip"):');
    expect(declined.output).toContain("Nothing deleted.");
    expect(await recentIds(dataDir)).toHaveLength(8);

    const accepted = await inTerminal(["stats", "purge", "--policy", "strip"], dataDir, { answer: "y\r", env: { NO_COLOR: "1" } });
    expect(accepted.code).toBe(0);
    expect(accepted.output).toContain('Deleted (runs of policy "strip"):');
    expect(await recentIds(dataDir)).toHaveLength(5);
  });
});

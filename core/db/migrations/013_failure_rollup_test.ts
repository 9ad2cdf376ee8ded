import { expect, test } from "bun:test";
import { forEachDialect } from "../../../tests/dialects.ts";
import { getFailures } from "../../repository/failures.ts";
import { rebuiltRollupRows, rollupRows } from "../../repository/_rollup_rows.ts";
import { openDatabase } from "../open.ts";
import { initialSchema } from "./001_initial.ts";
import { runsInFlight } from "./002_runs_in_flight.ts";
import { trustworthyRecord } from "./003_trust.ts";
import { detailRollups } from "./004_detail_rollups.ts";
import { reportsAndRetention } from "./005_reports_retention.ts";
import { queueMarkers } from "./006_queue.ts";
import { monitoring } from "./007_monitoring.ts";
import { monthRollups } from "./008_month_rollups.ts";
import { hourRollups } from "./009_hour_rollups.ts";
import { metricsRowPerRun } from "./010_metrics_row_per_run.ts";
import { phaseRollups } from "./011_phase_rollups.ts";
import { oldDatabase } from "./_old_database.ts";

/** The schema before runs kept their failure reason. */
const BEFORE = [initialSchema, runsInFlight, trustworthyRecord, detailRollups, reportsAndRetention, queueMarkers, monitoring, monthRollups, hourRollups, metricsRowPerRun, phaseRollups];

const RUN = (n: number) => `0193a4a0-0000-7000-8000-0000000000${String(n).padStart(2, "0")}`;
const LONG = `x${"y".repeat(300)}`;

/** Runs as an older vpo stored them: [file, when, status, message]. */
const OLD_RUNS: [string, string, "success" | "failed" | "interrupted", string | null][] = [
  ["/m/a.mkv", "2026-01-01T10:00:00.000Z", "failed", "ffmpeg exited with code 1\nframe=12"],
  ["/m/a.mkv", "2026-01-02T10:00:00.000Z", "failed", "ffmpeg  exited with code 1 "],
  ["/m/b.mkv", "2026-01-03T10:00:00.000Z", "failed", "ffmpeg exited with code 1"],
  ["/m/c.mkv", "2026-01-04T10:00:00.000Z", "failed", "ffmpeg exited with code 1"],
  ["/m/b.mkv", "2026-01-04T11:00:00.000Z", "interrupted", null],
  ["/m/b.mkv", "2026-01-04T12:00:00.000Z", "failed", LONG],
  ["/m/a.mkv", "2026-01-05T10:00:00.000Z", "success", null],
];

forEachDialect("migration 013: failure reason, failure rollup, repeated failures", (dialect) => {
  test("fills in the reason of every stored failed run, the failure rollup and the repeated files, and the view reads them", async () => {
    const location = await oldDatabase(dialect, BEFORE, async (trx) => {
      for (const [i, [file_path, processed_at, status, error_message]] of OLD_RUNS.entries()) {
        await trx.insertInto("processing_stats").values({ id: RUN(i), file_path, processed_at, policy_name: "strip", status, success: status === "success" ? 1 : 0, error_message }).execute();
      }
    });

    const { db, close } = await openDatabase(location);
    try {
      const reasons = await db.selectFrom("processing_stats").select(["id", "failure_reason"]).orderBy("id").execute();
      expect(reasons.map((r) => r.failure_reason)).toEqual([
        "ffmpeg exited with code 1", "ffmpeg exited with code 1", "ffmpeg exited with code 1", "ffmpeg exited with code 1", "(no message)", `${LONG.slice(0, 199)}…`, null,
      ]);
      const repeats = await db.selectFrom("failure_repeats").selectAll().execute();
      expect(repeats).toEqual([{ status: "failed", reason: "ffmpeg exited with code 1", file_path: "/m/a.mkv" }]);
      // The rollup the migration built is the one a rebuild from the runs makes, and the view reads it.
      expect(await rollupRows(db)).toEqual(await rebuiltRollupRows(db));
      expect(await getFailures(db, { since: "2026-01-01T00:00:00.000Z", until: "2026-01-04T10:30:00.000Z" }, { topFiles: 2 })).toEqual([
        {
          reason: "ffmpeg exited with code 1", status: "failed", runs: 4, last_at: "2026-01-04T10:00:00.000Z",
          top_files: [{ file_path: "/m/a.mkv", runs: 2, last_at: "2026-01-02T10:00:00.000Z" }, { file_path: "/m/c.mkv", runs: 1, last_at: "2026-01-04T10:00:00.000Z" }],
        },
      ]);
    } finally {
      await close();
    }
  });
});

import { expect, test } from "bun:test";
import { sql } from "kysely";
import { forEachDialect } from "../../../tests/dialects.ts";
import { metricRows } from "../../repository/_metric_rows.ts";
import { streamRunRecords } from "../../repository/export.ts";
import { getRunDetail } from "../../repository/run_detail.ts";
import { openDatabase } from "../open.ts";
import { initialSchema } from "./001_initial.ts";
import { runsInFlight } from "./002_runs_in_flight.ts";
import { trustworthyRecord } from "./003_trust.ts";
import { detailRollups } from "./004_detail_rollups.ts";
import { reportsAndRetention } from "./005_reports_retention.ts";
import { queueMarkers } from "./006_queue.ts";
import { monitoring } from "./007_monitoring.ts";
import { monthRollups } from "./008_month_rollups.ts";
import { oldDatabase } from "./_old_database.ts";

/** The schema before plugin_metrics held a row per run. */
const BEFORE = [initialSchema, runsInFlight, trustworthyRecord, detailRollups, reportsAndRetention, queueMarkers, monitoring, monthRollups];

const RUN = (n: number) => `0193a4a0-0000-7000-8000-00000000000${n}`;

/** Metric rows as the old schema stored them, in insertion (id) order: one run's plugins interleaved with nothing else. */
const OLD_ROWS: [string, string, string, number | null, string | null][] = [
  [RUN(1), "size", "bytes_saved", 200, null],
  [RUN(1), "size", "ratio", 0.30000000000000004, null],
  [RUN(1), "hash", "algo", null, "sha256"],
  [RUN(1), "hash", "missing", null, null],
  [RUN(2), "zeta", "b", 1e300, null],
  [RUN(2), "zeta", "a", -5, null],
  [RUN(2), "alpha", "10", 1, null], // a kept boolean
  [RUN(2), "alpha", "étiquette \"☃\"\n", null, "naïve — 日本語"],
  [RUN(2), "alpha", "2", null, ""],
];

forEachDialect("migration 010: plugin metrics as one row per run", (dialect) => {
  test("moves the metric rows of each run into its one row, values and order kept, and SQL readers see the same rows", async () => {
    const location = await oldDatabase(dialect, BEFORE, async (trx) => {
      for (const n of [1, 2, 3]) {
        await trx.insertInto("processing_stats").values({
          id: RUN(n), file_path: `/m/${n}.mkv`, processed_at: `2026-01-0${n}T10:00:00.000Z`, policy_name: "strip", status: "success", success: 1,
        }).execute();
      }
      for (const [stats_id, plugin, key, num, text] of OLD_ROWS) await trx.insertInto("plugin_metrics").values({ stats_id, plugin, key, num, text }).execute();
    });

    const { db, close } = await openDatabase(location);
    try {
      const stored = await db.selectFrom("plugin_metrics").select(["stats_id", "metrics"]).orderBy("stats_id").execute();
      expect(stored.map((r) => r.stats_id)).toEqual([RUN(1), RUN(2)]); // a run without metrics keeps no row
      const run1 = { size: { bytes_saved: 200, ratio: 0.30000000000000004 }, hash: { algo: "sha256", missing: null } };
      const run2 = { zeta: { b: 1e300, a: -5 }, alpha: { "10": 1, "étiquette \"☃\"\n": "naïve — 日本語", "2": "" } };
      expect((await getRunDetail(db, RUN(1))).plugin_metrics).toEqual(run1);
      expect((await getRunDetail(db, RUN(3))).plugin_metrics).toEqual({});
      // An export writes them in the order they were stored, byte for byte as before.
      const exported = [];
      for await (const run of streamRunRecords(db)) exported.push(JSON.stringify(run.plugin_metrics));
      expect(exported).toEqual([JSON.stringify(run1), JSON.stringify(run2), "{}"]);
      const rows = await db.selectFrom(metricRows(db)).select(["stats_id", "plugin", "key", "num", "text"]).execute();
      const sorted = (list: unknown[][]) => list.map((r) => JSON.stringify(r)).sort();
      expect(sorted(rows.map((r) => [r.stats_id, r.plugin, r.key, r.num, r.text]))).toEqual(sorted(OLD_ROWS));
      // The run's row goes with the run.
      await db.deleteFrom("processing_stats").where("id", "=", RUN(2)).execute();
      expect((await db.selectFrom("plugin_metrics").select("stats_id").execute()).map((r) => r.stats_id)).toEqual([RUN(1)]);
      const leftover = await sql<{ n: number }>`select count(*) as n from ${sql.table(dialect.name === "sqlite" ? "sqlite_master" : "pg_class")} where ${sql.ref(dialect.name === "sqlite" ? "name" : "relname")} like 'plugin_metrics_old%'`.execute(db);
      expect(Number(leftover.rows[0]!.n)).toBe(0);
    } finally {
      await close();
    }
  });
});

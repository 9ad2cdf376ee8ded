import { expect, test } from "bun:test";
import fc from "fast-check";
import { runArb, scopeArb, windowArb } from "../../tests/arbitraries.ts";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { normalizeRunRecord } from "../record/mod.ts";
import { getBreakdown } from "./breakdown.ts";
import { type FailureGroup, getFailures } from "./failures.ts";
import { failureReason } from "../record/failure_reason.ts";
import { codecsFrom } from "./codecs.ts";
import { metricsFrom } from "./metrics.ts";
import { streamRunRecords } from "./export.ts";
import { importRunLines } from "./import.ts";
import { policyStatsFrom } from "./policies.ts";
import { purgeRuns } from "./purge.ts";
import { recordRuns } from "./record.ts";
import { summaryFrom } from "./summary.ts";
import { trendsFrom } from "./trends.ts";
import { queryTotals } from "./_totals.ts";
import { phaseTotals } from "./_phase_rollup.ts";
import { rebuiltRollupRows, rollupRows, round } from "./_rollup_rows.ts";
import type { Db } from "../db/handle.ts";
import { normalizeRange, runFilter, type RunScope, windowWidenedBy } from "./_filters.ts";
import type { TimeRange } from "../time_filter.ts";
import { applyRetention } from "./retention.ts";

/**
 * Properties of the record over random histories: whatever was recorded, imported, purged and
 * processed again, the rollup kept in step equals the rollup rebuilt from the runs, and every view
 * read from it (with scanned edge days) equals the same view computed by a full scan of the runs;
 * export then import is the identity.
 * VPO_PROPERTY_RUNS raises the number of histories tried (default small enough for CI).
 */
const RUNS = Number(process.env.VPO_PROPERTY_RUNS ?? 25);

const operation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("record" as const), runs: fc.array(runArb, { minLength: 1, maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("import" as const), runs: fc.array(runArb, { minLength: 1, maxLength: 8 }) }) },
  // Processing again: new runs of files already seen, with fresh ids.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reprocess" as const), count: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("purge" as const),
      before: fc.option(fc.integer({ min: 0, max: 5 * 86_400_000 }).map((ms) => new Date(Date.UTC(2026, 0, 30) + ms).toISOString()), { nil: undefined }),
      policy: fc.option(fc.constantFrom("strip", "transcode"), { nil: undefined }),
    }),
  },
);

/** Phase totals in key order, sums rounded (added in another order they differ in the last bits). */
async function phasesRounded(db: Db, filter: Parameters<typeof phaseTotals>[1], source: "auto" | "raw", group: "phase" | "node" = "phase") {
  const rows = await phaseTotals(db, filter, group, source);
  return rows.map((p) => ({ ...p, total_seconds: round(p.total_seconds), fps_sum: round(p.fps_sum), ok_fps_sum: round(p.ok_fps_sum) })).sort((a, b) => (a.key < b.key ? -1 : 1));
}

forEachDialect("record properties", (dialect) => {
  const runs = dialect.name === "sqlite" ? RUNS : Math.max(3, Math.ceil(RUNS / 3));

  test("every view from the rollup equals the same view from a full scan, after any history", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(windowArb, scopeArb), { minLength: 3, maxLength: 6 }), async (ops, filters) => {
        const { db, close } = await openDatabase(await dialect.newLocation());
        try {
          const stored: string[] = [];
          for (const op of ops) {
            if (op.kind === "record") stored.push(...(await recordRuns(db, op.runs.map(fresh))).map((r) => r.id));
            else if (op.kind === "import") {
              const lines = op.runs.map((r) => JSON.stringify(fresh(r)));
              await importRunLines(db, async function* () { yield* lines; }, {});
            } else if (op.kind === "reprocess") {
              const again: unknown[] = [];
              for await (const run of streamRunRecords(db)) if (again.length < op.count) again.push({ ...run, id: undefined, processed_at: run.processed_at });
              if (again.length) await recordRuns(db, again);
            } else if (op.before !== undefined || op.policy !== undefined) {
              await purgeRuns(db, { before: op.before, policy: op.policy });
            }
          }
          expect(await rollupRows(db)).toEqual(await rebuiltRollupRows(db));
          for (const [window, scope] of filters) {
            const filter = { ...window, ...scope };
            const raw = await summaryFrom(db, filter, "raw");
            expect(await summaryFrom(db, filter, "auto")).toEqual(raw);
            // The failures view: the same runs as the summary counts, and the very groups and top files of a scan.
            const failures = await getFailures(db, filter, { limit: 10_000 });
            expect(failures.reduce((n, g) => n + g.runs, 0)).toBe(raw.total_failed);
            expect(failures).toEqual(await rawFailures(db, filter, { limit: 10_000 }));
            // Few top files and groups, so that files failing more than once must be found beside the latest ones.
            for (const topFiles of [1, 2]) expect(await getFailures(db, filter, { topFiles, limit: 2 })).toEqual(await rawFailures(db, filter, { topFiles, limit: 2 }));
            expect(await policyStatsFrom(db, filter, "auto")).toEqual(await policyStatsFrom(db, filter, "raw"));
            for (const groupBy of ["day", "week", "month"] as const) {
              expect(await trendsFrom(db, { ...filter, groupBy }, "auto")).toEqual(await trendsFrom(db, { ...filter, groupBy }, "raw"));
            }
            expect(await codecsFrom(db, filter, "auto")).toEqual(await codecsFrom(db, filter, "raw"));
            for (const group of ["phase", "node"] as const) expect(await phasesRounded(db, filter, "auto", group)).toEqual(await phasesRounded(db, filter, "raw", group));
            const metricsOf = async (source: "auto" | "raw") => (await metricsFrom(db, filter, source)).map((m) => ({ ...m, sum: round(m.sum), avg: round(m.avg) }));
            expect(await metricsOf("auto")).toEqual(await metricsOf("raw"));
            for (const by of ["node", "library"] as const) {
              const fromRollup = await getBreakdown(db, by, filter);
              const fromRuns = await queryTotals(db, { ...filter, range: normalizeRange(filter), group: by, source: "raw" });
              expect(fromRollup.map((r) => [r.name ?? "", r.files_processed])).toEqual(
                fromRuns.map((r) => [r.key, r.totals.runs]).sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))),
              );
            }
          }
        } finally {
          await close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 300_000);

  test("after retention, every view equals the full scan made before it, over the window widened to whole days before the horizon", async () => {
    const horizonArb = fc.integer({ min: 0, max: 4 }).map((d) => new Date(Date.UTC(2026, 0, 30) + d * 86_400_000).toISOString());
    await fc.assert(
      fc.asyncProperty(fc.array(runArb, { minLength: 1, maxLength: 30 }), horizonArb, fc.array(fc.tuple(windowArb, scopeArb), { minLength: 3, maxLength: 6 }), async (history, horizon, filters) => {
        const { db, close } = await openDatabase(await dialect.newLocation());
        try {
          await recordRuns(db, history.map(fresh));
          const rollup = await rollupRows(db);
          // What each view must answer afterwards, computed while every run is still there.
          const expected = [];
          for (const [window, scope] of filters) {
            const answered = { ...scope, ...(windowWidenedBy(window, horizon) ?? window) };
            expected.push([
              await summaryFrom(db, answered, "raw"), await policyStatsFrom(db, answered, "raw"), await trendsFrom(db, { ...answered, groupBy: "day" }, "raw"),
              await phasesRounded(db, answered, "raw"), countsOf(await rawFailures(db, answered, { limit: 10_000 })),
            ]);
          }
          await applyRetention(db, { runsBefore: horizon });
          expect(await rollupRows(db)).toEqual(rollup);
          expect(await rebuiltRollupRows(db)).toEqual(rollup);
          const actual = [];
          for (const [window, scope] of filters) {
            const filter = { ...window, ...scope };
            const failures = await getFailures(db, filter, { topFiles: 2, limit: 10_000 });
            actual.push([
              await summaryFrom(db, filter, "auto"), await policyStatsFrom(db, filter, "auto"), await trendsFrom(db, { ...filter, groupBy: "day" }, "auto"),
              await phasesRounded(db, filter, "auto"), countsOf(failures),
            ]);
            // Counts from the rollup (the widened window); top files from the runs left in the window.
            const left = new Map((await rawFailures(db, filter, { topFiles: 2, limit: 10_000 })).map((g) => [`${g.status} ${g.reason}`, g.top_files]));
            for (const g of failures) expect(g.top_files).toEqual(left.get(`${g.status} ${g.reason}`) ?? []);
          }
          expect(actual).toEqual(expected);
        } finally {
          await close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 300_000);

  test("the failures view equals a raw grouping on histories where files fail again and again", async () => {
    // Failed runs only, of few files and reasons, recorded batch after batch: a file that failed often
    // long ago outranks the latest ones, which only the repeated files (failure_repeats) bring in.
    const failedArb = fc.tuple(runArb, fc.constantFrom("/m/a.mkv", "/m/b.mkv", "/m/c.mp4"), fc.constantFrom("disk full", "ffmpeg exited with code 1"), fc.boolean()).map(
      ([run, file_path, error_message, interrupted]) => ({ ...run, file_path, error_message, success: false, status: interrupted ? "interrupted" : "failed" }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(failedArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(windowArb, scopeArb), { minLength: 2, maxLength: 4 }), async (batches, filters) => {
        const { db, close } = await openDatabase(await dialect.newLocation());
        try {
          for (const batch of batches) await recordRuns(db, batch.map(fresh));
          for (const [window, scope] of [[{}, {}] as const, ...filters]) {
            const filter = { ...window, ...scope };
            for (const topFiles of [1, 2]) expect(await getFailures(db, filter, { topFiles })).toEqual(await rawFailures(db, filter, { topFiles, limit: 50 }));
          }
        } finally {
          await close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 300_000);

  test("export then import is the identity", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArb, { minLength: 1, maxLength: 30 }), async (history) => {
        const source = await openDatabase(await dialect.newLocation());
        const target = await openDatabase(await dialect.newLocation());
        try {
          await recordRuns(source.db, history.map(fresh));
          const exported: string[] = [];
          for await (const run of streamRunRecords(source.db)) exported.push(JSON.stringify(run));
          const report = await importRunLines(target.db, async function* () { yield* exported; });
          expect([report.invalid, report.imported]).toEqual([0, exported.length]);
          const again: string[] = [];
          for await (const run of streamRunRecords(target.db)) again.push(JSON.stringify(run));
          expect(again).toEqual(exported);
          expect(await summaryFrom(target.db, {}, "auto")).toEqual(await summaryFrom(source.db, {}, "auto"));
        } finally {
          await source.close();
          await target.close();
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
  }, 300_000);
});


/** A run with a new id (so generated histories never collide on ids), normalised as recordRuns would. */
function fresh(run: Parameters<typeof normalizeRunRecord>[0]) {
  return { ...(run as object), id: Bun.randomUUIDv7() };
}

/**
 * The failures view by the plainest means: every failed run of the window and scope, grouped in JS by
 * status and reason (failureReason of its message), each group's files counted, sorted and cut.
 */
async function rawFailures(db: Db, filter: TimeRange & RunScope, options: { topFiles?: number; limit: number }): Promise<FailureGroup[]> {
  const runs = await db
    .selectFrom("processing_stats")
    .where(runFilter(normalizeRange(filter), filter))
    .where("success", "=", 0)
    .select(["status", "error_message", "file_path", "processed_at"])
    .execute();
  const groups = new Map<string, FailureGroup & { files: Map<string, { runs: number; last_at: string }> }>();
  const later = (a: string, b: string) => (a > b ? a : b);
  for (const run of runs) {
    const status = run.status as FailureGroup["status"];
    const reason = failureReason(run.error_message);
    const key = `${status} ${reason}`;
    const group = groups.get(key) ?? groups.set(key, { reason, status, runs: 0, top_files: [], last_at: "", files: new Map() }).get(key)!;
    group.runs++;
    group.last_at = later(group.last_at, run.processed_at);
    const file = group.files.get(run.file_path) ?? { runs: 0, last_at: "" };
    group.files.set(run.file_path, { runs: file.runs + 1, last_at: later(file.last_at, run.processed_at) });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups.values()]
    .sort((a, b) => b.runs - a.runs || cmp(a.reason, b.reason) || cmp(a.status, b.status))
    .slice(0, options.limit)
    .map(({ files, ...g }) => ({
      ...g,
      top_files: [...files]
        .map(([file_path, f]) => ({ file_path, ...f }))
        .sort((a, b) => b.runs - a.runs || cmp(b.last_at, a.last_at) || cmp(a.file_path, b.file_path))
        .slice(0, options.topFiles ?? 5),
    }));
}

/** The groups of the failures view without their top files, in the view's order. */
const countsOf = (groups: FailureGroup[]) => groups.map(({ top_files: _, ...g }) => g);

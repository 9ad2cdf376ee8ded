import { sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { failureReason } from "../record/failure_reason.ts";
import type { TimeRange } from "../time_filter.ts";
import { normalizeRange, num, type Part, planParts, rollupFilter, runFilter, type RunScope, tierTable, type TierSource } from "./_filters.ts";
import { FAILED } from "./_failure_rollup.ts";
import { Batch } from "./_union.ts";
import { horizonQuery } from "./retention.ts";
import { readTogether } from "../db/read_together.ts";
import type { StatsFilter } from "./views.ts";

export { failureReason };

/** Runs that failed (or were interrupted) for one reason, with the files it struck most. */
export interface FailureGroup {
  reason: string;
  status: "failed" | "interrupted";
  runs: number;
  /** The files with the most runs failing for this reason, most first (ties: the latest first, then by path; at most `topFiles`). */
  top_files: { file_path: string; runs: number; last_at: string }[];
  last_at: string;
}

type Counted = { runs: number; last_at: string };
type Group = Pick<FailureGroup, "status" | "reason"> & Counted;

/**
 * Failed and interrupted runs over a window, grouped by reason (most runs first, then by reason and
 * status), each with the files it struck most. Its cost does not grow with the failed runs of the
 * window: a group's runs come from failure_rollup (whole months, days and hours; an edge covering
 * most of its unit as the unit less the rest; the partial edge hours from the runs, like every
 * view), its latest instant and top files from a few reads per group through the failed runs'
 * indexes (topFilesOf). Before the runs' retention horizon the counts come from the rollup (the
 * window widened to whole days there), the top files only from the runs still stored, and the
 * latest instant of a reason with no run left in the window from the rollup.
 *
 * @example await getFailures(db, { since: "2026-01-01T00:00:00.000Z" }) // [{ reason: "ffmpeg exited with code 1", runs: 3, … }]
 */
export async function getFailures(db: Db, filter: StatsFilter = {}, options: { topFiles?: number; limit?: number } = {}): Promise<FailureGroup[]> {
  const range = normalizeRange(filter);
  const scope: RunScope = { policy: filter.policy, library: filter.library, node: filter.node };
  const top = options.topFiles ?? 5;
  // The runs' horizon is read with the counts, the window planned as if there were none; counted
  // again only when the horizon changes the parts (an edge day before it: nearly never).
  const guess = planParts(range, null);
  const first = await failureCounts(db, guess, true);
  const horizon = first.horizon;
  const planned = horizon === null ? guess : planParts(range, horizon);
  const counts = JSON.stringify(planned) === JSON.stringify(guess) ? first.groups : (await failureCounts(db, planned, false)).groups;
  const groups = counts.sort((a, b) => b.runs - a.runs || compare(a.reason, b.reason) || compare(a.status, b.status)).slice(0, options.limit ?? 50);
  // Every group's first read of its latest runs, and of its files that failed again, in one round trip.
  const latestTop = Math.max(top, 1);
  const firstReads = await readTogether(db, groups.flatMap((g) => [latestRunsQuery(db, g, range, scope, firstLimit(latestTop)), ...(top > 0 ? [repeatsQuery(db, g)] : [])]));
  const perGroup = top > 0 ? 2 : 1;
  const out: FailureGroup[] = [];
  for (const [i, g] of groups.entries()) {
    const latest = await latestFilesOf(db, g, range, scope, latestTop, firstReads[i * perGroup] as LatestRow[]);
    const top_files = top > 0 ? await topFilesOf(db, g, range, scope, top, latest, firstReads[i * perGroup + 1] as { file_path: string }[]) : [];
    // The newest run read is the latest of the window; a reason with none left (retention) has it from the rollup.
    out.push({ reason: g.reason, status: g.status, runs: g.runs, top_files, last_at: latest.values().next().value ?? "" });
  }
  const unknown = out.filter((g) => g.last_at === "");
  if (unknown.length > 0) {
    const counted = (await failureCounts(db, planParts(range, horizon, { complement: false }), false)).groups;
    for (const g of unknown) g.last_at = counted.find((c) => c.status === g.status && c.reason === g.reason)!.last_at;
  }
  return out;

  /** Runs (and, when no part is a complement, the latest instant) per (status, reason) over `parts`, and the runs' horizon when asked, in one statement. */
  async function failureCounts(db: Db, parts: Part[], withHorizon: boolean): Promise<{ groups: Group[]; horizon: string | null }> {
    const batch = new Batch(db, ["status", "runs"]);
    const signs: number[] = [];
    const add = (part: Part, sign: number) => {
      signs.push(sign);
      if (part.source === "raw") {
        const runs = db.selectFrom("processing_stats").where(runFilter(part.range, scope)).where(FAILED).groupBy(["processing_stats.status", "processing_stats.failure_reason"]);
        batch.addBuilt(runs, { key: sql`processing_stats.failure_reason`, at: sql`max(processing_stats.processed_at)`, values: RUN_COUNTS });
      } else {
        const table = tierTable("failure_rollup", part.source as TierSource, scope, false);
        const rows = db.selectFrom(table).where(rollupFilter(part.range, scope, table)).groupBy(["status", "reason"]);
        batch.addBuilt(rows, { key: sql`reason`, at: sql`max(last_at)`, values: ROLLUP_COUNTS });
      }
    };
    for (const part of parts) {
      if (part.source !== "complement") add(part, 1);
      else {
        add(part.whole!, 1);
        add(part.minus!, -1);
      }
    }
    const horizonTag = withHorizon ? batch.addBuilt(null, { key: sql`''`, at: sql`(${horizonQuery(db, "runs")})` }) : undefined;
    const read = await batch.run();
    const merged = new Map<string, Group>();
    for (const [tag, rows] of read.entries()) {
      if (tag === horizonTag) continue;
      for (const row of rows) {
        const status = row.status === "interrupted" ? "interrupted" : "failed";
        const key = `${status}\0${row.key}`;
        const seen = merged.get(key) ?? merged.set(key, { status, reason: String(row.key), runs: 0, last_at: "" }).get(key)!;
        seen.runs += signs[tag]! * num(row.runs);
        if (String(row.at) > seen.last_at) seen.last_at = String(row.at);
      }
    }
    // A complement leaves reasons with no run in the window.
    return { groups: [...merged.values()].filter((g) => g.runs > 0), horizon: horizonTag === undefined ? null : (read[horizonTag]![0]?.at ?? null) };
  }
}

// The value columns of the batches, built once (a Batch compiles each set of values once, see valueColumns).
const RUN_COUNTS = { status: sql`processing_stats.status`, runs: sql`count(*)` };
const ROLLUP_COUNTS = { status: sql`status`, runs: sql`sum(runs)` };
const FILE_COUNTS = { runs: sql`count(*)` };

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A group's top files, exactly, in reads bounded by `top` and the files that failed for the reason
 * more than once, not by its runs. A file with one failed run in the window ranks by that run's
 * instant, so those in the top are among the group's latest `top` files (latestFilesOf); a file
 * with more is in failure_repeats, and those are counted over the window. A latest file not in
 * failure_repeats has one failed run of the reason (a second would have put it there): the one read.
 */
async function topFilesOf(
  db: Db,
  group: Group,
  range: TimeRange,
  scope: RunScope,
  top: number,
  latest: Map<string, string>,
  repeats: { file_path: string }[],
): Promise<FailureGroup["top_files"]> {
  const repeated = new Set(repeats.map((r) => r.file_path));
  const files: FailureGroup["top_files"] = [];
  for (const [file_path, last_at] of latest) if (!repeated.has(file_path)) files.push({ file_path, runs: 1, last_at });
  const paths = [...repeated];
  for (let i = 0; i < paths.length; i += FILES_PER_COUNT) {
    for (const rows of await filesCountQuery(db, group, range, scope, paths.slice(i, i + FILES_PER_COUNT)).run()) {
      for (const row of rows) files.push({ file_path: row.key, runs: num(row.runs), last_at: String(row.at) });
    }
  }
  return files.sort((a, b) => b.runs - a.runs || compare(b.last_at, a.last_at) || compare(a.file_path, b.file_path)).slice(0, top);
}

/** The files that failed for a group's reason more than once (ever). */
const repeatsQuery = (db: Db, group: Pick<Group, "status" | "reason">) =>
  db.selectFrom("failure_repeats").select("file_path").where("status", "=", group.status).where("reason", "=", group.reason);

/** Files counted per statement (bound parameters stay well under either dialect's limit). */
const FILES_PER_COUNT = 100;

/**
 * The failed runs of one group in a window and scope, through the partial indexes of failed runs
 * by (status, failure_reason, …): the policy as an expression no index serves, else the planner
 * may walk the policy's runs (stats_policy_time) instead.
 */
const groupRuns = (db: Db, group: Pick<Group, "status" | "reason">, range: TimeRange, scope: RunScope) =>
  db
    .selectFrom("processing_stats")
    .where(FAILED)
    .where("processing_stats.status", "=", group.status)
    .where("processing_stats.failure_reason", "=", group.reason)
    .where(runFilter(range, { library: scope.library, node: scope.node }))
    .$if(scope.policy !== undefined, (qb) => qb.where(sql<string>`processing_stats.policy_name || ''`, "=", scope.policy!));

/** The newest failed runs of a group, newest first, through stats_failure_time (the plan test checks). */
export const latestRunsQuery = (db: Db, group: Pick<Group, "status" | "reason">, range: TimeRange, scope: RunScope, limit: number) =>
  groupRuns(db, group, range, scope).select(["processing_stats.file_path", "processing_stats.processed_at"]).orderBy("processing_stats.processed_at", "desc").limit(limit);

/**
 * Runs and the latest instant of given files in a group, a SELECT a file in one statement, each
 * through stats_failure_file by its file (the plan test checks): with a list of files instead,
 * PostgreSQL walks the group's runs in the window and filters them.
 */
function filesCountQuery(db: Db, group: Pick<Group, "status" | "reason">, range: TimeRange, scope: RunScope, paths: string[]): Batch {
  const batch = new Batch(db, ["runs"]);
  for (const path of paths) batch.addBuilt(fileRuns(db, group, range, scope, path), { key: sql`processing_stats.file_path`, at: sql`max(processing_stats.processed_at)`, values: FILE_COUNTS });
  return batch;
}

/** The failed runs of one file in a group, window and scope (for their count and latest instant). */
export const fileRuns = (db: Db, group: Pick<Group, "status" | "reason">, range: TimeRange, scope: RunScope, path: string) =>
  groupRuns(db, group, range, scope).where("processing_stats.file_path", "=", path).groupBy("processing_stats.file_path");

type LatestRow = { file_path: string; processed_at: string };

/** The rows of the first read of a group's latest runs: enough for `top` files unless some fail again and again at the head. */
const firstLimit = (top: number) => Math.max(16, top * 4);

/**
 * The group's latest `top` distinct files in the window, and every file whose latest run ties the
 * last of them, each with its latest instant: read newest first, more rows only while a file fails
 * again and again at the head.
 */
async function latestFilesOf(db: Db, group: Group, range: TimeRange, scope: RunScope, top: number, firstRows: LatestRow[]): Promise<Map<string, string>> {
  for (let limit = firstLimit(top); ; limit *= 4) {
    const rows = limit === firstLimit(top) ? firstRows : await latestRunsQuery(db, group, range, scope, limit).execute();
    const files = new Map<string, string>();
    let boundary: string | undefined;
    for (const row of rows) {
      if (boundary !== undefined && row.processed_at < boundary) return files;
      if (!files.has(row.file_path)) files.set(row.file_path, row.processed_at);
      if (boundary === undefined && files.size >= top) boundary = row.processed_at;
    }
    if (rows.length < limit) return files;
  }
}

import { type SqlBool, sql } from "kysely";
import type { Db } from "../db/handle.ts";
import { normalizeRange, num, runFilter } from "./_filters.ts";
import type { StatsFilter } from "./views.ts";

/** Runs that failed (or were interrupted) for one reason, with the files it struck most. */
export interface FailureGroup {
  reason: string;
  status: "failed" | "interrupted";
  runs: number;
  /** The files with the most runs failing for this reason, most first (at most `topFiles`). */
  top_files: { file_path: string; runs: number; last_at: string }[];
  last_at: string;
}

/** Error messages differ in numbers and paths more than in cause: the first line, trimmed, is the reason. */
export const failureReason = (message: string | null): string => {
  const line = (message ?? "").split("\n")[0]!.replace(/\s+/g, " ").trim();
  return line === "" ? "(no message)" : line.length > 200 ? `${line.slice(0, 199)}…` : line;
};

/**
 * Failed and interrupted runs over a window, grouped by reason (most runs first), each with the
 * files it struck most. Reads the failed runs only, through their own index (stats_failed_at):
 * the cost follows the failures in the window, not the runs (no rollup holds messages).
 *
 * @example await getFailures(db, { since: "2026-01-01T00:00:00.000Z" }) // [{ reason: "ffmpeg exited with code 1", runs: 3, … }]
 */
export async function getFailures(db: Db, filter: StatsFilter = {}, options: { topFiles?: number; limit?: number } = {}): Promise<FailureGroup[]> {
  const rows = await failedRunGroups(db, filter).execute();
  const groups = new Map<string, FailureGroup & { files: Map<string, { runs: number; last_at: string }> }>();
  for (const row of rows) {
    const reason = failureReason(row.error_message);
    const status = row.status === "interrupted" ? "interrupted" : "failed";
    const key = `${status}\u0000${reason}`;
    const group = groups.get(key) ?? groups.set(key, { reason, status, runs: 0, top_files: [], last_at: "", files: new Map() }).get(key)!;
    const n = num(row.n);
    const last = String(row.last_at);
    group.runs += n;
    if (last > group.last_at) group.last_at = last;
    const file = group.files.get(row.file_path) ?? { runs: 0, last_at: "" };
    file.runs += n;
    if (last > file.last_at) file.last_at = last;
    group.files.set(row.file_path, file);
  }
  const top = options.topFiles ?? 5;
  return [...groups.values()]
    .map(({ files, ...g }) => ({
      ...g,
      top_files: [...files]
        .map(([file_path, f]) => ({ file_path, ...f }))
        .sort((a, b) => b.runs - a.runs || (a.last_at < b.last_at ? 1 : -1))
        .slice(0, top),
    }))
    .sort((a, b) => b.runs - a.runs || (a.reason < b.reason ? -1 : 1))
    .slice(0, options.limit ?? 50);
}

/** The failed runs of a window grouped by status, message and file: read through stats_failed_at (the plan test checks). */
export const failedRunGroups = (db: Db, filter: StatsFilter) =>
  db
    .selectFrom("processing_stats")
    .where(runFilter(normalizeRange(filter), { library: filter.library, node: filter.node }))
    // The policy as an expression no index serves: else the planner may read every run of the
    // policy in the window through stats_policy_time rather than the failed ones alone.
    .$if(filter.policy !== undefined, (qb) => qb.where(sql`processing_stats.policy_name || ''`, "=", filter.policy!))
    // A literal, not a parameter: the partial index's condition must be visible to the planner.
    .where(sql<SqlBool>`processing_stats.success = 0`)
    .select(["status", "error_message", "file_path", (eb) => eb.fn.countAll().as("n"), (eb) => eb.fn.max("processed_at").as("last_at")])
    .groupBy(["status", "error_message", "file_path"]);

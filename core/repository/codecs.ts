import { sql } from "kysely";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { compiledOnce } from "../db/compiled_once.ts";
import { genericPlan } from "../db/postgres/generic_plan.ts";
import { CODEC_AFTER } from "./_detail_rollups.ts";
import { normalizeRange, num, type Part, planParts, rollupConditions, rollupFilter, runConditions, runFilter, shapeOf, tierTable, type TierSource, valuesOf } from "./_filters.ts";
import { readPlannedParts } from "./_planned_reads.ts";
import type { TimeRange } from "../time_filter.ts";
import type { StatsFilter } from "./views.ts";

/** How many runs had a video codec before processing, and how many had it after. */
export const CodecShareSchema = v.object({
  codec: v.string(),
  before: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Runs whose input had this video codec")),
  after: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Runs whose output has it (the input's codec when not transcoded or failed)")),
});
export interface CodecShare extends v.InferOutput<typeof CodecShareSchema> {}

/**
 * Video codec distribution before and after processing over a time window, optionally for one
 * policy, library or node: one row per codec, most frequent first (before + after, then name).
 * Runs that reported no video codec are left out. Whole months, days and hours come from
 * codec_rollup (its month tier, daily rows and hour tier) and only the partial hours at the
 * window's edges from the runs, so the cost does not grow with history; an edge day before the
 * retention horizon (its runs are gone) is answered whole.
 *
 * @example await getCodecDistribution(db, { ...parseTimeRange({ since: "30d" }) })
 * // [{ codec: "h264", before: 120, after: 40 }, { codec: "hevc", before: 30, after: 110 }]
 */
export function getCodecDistribution(db: Db, filter: StatsFilter = {}): Promise<CodecShare[]> {
  return codecsFrom(db, filter, "auto");
}

/** getCodecDistribution with the source chosen; exported for the tests that all sources agree. */
export async function codecsFrom(db: Db, filter: StatsFilter, source: "auto" | "raw"): Promise<CodecShare[]> {
  const shares = new Map<string, CodecShare>();
  const entry = (codec: string) => shares.get(codec) ?? shares.set(codec, { codec, before: 0, after: 0 }).get(codec)!;
  const add = (before: string | null, after: string | null, n: unknown, sign = 1) => {
    if (before) entry(before).before += sign * num(n);
    if (after) entry(after).after += sign * num(n);
  };
  const fromRollup = (range: TimeRange, tier: TierSource) => {
    const table = tierTable("codec_rollup", tier, filter, false);
    const conditions = rollupConditions(range, filter, table);
    const query = compiledOnce(db, `codec counts of ${table} where ${shapeOf(conditions)}`, valuesOf(conditions), () =>
      db
        .selectFrom(table)
        .where(rollupFilter(range, filter, table))
        .select(["codec_before as before", "codec_after as after", sql<number>`sum(runs)`.as("n")])
        .groupBy(["codec_before", "codec_after"])
        .compile(),
    );
    // A tier's rows by a range of its key: the same plan for any window, planned once (generic_plan.ts).
    return genericPlan(db, query);
  };
  const fromRuns = (range: TimeRange) => {
    const conditions = runConditions(range, filter);
    return compiledOnce(db, `codec counts of the runs where ${shapeOf(conditions)}`, valuesOf(conditions), () =>
      db
        .selectFrom("processing_stats")
        .where(runFilter(range, filter))
        .select(["video_source_codec as before", CODEC_AFTER.as("after"), (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy(["video_source_codec", CODEC_AFTER])
        .compile(),
    );
  };
  const range = normalizeRange(filter);
  const select = (part: Part) => (part.source === "raw" ? fromRuns(part.range) : fromRollup(part.range, part.source as TierSource));
  // A complement edge is its whole hour (day, month) less the rest of it: two reads, the second subtracted.
  const reads = (parts: Part[]) => parts.flatMap((part) => (part.source === "complement" ? [{ part: part.whole!, sign: 1 }, { part: part.minus!, sign: -1 }] : [{ part, sign: 1 }]));
  const read =
    source === "auto"
      ? await readPlannedParts(db, "runs", (horizon) => planParts(range, horizon), (parts) => reads(parts).map((r) => select(r.part)))
      : await readPlannedParts(db, null, () => [{ range, source: "raw" }], (parts) => parts.map(select));
  // Independent reads of exact counts (on PostgreSQL in one round trip).
  const signs = reads(read.parts).map((r) => r.sign);
  read.rows.forEach((rows, i) => {
    for (const r of rows) add(r.before as string | null, r.after as string | null, r.n, signs[i]);
  });
  for (const [codec, share] of shares) if (share.before === 0 && share.after === 0) shares.delete(codec);
  return [...shares.values()].sort((a, b) => b.before + b.after - (a.before + a.after) || (a.codec < b.codec ? -1 : 1));
}

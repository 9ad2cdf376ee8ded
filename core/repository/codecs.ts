import { sql } from "kysely";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { CODEC_AFTER } from "./_detail_rollups.ts";
import { normalizeRange, num, type Part, planParts, rollupFilter, runFilter, tierTable, type TierSource } from "./_filters.ts";
import { retentionHorizon } from "./retention.ts";
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
  const fromRollup = async (range: TimeRange, tier: TierSource, sign = 1) => {
    const table = tierTable("codec_rollup", tier, filter, false);
    const rows = await db
      .selectFrom(table)
      .where(rollupFilter(range, filter, table))
      .select(["codec_before", "codec_after", sql<number>`sum(runs)`.as("n")])
      .groupBy(["codec_before", "codec_after"])
      .execute();
    for (const r of rows) add(r.codec_before, r.codec_after, r.n, sign);
  };
  const fromRuns = async (range: TimeRange, sign = 1) => {
    const rows = await db
      .selectFrom("processing_stats")
      .where(runFilter(range, filter))
      .select(["video_source_codec as before", CODEC_AFTER.as("after"), (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy(["video_source_codec", CODEC_AFTER])
      .execute();
    for (const r of rows) add(r.before, r.after, r.n, sign);
  };
  const range = normalizeRange(filter);
  const read = (part: Part, sign = 1) => (part.source === "raw" ? fromRuns(part.range, sign) : fromRollup(part.range, part.source as TierSource, sign));
  const parts: Part[] = source === "auto" ? planParts(range, await retentionHorizon(db)) : [{ range, source: "raw" }];
  // Independent reads of exact counts (on PostgreSQL at once); a complement edge is its whole hour (day, month) less the rest of it.
  await Promise.all(parts.flatMap((part) => (part.source === "complement" ? [read(part.whole!), read(part.minus!, -1)] : [read(part)])));
  for (const [codec, share] of shares) if (share.before === 0 && share.after === 0) shares.delete(codec);
  return [...shares.values()].sort((a, b) => b.before + b.after - (a.before + a.after) || (a.codec < b.codec ? -1 : 1));
}

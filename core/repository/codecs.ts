import { sql } from "kysely";
import * as v from "valibot";
import type { Db } from "../db/handle.ts";
import { normalizeRange, num, runFilter } from "./_filters.ts";
import type { StatsFilter } from "./views.ts";

/** How many runs had a video codec before processing, and how many had it after. */
export const CodecShareSchema = v.object({
  codec: v.string(),
  before: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Runs whose input had this video codec")),
  after: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Runs whose output has it (the input's codec when not transcoded or failed)")),
});
export interface CodecShare extends v.InferOutput<typeof CodecShareSchema> {}

/**
 * The codec a run left the file with: the target when a transcode happened and the run
 * succeeded, otherwise the codec it came in with (a failed run leaves the original in place).
 */
const CODEC_AFTER = sql<string | null>`case when success = 1 and video_transcode_skipped = 0 and video_target_codec is not null
  then video_target_codec else video_source_codec end`;

/**
 * Video codec distribution before and after processing over a time window, optionally for one
 * policy: one row per codec, most frequent first (before + after, then name). Runs that
 * reported no video codec are left out. Scans processing_stats (no rollup holds codecs).
 *
 * @example await getCodecDistribution(db, { ...parseTimeRange({ since: "30d" }) })
 * // [{ codec: "h264", before: 120, after: 40 }, { codec: "hevc", before: 30, after: 110 }]
 */
export async function getCodecDistribution(db: Db, filter: StatsFilter = {}): Promise<CodecShare[]> {
  // One scan: count (before, after) pairs, then add them up per codec on each side.
  const pairs = await db
    .selectFrom("processing_stats")
    .where(runFilter(normalizeRange(filter), filter))
    .select(["video_source_codec as before", CODEC_AFTER.as("after"), (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["video_source_codec", CODEC_AFTER])
    .execute();
  const shares = new Map<string, CodecShare>();
  const entry = (codec: string) => shares.get(codec) ?? shares.set(codec, { codec, before: 0, after: 0 }).get(codec)!;
  for (const pair of pairs) {
    if (pair.before !== null) entry(pair.before).before += num(pair.n);
    if (pair.after !== null) entry(pair.after).after += num(pair.n);
  }
  return [...shares.values()].sort((a, b) => b.before + b.after - (a.before + a.after) || (a.codec < b.codec ? -1 : 1));
}

import * as v from "valibot";
import { COMPOSITION_DIMENSIONS, type Db, didYouMean, getLibrarySnapshots, snapshotLibraries, VpoError } from "../../core/mod.ts";

const share = v.object({ value: v.string(), files: v.number(), bytes: v.number() });

/** One day's composition of a library. */
export const CompositionSchema = v.object({
  day: v.pipe(v.string(), v.description("UTC day of the snapshot (the day's last scan)")),
  files: v.number(),
  bytes: v.number(),
  dimensions: v.pipe(
    v.record(v.string(), v.array(share)),
    v.description("Per dimension (container, video_codec, resolution, hdr, audio_codec, audio_language, subtitle_language): files and bytes per value, most files first"),
  ),
});
export interface Composition extends v.InferOutput<typeof CompositionSchema> {}

export const LibraryCompositionSchema = v.object({
  library: v.pipe(v.string(), v.description('The library ("" = every file known)')),
  /** The latest snapshot, or with trend every snapshot in the window, oldest first. */
  snapshots: v.array(CompositionSchema),
});
export interface LibraryComposition extends v.InferOutput<typeof LibraryCompositionSchema> {}

/**
 * A library's composition from its snapshots: the latest, or every day in the window (`trend`).
 * No snapshot yet is an empty list; a library other libraries have snapshots but this one has
 * none is NOT_FOUND, naming those that have some (most likely a typo).
 *
 * @example await getLibraryComposition(db, { library: "movies", trend: true, since: "2026-01-01" })
 */
export async function getLibraryComposition(db: Db, o: { library?: string; trend?: boolean; since?: string; until?: string } = {}): Promise<LibraryComposition> {
  const library = o.library ?? "";
  const rows = await getLibrarySnapshots(db, library, o.trend ? { since: o.since, until: o.until } : { latest: true });
  if (rows.length === 0) {
    const known = await snapshotLibraries(db);
    if (known.length > 0 && !known.includes(library)) {
      throw new VpoError("NOT_FOUND", `No snapshot of library "${library}"${didYouMean(library, known)}; libraries with snapshots: ${known.map((k) => k || '"" (every file)').join(", ")}`);
    }
  }
  const days = new Map<string, Composition>();
  for (const r of rows) {
    const day = days.get(r.day) ?? days.set(r.day, { day: r.day, files: 0, bytes: 0, dimensions: Object.fromEntries(COMPOSITION_DIMENSIONS.map((d) => [d, []])) }).get(r.day)!;
    if (r.dimension === "total") Object.assign(day, { files: r.files, bytes: r.bytes });
    else (day.dimensions[r.dimension] ??= []).push({ value: r.value, files: r.files, bytes: r.bytes });
  }
  return { library, snapshots: [...days.values()] };
}

/**
 * Checking an output before it may replace the original: ffprobe reads it, it has the planned
 * streams of each type with the planned codecs, and it lasts as long as the source (±1 s).
 */
import type { MediaInfo, StreamType } from "../core/mod.ts";
import { normalizeCodec } from "./policy/units.ts";
import type { MediaState } from "./plan/types.ts";

const TYPES: StreamType[] = ["video", "audio", "subtitle", "attachment"];
/** Longest the output may differ from the source in duration. */
export const DURATION_TOLERANCE_SECONDS = 1;

/** Problems found, as short phrases; empty when the output is what the plan says. */
export function verifyOutput(expected: MediaState, sourceDuration: number | null, actual: MediaInfo): string[] {
  const problems: string[] = [];
  for (const type of TYPES) {
    const want = expected.tracks.filter((t) => t.type === type).map((t) => normalizeCodec(t.codec));
    const got = actual.streams.filter((s) => s.type === type).map((s) => normalizeCodec(s.codec));
    if (want.length !== got.length) {
      problems.push(`${want.length} ${type} stream(s) planned, ${got.length} found`);
      continue;
    }
    want.forEach((codec, i) => {
      if (codec !== null && got[i] !== codec) problems.push(`${type} #${i + 1} is ${got[i] ?? "unknown"}, planned ${codec}`);
    });
  }
  if (sourceDuration !== null) {
    const d = actual.durationSeconds;
    if (d === null) problems.push("output has no readable duration");
    else if (Math.abs(d - sourceDuration) > DURATION_TOLERANCE_SECONDS) {
      problems.push(`duration ${d.toFixed(2)} s differs from the source's ${sourceDuration.toFixed(2)} s by more than ${DURATION_TOLERANCE_SECONDS} s`);
    }
  }
  return problems;
}

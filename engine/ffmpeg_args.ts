/**
 * The ffmpeg command line of one phase: map the tracks the phase keeps, copy what it does not
 * encode, and write the planned container with `-progress pipe:1` for live figures.
 */
import { type MediaInfo, type StreamType, VpoError } from "../core/mod.ts";
import { muxerFor } from "./plan/container.ts";
import type { PhasePlan } from "./plan/types.ts";

/**
 * Absolute stream indexes of `probed` for the phase's output tracks, matched by type and
 * position within the type: ffmpeg keeps the order of streams of one type, while absolute
 * indexes shift (Matroska lists attachments last, removed tracks close gaps).
 */
export function mapStreams(phase: PhasePlan, probed: MediaInfo): number[] {
  const byType = new Map<StreamType, number[]>();
  for (const s of probed.streams) byType.set(s.type, [...(byType.get(s.type) ?? []), s.index]);
  return phase.output.tracks.map((track) => {
    const sameType = phase.input.tracks.filter((t) => t.type === track.type);
    const ordinal = sameType.findIndex((t) => t.sourceIndex === track.sourceIndex);
    const index = byType.get(track.type)?.[ordinal];
    if (ordinal < 0 || index === undefined) {
      throw new VpoError(
        "VERIFY_FAILED",
        `Phase "${phase.name}": "${probed.path}" has ${byType.get(track.type)?.length ?? 0} ${track.type} stream(s), but the plan expects track ${track.sourceIndex} as ${track.type} #${ordinal + 1}`,
      );
    }
    return index;
  });
}

/** Full argv after the ffmpeg executable. */
export function phaseArgs(phase: PhasePlan, probed: MediaInfo, output: string): string[] {
  const indexes = mapStreams(phase, probed);
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-y", "-i", probed.path];
  for (const index of indexes) args.push("-map", `0:${index}`);
  args.push("-map_metadata", "0", "-map_chapters", "0", "-c", "copy");
  phase.output.tracks.forEach((track, n) => {
    const spec = phase.encodes.get(track.sourceIndex);
    if (!spec) return;
    args.push(`-c:${n}`, spec.encoder);
    for (const [flag, value] of spec.options) args.push(`${flag}:${n}`, value);
    if (spec.scaleHeight) args.push(`-filter:${n}`, `scale=-2:${spec.scaleHeight}`);
  });
  // Without a stream specifier it reaches the muxer too, which is where Opus-in-MP4 is gated.
  if ([...phase.encodes.values()].some((spec) => spec.experimental)) args.push("-strict", "experimental");
  // Sparse subtitle streams next to a slow encoder overflow ffmpeg's default mux queue.
  args.push("-max_muxing_queue_size", "4096", "-progress", "pipe:1", "-nostats", "-f", muxerFor(phase.output.ext), output);
  return args;
}

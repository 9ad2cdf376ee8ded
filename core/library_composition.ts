import type { MediaStream } from "./media.ts";

/**
 * What a library is made of: files and bytes by container, video codec, resolution, HDR, audio
 * codec, and audio and subtitle languages. A file counts once per distinct value it has in a
 * dimension (a file with English and Japanese audio counts under both), so single-valued
 * dimensions (container, video codec, resolution, HDR) add up to the total and the others need not.
 */

export const COMPOSITION_DIMENSIONS = ["container", "video_codec", "resolution", "hdr", "audio_codec", "audio_language", "subtitle_language"] as const;
export type CompositionDimension = (typeof COMPOSITION_DIMENSIONS)[number];

export const RESOLUTION_BUCKETS = ["SD", "720p", "1080p", "2160p"] as const;
export type ResolutionBucket = (typeof RESOLUTION_BUCKETS)[number];

/**
 * The resolution bucket of a picture: by width when known (a 1920×800 scope film is 1080p),
 * else by height. Thresholds sit between the standard sizes, so slightly cropped pictures stay
 * in their class.
 */
export function resolutionBucket(height: number | null | undefined, width?: number | null): ResolutionBucket | null {
  const h = height ?? 0;
  const w = width ?? 0;
  if (h <= 0 && w <= 0) return null;
  if (w >= 3200 || h >= 1800) return "2160p";
  if (w >= 1600 || h >= 900) return "1080p";
  if (w >= 1100 || h >= 650) return "720p";
  return "SD";
}

/** Transfer characteristics of HDR video: PQ (HDR10, HDR10+, Dolby Vision's base) and HLG. */
const HDR_TRANSFERS: Record<string, string> = { smpte2084: "HDR10 (PQ)", "arib-std-b67": "HLG" };

/** "HDR10 (PQ)", "HLG", "SDR", or "unknown" for a file scanned before vpo read color transfer. */
export function hdrOf(video: MediaStream | undefined): string {
  if (!video) return "no video";
  if (video.colorTransfer === undefined) return "unknown";
  return (video.colorTransfer && HDR_TRANSFERS[video.colorTransfer]) || "SDR";
}

/** The values one file has in each dimension. */
export function fileValues(container: string | null, streams: readonly MediaStream[]): Record<CompositionDimension, string[]> {
  const video = streams.find((s) => s.type === "video");
  const audio = streams.filter((s) => s.type === "audio");
  const subtitles = streams.filter((s) => s.type === "subtitle");
  const distinct = (values: string[], none: string) => (values.length === 0 ? [none] : [...new Set(values)]);
  const language = (s: MediaStream) => s.language?.trim().toLowerCase() || "und";
  return {
    container: [container ?? "unknown"],
    video_codec: [video ? (video.codec ?? "unknown") : "none"],
    resolution: [video ? (resolutionBucket(video.height, video.width) ?? "unknown") : "no video"],
    hdr: [hdrOf(video)],
    audio_codec: distinct(audio.map((s) => s.codec ?? "unknown"), "none"),
    audio_language: distinct(audio.map(language), "none"),
    subtitle_language: distinct(subtitles.map(language), "none"),
  };
}

/** Files and bytes per (dimension, value), plus ("total", ""). */
export interface CompositionCount {
  dimension: CompositionDimension | "total";
  value: string;
  files: number;
  bytes: number;
}

/** Adds files up into composition counts. */
export function createCompositionCounter() {
  const counts = new Map<string, CompositionCount>();
  const add = (dimension: CompositionCount["dimension"], value: string, bytes: number) => {
    const key = `${dimension}\u0000${value}`;
    const entry = counts.get(key) ?? counts.set(key, { dimension, value, files: 0, bytes: 0 }).get(key)!;
    entry.files += 1;
    entry.bytes += bytes;
  };
  return {
    add(file: { size_bytes: number; container: string | null; streams: readonly MediaStream[] }) {
      add("total", "", file.size_bytes);
      const values = fileValues(file.container, file.streams);
      for (const dimension of COMPOSITION_DIMENSIONS) for (const value of values[dimension]) add(dimension, value, file.size_bytes);
    },
    counts: (): CompositionCount[] => [...counts.values()],
  };
}

/**
 * What the core knows about a media file: plain data that an engine fills in.
 * The core never runs ffprobe itself; the engine injects a `probe` service into each run.
 */
export type StreamType = "video" | "audio" | "subtitle" | "attachment" | "data";

export interface MediaStream {
  index: number;
  type: StreamType;
  codec: string | null;
  language: string | null;
  title: string | null;
  isDefault: boolean;
  isForced: boolean;
  width?: number | null;
  height?: number | null;
  channels?: number | null;
  bitRate?: number | null;
  /** ffprobe's color_transfer (smpte2084 = PQ, arib-std-b67 = HLG); absent in files scanned before it was read. */
  colorTransfer?: string | null;
}

export interface MediaInfo {
  path: string;
  container: string | null;
  durationSeconds: number | null;
  bitRate: number | null;
  sizeBytes: number;
  streams: MediaStream[];
}

/** Reads a media file; rejects with a VpoError when the file cannot be read. */
export type ProbeFn = (path: string) => Promise<MediaInfo>;

/** Number of streams of one type. */
export function countStreams(info: MediaInfo, type: StreamType): number {
  return info.streams.filter((s) => s.type === type).length;
}

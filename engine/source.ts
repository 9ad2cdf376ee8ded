/**
 * The file a run starts from: its identity (to notice, just before replacing it, that someone
 * else changed it meanwhile) and its "before" facts (kept in the in-flight marker, so a run
 * recovered after a crash records the original's facts, not the new file's).
 */
import { statSync } from "node:fs";
import * as v from "valibot";
import { countStreams, type MediaInfo, partialHash, type ProbeFn } from "../core/mod.ts";

const whole = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Which file this is, and which version of it: device, inode, size and modification time. */
export const FileIdentitySchema = v.object({ dev: v.number(), ino: v.number(), size: whole, mtimeMs: v.number() });
export type FileIdentity = v.InferOutput<typeof FileIdentitySchema>;

/** What the record's "before" columns say, read by the engine itself at the start of the run. */
export const BeforeFactsSchema = v.object({
  identity: v.nullable(FileIdentitySchema),
  size: v.nullable(whole),
  /** core's partialHash, "sha256:<hex>". */
  hash: v.nullable(v.string()),
  video_codec: v.nullable(v.string()),
  audio_tracks: v.nullable(whole),
  subtitle_tracks: v.nullable(whole),
  attachments: v.nullable(whole),
  /** The probe of the original: a recovery shows it to the plugins as the file "before". */
  info: v.nullable(v.looseObject({ path: v.string(), streams: v.array(v.looseObject({ type: v.string() })) })),
});
export type BeforeFacts = Omit<v.InferOutput<typeof BeforeFactsSchema>, "info"> & { info: MediaInfo | null };

/** The identity of what is at `path` now (following symlinks), or null when nothing is. */
export function identityOf(path: string): FileIdentity | null {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? { dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs } : null;
}

/** Same file, same version. */
export function sameIdentity(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Same file (inode), whatever happened to its content. */
export function sameInode(a: FileIdentity | null, b: FileIdentity | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
}

export interface Source {
  path: string;
  /** The probe, or null when ffprobe cannot read the file (then `probeError` says why). */
  info: MediaInfo | null;
  probeError: unknown;
  before: BeforeFacts;
}

/**
 * Starts reading a file the engine will read soon — its probe and partial hash, each cached by the
 * file's state — so readSource then finds both done (`vpo run` while the database opens, a batch
 * the next file while this one runs). Failures are left to the run, which reads again.
 */
export function readAhead(probe: ProbeFn, path: string): void {
  probe(path).catch(() => {});
  partialHash(path).catch(() => {});
}

/** Reads the source once: identity, probe and partial hash. Never throws; what cannot be read is null. */
export async function readSource(probe: ProbeFn, path: string): Promise<Source> {
  const identity = identityOf(path);
  let info: MediaInfo | null = null;
  let probeError: unknown = null;
  // The hash is read while ffprobe runs.
  const hashing = identity ? partialHash(path).catch(() => null) : Promise.resolve(null);
  try {
    info = await probe(path);
  } catch (error) {
    probeError = error;
  }
  const hash = await hashing;
  return {
    path,
    info,
    probeError,
    before: {
      identity,
      size: identity?.size ?? null,
      hash,
      video_codec: info ? (info.streams.find((s) => s.type === "video")?.codec ?? null) : null,
      audio_tracks: info ? countStreams(info, "audio") : null,
      subtitle_tracks: info ? countStreams(info, "subtitle") : null,
      attachments: info ? countStreams(info, "attachment") : null,
      info,
    },
  };
}

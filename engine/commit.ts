/**
 * The commit point of a run: the verified output replaces the original. Before the rename the
 * whole run is made durable (the in-flight marker gets the pending run, or failing that an
 * fsynced spool line does), the caller may veto (a queue worker that lost its lease), and the
 * source must still be the file the run started from. Any "no" leaves the original untouched.
 */
import { closeSync, copyFileSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from "node:fs";
import { open, unlink } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import { type ActiveRun, errorMessage, type InFlightMarker, trace, updateInFlight, VpoError } from "../core/mod.ts";
import type { PendingRun } from "./in_flight.ts";
import type { Engine } from "./session.ts";
import { identityOf, sameIdentity, type Source } from "./source.ts";
import { appendToSpool } from "./spool.ts";

const log = getLogger(["vpo", "engine"]);

/** `movie.mkv` → `movie.orig.mkv`. */
export function backupPathFor(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.orig${ext}`);
}

/** Asked right before the original is replaced; false means "not any more" (e.g. a lost lease). */
export type MayReplace = () => boolean | Promise<boolean>;

export interface CommitOptions {
  engine: Engine;
  run: ActiveRun;
  /** The run's marker as written at the start (a spool line repeats it when the database refuses the update). */
  marker: Omit<InFlightMarker, "pending" | "childPid" | "phase">;
  source: Source;
  output: string;
  finalPath: string;
  keepBackup: boolean;
  pending: Omit<PendingRun, "at" | "final_path" | "output_path" | "output" | "backup_path">;
  mayReplace?: MayReplace;
}

/** fsync of a file or directory, so a rename is not on disk before the data it points to. */
function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a file on the thread pool: the event loop goes on (the pending run is written meanwhile). */
async function fsyncInBackground(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The name the original keeps across the rename (a temp file of the run: a recovery removes it). */
export const heldOriginalPath = (tempPrefix: string): string => `${tempPrefix}.replaced`;

/**
 * A second name for the original, so that the rename over it (or the removal of its old name)
 * does not free its blocks on the way: for a large file that is tens of ms (25–60 ms for 50 MB on
 * ext4). Null when the file system cannot link; then the rename frees it, as it always did.
 */
function holdOriginal(file: string, tempPrefix: string): string | null {
  const held = heldOriginalPath(tempPrefix);
  try {
    linkSync(file, held);
    return held;
  } catch {
    return null;
  }
}

/** What the commit leaves running: the original's blocks being freed, off the run's path. */
export interface Committed {
  /** Settles (never rejects) once the original's last name is gone. */
  released: Promise<void>;
}

/** Makes the pending run durable in the marker, else in the spool; throws (the original stays) when neither works. */
async function makeDurable(o: CommitOptions, pending: PendingRun): Promise<void> {
  const file = o.source.path;
  try {
    await updateInFlight(o.engine.db, o.marker.runId, { phase: "replace", childPid: null, pending });
    return;
  } catch (dbError) {
    try {
      appendToSpool(o.engine.spoolPath, { in_flight: { ...o.marker, childPid: null, phase: "replace", pending } });
    } catch (spoolError) {
      throw new VpoError(
        "DB_ERROR",
        `Cannot make the run durable before replacing the file (database: ${errorMessage(dbError)}; spool ${o.engine.spoolPath}: ${errorMessage(spoolError)}); "${file}" was left untouched`,
      );
    }
  }
}

/**
 * Replaces the original with the verified output (see the module comment). Throws only before
 * the rename, the original untouched; once the rename happened it never throws.
 */
export async function commitReplace(o: CommitOptions): Promise<Committed> {
  const file = o.source.path;
  const output = identityOf(o.output);
  const backup = o.keepBackup ? backupPathFor(file) : null;
  // While the disk syncs the output: ffprobe reads it (the plugins' "after" needs it; carried
  // across the rename below, so it is not probed twice) and the pending run is written.
  const settled = (p: Promise<unknown>) => p.then(() => null, (error: unknown) => error);
  const syncing = settled(fsyncInBackground(o.output));
  const probing = o.engine.probe(o.output).catch(() => null);
  const durable = output
    ? settled(makeDurable(o, { ...o.pending, at: new Date().toISOString(), final_path: o.finalPath, output_path: o.output, output, backup_path: backup }))
    : new VpoError("VERIFY_FAILED", `The verified output "${o.output}" disappeared; "${file}" was left untouched`);
  const [durableError, syncError] = await Promise.all([durable, syncing, probing]);
  if (durableError) throw durableError;
  if (syncError) throw syncError; // an output not on disk must not replace the original
  trace("commit: output fsynced, pending run durable");

  if (o.mayReplace && !(await o.mayReplace())) {
    throw new VpoError("INTERRUPTED", `Not allowed to replace "${file}" any more (the work was taken away, e.g. a lost lease); "${file}" was left untouched`);
  }
  const now = identityOf(file);
  if (!sameIdentity(now, o.source.before.identity)) {
    throw new VpoError(
      "VERIFY_FAILED",
      `Source changed during processing: "${file}" was ${now ? "replaced or modified" : "deleted"} by something else meanwhile; ${now ? "the current file was kept" : "nothing was put in its place"} and this run's output discarded`,
    );
  }
  if (backup) {
    try {
      linkSync(file, backup); // instant, and the original's bytes are never copied or moved
    } catch {
      copyFileSync(file, backup);
    }
  }
  // A backup is a second name already.
  const held = backup ? null : holdOriginal(file, o.marker.tempPrefix);
  const carryProbe = o.engine.probe.renaming(o.output);
  try {
    renameSync(o.output, o.finalPath);
  } catch (error) {
    if (held) rmSync(held, { force: true });
    throw error;
  }
  // Committed: from here on nothing throws, the run is the completed run whatever follows.
  carryProbe(o.finalPath);
  if (o.finalPath !== file) {
    o.run.moveTo(o.finalPath);
    try {
      rmSync(file, { force: true }); // the new file is in place first: never a moment with neither
    } catch (error) {
      log.warn("Replaced {file} by {final_path} but cannot remove the old name: {error}", { file, final_path: o.finalPath, error: errorMessage(error) });
    }
  }
  try {
    fsyncPath(dirname(o.finalPath));
  } catch (error) {
    log.warn("Cannot fsync {dir} after replacing {file}: {error}", { dir: dirname(o.finalPath), file, error: errorMessage(error) });
  }
  const released = held
    ? unlink(held).catch((error: unknown) => log.warn("Cannot remove {held}, the replaced original: {error}", { held, error: errorMessage(error) }))
    : Promise.resolve();
  return { released };
}

/**
 * The commit point of a run: the verified output replaces the original. Before the rename the
 * whole run is made durable (the in-flight marker gets the pending run, or failing that an
 * fsynced spool line does), the caller may veto (a queue worker that lost its lease), and the
 * source must still be the file the run started from. Any "no" leaves the original untouched.
 */
import { closeSync, copyFileSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import { type ActiveRun, errorMessage, type InFlightMarker, updateInFlight, VpoError } from "../core/mod.ts";
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
export async function commitReplace(o: CommitOptions): Promise<void> {
  const file = o.source.path;
  fsyncPath(o.output);
  const output = identityOf(o.output);
  if (!output) throw new VpoError("VERIFY_FAILED", `The verified output "${o.output}" disappeared; "${file}" was left untouched`);
  const backup = o.keepBackup ? backupPathFor(file) : null;
  await makeDurable(o, { ...o.pending, at: new Date().toISOString(), final_path: o.finalPath, output_path: o.output, output, backup_path: backup });

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
  renameSync(o.output, o.finalPath);
  // Committed: from here on nothing throws, the run is the completed run whatever follows.
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
}

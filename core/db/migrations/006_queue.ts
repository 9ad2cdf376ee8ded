import type { Migration } from "./_types.ts";

/**
 * Several machines on one queue: an in-flight marker names its file the same way on every
 * machine (library + path inside it, or the absolute path), and one file has at most one run in
 * flight across all of them (a unique index, so two writers cannot both start). A marker also
 * carries its policy's digest (a run recovered after its commit point counts as processed
 * by that policy). A queue job's marker carries the job and attempt it works for, a heartbeat (so another machine can tell
 * that its owner is gone) and the progress every `vpo serve` shows.
 */
export const queueMarkers: Migration = {
  version: 6,
  name: "one run in flight per file, queue leases and progress on markers",
  async up(db, t) {
    for (const col of ["file_key", "library", "library_path", "queue_job_id", "heartbeat_at", "policy_digest"]) {
      await db.schema.alterTable("runs_in_flight").addColumn(col, t.text).execute();
    }
    await db.schema.alterTable("runs_in_flight").addColumn("queue_attempt", "integer").execute();
    for (const col of ["progress_percent", "progress_speed", "progress_fps", "progress_eta_seconds"]) {
      await db.schema.alterTable("runs_in_flight").addColumn(col, t.seconds).execute();
    }
    // NULL for markers written before this version: unique indexes let NULLs repeat.
    await db.schema.createIndex("runs_in_flight_file_key").unique().on("runs_in_flight").column("file_key").execute();
  },
};

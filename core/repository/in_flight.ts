/**
 * In-flight markers: one `runs_in_flight` row per file being processed, written before the file
 * is touched and removed once its run is stored. A row whose process is gone means that process
 * died mid-run; the next start records the run from what the row carries. The `before` and
 * `pending` payloads are JSON defined by the engine; the core stores them as given.
 */
import type { Db } from "../db/handle.ts";

/** A marker as stored; `before` and `pending` are the engine's JSON payloads (null when absent or unreadable). */
export interface InFlightMarker {
  runId: string;
  filePath: string;
  /** Every temp file of the run starts with this path. */
  tempPrefix: string;
  policyName: string;
  jobId: string | null;
  host: string;
  /** The vpo process doing the work. */
  pid: number;
  /** The child (ffmpeg, a command) running for it, if any. */
  childPid: number | null;
  phase: string | null;
  sizeBefore: number | null;
  startedAt: string;
  before: unknown;
  pending: unknown;
  /** The node doing the work. */
  node?: string | null;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Persists a new marker; must happen before any temp file is written. */
export async function insertInFlight(db: Db, m: Omit<InFlightMarker, "childPid" | "phase" | "pending">): Promise<void> {
  await db
    .insertInto("runs_in_flight")
    .values({
      run_id: m.runId, file_path: m.filePath, temp_prefix: m.tempPrefix, policy_name: m.policyName, job_id: m.jobId, host: m.host, pid: m.pid,
      child_pid: null, phase: null, size_before: m.sizeBefore, started_at: m.startedAt, before_facts: json(m.before), pending_run: null, node: m.node ?? null,
    })
    .execute();
}

/**
 * Notes the phase and child now running, or (at the commit point) the pending run. Throws when
 * the marker does not exist: a caller relying on it for durability must know.
 */
export async function updateInFlight(db: Db, runId: string, patch: { phase?: string | null; childPid?: number | null; pending?: unknown }): Promise<void> {
  const set: { phase?: string | null; child_pid?: number | null; pending_run?: string | null } = {};
  if (patch.phase !== undefined) set.phase = patch.phase;
  if (patch.childPid !== undefined) set.child_pid = patch.childPid;
  if (patch.pending !== undefined) set.pending_run = json(patch.pending);
  const result = await db.updateTable("runs_in_flight").set(set).where("run_id", "=", runId).executeTakeFirst();
  // The pending run must outlive a power cut: SQLite writers commit with synchronous=FULL
  // (core/db/sqlite/open.ts), PostgreSQL syncs its WAL at commit.
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`no in-flight marker for run ${runId}`);
}

/** Removes a marker (its run is stored). */
export async function deleteInFlight(db: Db, runId: string): Promise<void> {
  await db.deleteFrom("runs_in_flight").where("run_id", "=", runId).execute();
}

/** Every marker written on `host`, oldest first. */
export async function listInFlight(db: Db, host: string): Promise<InFlightMarker[]> {
  const rows = await db.selectFrom("runs_in_flight").selectAll().where("host", "=", host).orderBy("started_at").execute();
  return rows.map((r) => ({
    runId: r.run_id, filePath: r.file_path, tempPrefix: r.temp_prefix, policyName: r.policy_name, jobId: r.job_id, host: r.host, pid: r.pid,
    childPid: r.child_pid, phase: r.phase, sizeBefore: r.size_before, startedAt: r.started_at, before: parsed(r.before_facts), pending: parsed(r.pending_run),
  }));
}

/**
 * Takes over the marker of a dead process: true when this caller now owns it, false when another
 * process claimed it first. Two commands starting at once therefore never record the same run twice.
 */
export async function claimInFlight(db: Db, runId: string, deadPid: number, newPid: number): Promise<boolean> {
  const result = await db.updateTable("runs_in_flight").set({ pid: newPid }).where("run_id", "=", runId).where("pid", "=", deadPid).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Whether a run with this id is stored (run ids are primary keys: a run is never stored twice). */
export async function isRunStored(db: Db, runId: string): Promise<boolean> {
  return (await db.selectFrom("processing_stats").select("id").where("id", "=", runId).executeTakeFirst()) !== undefined;
}

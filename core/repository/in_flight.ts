/**
 * In-flight markers: one `runs_in_flight` row per file being processed, written before the file
 * is touched and removed once its run is stored. A row whose process is gone means that process
 * died mid-run; the next start records the run from what the row carries. The `before` and
 * `pending` payloads are JSON defined by the engine; the core stores them as given.
 */
import type { Selectable } from "kysely";
import type { Db } from "../db/handle.ts";
import type { RunsInFlightTable } from "../db/schema.ts";
import { moveFileRow, type ScannedFile, upsertFileRows } from "./files.ts";

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
  /** The file as every machine names it (see fileKeyFor in engine/in_flight.ts); one run in flight per key. */
  fileKey?: string | null;
  library?: string | null;
  libraryPath?: string | null;
  /** The queue job and attempt the run works for (a `vpo worker` run). */
  queueJob?: { id: string; attempt: number } | null;
  /** The owner's last sign of life (queue workers write it every few seconds). */
  heartbeatAt?: string | null;
  /** The digest of the policy the run applies. */
  policyDigest?: string | null;
}

type MarkerRow = Selectable<RunsInFlightTable>;
const markerRows = (db: Db) => db.selectFrom("runs_in_flight").selectAll();

function toMarker(r: MarkerRow): InFlightMarker {
  return {
    runId: r.run_id, filePath: r.file_path, tempPrefix: r.temp_prefix, policyName: r.policy_name, jobId: r.job_id, host: r.host, pid: r.pid,
    childPid: r.child_pid, phase: r.phase, sizeBefore: r.size_before, startedAt: r.started_at, before: parsed(r.before_facts), pending: parsed(r.pending_run),
    node: r.node, fileKey: r.file_key, library: r.library, libraryPath: r.library_path,
    queueJob: r.queue_job_id === null ? null : { id: r.queue_job_id, attempt: r.queue_attempt ?? 0 }, heartbeatAt: r.heartbeat_at,
    policyDigest: r.policy_digest,
  };
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
      file_key: m.fileKey ?? null, library: m.library ?? null, library_path: m.libraryPath ?? null,
      queue_job_id: m.queueJob?.id ?? null, queue_attempt: m.queueJob?.attempt ?? null, heartbeat_at: m.heartbeatAt ?? null,
      policy_digest: m.policyDigest ?? null,
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

/**
 * Deletes a stored run's marker and, when the run replaced its file, moves the file's row to the
 * file's new path and refreshes it, in one transaction (one commit, not three, on every changed file).
 */
export async function settleInFlight(db: Db, runId: string, replaced?: { from: string; file: ScannedFile }): Promise<void> {
  if (!replaced) return deleteInFlight(db, runId);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("runs_in_flight").where("run_id", "=", runId).execute();
    await moveFileRow(trx, replaced.from, replaced.file.path);
    await upsertFileRows(trx, [replaced.file]);
  });
}

/** Every marker written on `host` (every marker when no host is given), oldest first. */
export async function listInFlight(db: Db, host?: string): Promise<InFlightMarker[]> {
  let query = markerRows(db);
  if (host !== undefined) query = query.where("host", "=", host);
  return (await query.orderBy("started_at").execute()).map(toMarker);
}

/** The marker of the run in flight on the file with this key, if any. */
export async function findInFlightByKey(db: Db, fileKey: string): Promise<InFlightMarker | null> {
  const row = await markerRows(db).where("file_key", "=", fileKey).executeTakeFirst();
  return row ? toMarker(row) : null;
}

/**
 * Takes over the marker of a dead process: true when this caller now owns it, false when another
 * process claimed it first. Two commands starting at once therefore never record the same run twice.
 * `host` also requires the marker to be of that host (pids of different machines may be equal).
 */
export async function claimInFlight(db: Db, runId: string, deadPid: number, newPid: number, host?: string): Promise<boolean> {
  let update = db.updateTable("runs_in_flight").set({ pid: newPid }).where("run_id", "=", runId).where("pid", "=", deadPid);
  if (host !== undefined) update = update.where("host", "=", host);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How far a run is, as its owner last wrote it (percent of the current phase, speed ×realtime, fps, seconds left). */
export interface RunProgress {
  percent: number | null;
  speed: number | null;
  fps: number | null;
  etaSeconds: number | null;
}

/**
 * Notes the run's progress and that its owner is alive (`heartbeat_at`). Quietly does nothing
 * when the marker is not written yet or already gone: progress is a courtesy, not a record.
 */
export async function noteInFlightProgress(db: Db, runId: string, progress: RunProgress | null, at: string): Promise<void> {
  await db
    .updateTable("runs_in_flight")
    .set({
      heartbeat_at: at,
      ...(progress ? { progress_percent: progress.percent, progress_speed: progress.speed, progress_fps: progress.fps, progress_eta_seconds: progress.etaSeconds } : {}),
    })
    .where("run_id", "=", runId)
    .execute();
}

/** Whether a run with this id is stored (run ids are primary keys: a run is never stored twice). */
export async function isRunStored(db: Db, runId: string): Promise<boolean> {
  return (await db.selectFrom("processing_stats").select("id").where("id", "=", runId).executeTakeFirst()) !== undefined;
}

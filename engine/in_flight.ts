/**
 * In-flight markers: a `runs_in_flight` row is written before a file is touched and removed
 * once its run is recorded. A row whose process is gone means that process was killed
 * (SIGKILL, power loss) mid-run: the next start removes its temp files, stops an orphaned
 * ffmpeg, and records the run as interrupted.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { type Db, errorMessage, runCapture, type RunRecord, updateJob, VpoError } from "../core/mod.ts";
import type { Engine } from "./session.ts";

export interface InFlightMarker {
  runId: string;
  filePath: string;
  tempPrefix: string;
  policyName: string;
  jobId: string | null;
  sizeBefore: number | null;
}

/** Persists the marker; must happen before any temp file is written. */
export async function markInFlight(db: Db, m: InFlightMarker): Promise<void> {
  await db
    .insertInto("runs_in_flight")
    .values({
      run_id: m.runId, file_path: m.filePath, temp_prefix: m.tempPrefix, policy_name: m.policyName, job_id: m.jobId,
      host: hostname(), pid: process.pid, child_pid: null, phase: null, size_before: m.sizeBefore, started_at: new Date().toISOString(),
    })
    .execute();
}

/** Notes the phase (and ffmpeg child) now running. */
export async function updateInFlight(db: Db, runId: string, patch: { phase?: string; child_pid?: number | null }): Promise<void> {
  await db.updateTable("runs_in_flight").set(patch).where("run_id", "=", runId).execute();
}

export async function clearInFlight(db: Db, runId: string): Promise<void> {
  await db.deleteFrom("runs_in_flight").where("run_id", "=", runId).execute();
}

/** Deletes every file whose path starts with `prefix` (a run's temp files); returns their names. */
export function removeTempFiles(prefix: string): string[] {
  const dir = dirname(prefix);
  if (!existsSync(dir)) return [];
  const stem = basename(prefix);
  const found = readdirSync(dir).filter((name) => name.startsWith(stem));
  for (const name of found) rmSync(join(dir, name), { force: true });
  return found;
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** Kills an orphaned ffmpeg, but only when its command line proves it is writing this run's temp file. */
function stopOrphan(pid: number | null, tempPrefix: string): void {
  if (!pid || !isAlive(pid)) return;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(tempPrefix)) process.kill(pid, "SIGKILL");
  } catch {
    // no /proc (not Linux) or the process just ended: nothing to stop
  }
}

export interface RecoveredRun {
  record: RunRecord;
  removedTempFiles: string[];
}

/**
 * Finds markers left by dead vpo processes on this host and turns each into an interrupted run
 * (through the capture runner, so plugins record the file as it is now). Markers of live
 * processes — another vpo working right now — are left alone.
 */
export async function recoverInterruptedRuns(engine: Engine, db: Db): Promise<RecoveredRun[]> {
  const markers = await db.selectFrom("runs_in_flight").selectAll().where("host", "=", hostname()).execute();
  const recovered: RecoveredRun[] = [];
  for (const m of markers) {
    if (m.pid !== process.pid && isAlive(m.pid)) continue;
    const stored = await db.selectFrom("processing_stats").select("id").where("id", "=", m.run_id).executeTakeFirst();
    if (stored) {
      // Killed between storing the run and removing its marker: the record is complete.
      removeTempFiles(m.temp_prefix);
      await clearInFlight(db, m.run_id);
      continue;
    }
    stopOrphan(m.child_pid, m.temp_prefix);
    const removedTempFiles = removeTempFiles(m.temp_prefix);
    const where = m.phase === "replace" ? "while replacing the file (the new file may already be in place)" : m.phase ? `during phase "${m.phase}"` : "before its first phase";
    const reason = `Interrupted: vpo (pid ${m.pid}) stopped ${where} without finishing — killed or crashed; found on the next start at ${new Date().toISOString()}` +
      `${m.phase === "replace" ? "" : `; "${m.file_path}" was left untouched`}${removedTempFiles.length ? ` and ${removedTempFiles.length} temp file(s) removed` : ""}`;
    const record = await runCapture(engine.capture, { id: m.run_id, filePath: m.file_path, policyName: m.policy_name, jobId: m.job_id }, async () => {
      throw new VpoError("INTERRUPTED", reason);
    });
    try {
      await engine.record(record);
    } finally {
      await clearInFlight(db, m.run_id);
    }
    if (m.job_id) await closeOrphanedJob(db, m.job_id, reason);
    recovered.push({ record, removedTempFiles });
  }
  return recovered;
}

async function closeOrphanedJob(db: Db, jobId: string, reason: string): Promise<void> {
  const job = await db.selectFrom("jobs").select("status").where("id", "=", jobId).executeTakeFirst();
  if (job?.status !== "running") return;
  try {
    await updateJob(db, jobId, { status: "cancelled", error: reason });
  } catch (error) {
    throw new VpoError("DB_ERROR", `Cannot close job ${jobId}: ${errorMessage(error)}`);
  }
}

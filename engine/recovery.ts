/**
 * Finishing what an earlier vpo left unrecorded, at the start of every scan, process and run:
 *
 * 1. the spool — runs the database refused (stored now, skipping any already stored: run ids
 *    are primary keys) and in-flight markers written there at a commit point;
 * 2. in-flight markers of dead processes on this host;
 * 3. for queue workers (takeOverFile, recoverAbandonedRuns): markers of another machine whose owner
 *    stopped sending heartbeats — a dead node's temp files are removed through this machine's
 *    mount of the same library, its run recorded.
 *
 * A run found before its commit point is recorded as interrupted (its original untouched, its
 * temp files removed, an orphaned child stopped). A run found after it — the output's inode is
 * at the final path — is a completed run: the outcome, actions and phases of the pending run,
 * the "before" facts from the marker, the "after" facts of the file as it is now.
 */
import { rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import * as v from "valibot";
import {
  claimInFlight, deleteInFlight, errorMessage, findInFlightByKey, type InFlightMarker, isRunStored, listInFlight, type MediaInfo, normalizeRunRecord, libraryOf, pathInLibrary,
  type ProbeFn, getJob, recordRun, type RunRecord, updateJob,
} from "../core/mod.ts";
import { isAlive } from "../core/mod.ts";
import { type InFlightRun, inFlightRun, removeTempFiles, stopOrphan, tempPrefixFor } from "./in_flight.ts";
import type { Engine, Stored } from "./session.ts";
import { identityOf, sameIdentity, sameInode } from "./source.ts";
import { appendToSpool, claimSpool, readSpoolFile } from "./spool.ts";

export interface RecoveredRun {
  record: RunRecord;
  removedTempFiles: string[];
  /** A marker of a dead process, or the spool. */
  from: "marker" | "spool";
  /** Whether the run had replaced its file (then it is recorded as the completed run it was). */
  committed: boolean;
  stored: Stored;
}

export interface Recovery {
  recovered: RecoveredRun[];
  /** What could not be recovered now (it is tried again at the next start) or was unreadable; one line each. */
  problems: string[];
}

const MarkerSchema = v.looseObject({
  runId: v.string(), filePath: v.string(), tempPrefix: v.string(), policyName: v.string(), jobId: v.nullable(v.string()), host: v.string(),
  pid: v.number(), childPid: v.nullable(v.number()), phase: v.nullable(v.string()), sizeBefore: v.nullable(v.number()), startedAt: v.string(),
});

/** Whether the pending run's output is at its final path, i.e. the rename happened. */
function isCommitted(m: InFlightRun): boolean {
  return m.pending !== null && sameInode(identityOf(m.pending.final_path), m.pending.output);
}

/**
 * A capture of the run as it is now, showing the plugins the original as it was (from the
 * marker's probe, behind a path that does not exist, so the size and hash plugins find nothing)
 * and, after, the file at `path`. The record's "before" facts are then set from the marker.
 */
async function capture(engine: Engine, m: InFlightRun, path: string, outcome: { success: boolean; status: "success" | "failed" | "interrupted"; error: string | null }): Promise<RunRecord> {
  const info = m.before?.info ?? null;
  const placeholder = info ? `${m.tempPrefix}.before` : null;
  const probe: ProbeFn = (p) => (p === placeholder ? Promise.resolve({ ...(info as MediaInfo), path: p }) : engine.probe(p));
  const run = await engine.captureWith(probe).begin({
    id: m.runId, filePath: placeholder ?? path, policyName: m.policyName, jobId: m.jobId, intent: m.pending?.intent ?? {}, phasesTotal: m.pending?.phases_total,
    // The run is the owner's: its machine, library and policy, not the recovering one's.
    node: m.node ?? null, library: m.library ?? libraryOf(path, engine.libraries)?.library ?? null, policyDigest: m.policyDigest ?? null,
  });
  run.moveTo(path);
  for (const action of m.pending && outcome.status !== "interrupted" ? m.pending.actions : []) await run.action(action);
  const raw = await run.finish({ success: outcome.success, status: outcome.status, error: outcome.error ?? undefined });
  const b = m.before;
  const p = outcome.status === "interrupted" ? null : m.pending;
  return normalizeRunRecord({
    ...raw,
    // Derived again from the corrected facts.
    size_change: undefined, audio_tracks_removed: undefined, subtitle_tracks_removed: undefined, attachments_removed: undefined, total_changes: undefined,
    ...(b ? {
      size_before: b.size, hash_before: b.hash, video_source_codec: b.video_codec,
      audio_tracks_before: b.audio_tracks, subtitle_tracks_before: b.subtitle_tracks, attachments_before: b.attachments,
    } : {}),
    ...(p ? { processed_at: p.at, phases: p.phases, phases_completed: p.phases_completed, phases_total: p.phases_total, duration_seconds: p.duration_seconds } : {}),
    // Measured during the recovery, not during the run (timings, the new file as "before"): not kept.
    plugin_metrics: {},
  }, `Cannot assemble the recovered run of "${path}"`);
}

/** Records one unfinished run (see the module comment) and removes its marker. Throws when the run could not be stored anywhere. */
async function recoverRun(engine: Engine, m: InFlightRun, from: RecoveredRun["from"]): Promise<RecoveredRun> {
  stopOrphan(m.childPid, m.tempPrefix);
  const committed = isCommitted(m);
  const original = m.before?.identity ?? null;
  if (committed && m.pending!.final_path !== m.filePath && sameIdentity(identityOf(m.filePath), original)) {
    rmSync(m.filePath, { force: true }); // a container change stopped between the rename and removing the old name
  }
  if (!committed && m.pending?.backup_path && sameInode(identityOf(m.pending.backup_path), original)) {
    rmSync(m.pending.backup_path, { force: true }); // --keep-backup's link to an original that was not replaced after all
  }
  const removedTempFiles = removeTempFiles(m.tempPrefix);
  let record: RunRecord;
  if (committed) {
    record = await capture(engine, m, m.pending!.final_path, m.pending!.outcome);
  } else {
    const where = m.phase === "replace" ? "while replacing the file" : m.phase ? `during phase "${m.phase}"` : "before its first phase";
    // Killed or crashed, usually; or its record fit neither in the database nor in the spool (a full disk).
    const who = m.host === hostname() ? `pid ${m.pid}` : `${m.node ? `node ${m.node}, ` : ""}host ${m.host}, pid ${m.pid}`;
    const reason = `Interrupted: vpo (${who}) stopped ${where} without finishing — killed or crashed, or unable to store the run; found on the next start at ${new Date().toISOString()}` +
      `; "${m.filePath}" was left untouched${removedTempFiles.length ? ` and ${removedTempFiles.length} temp file(s) removed` : ""}`;
    record = await capture(engine, m, m.filePath, { success: false, status: "interrupted", error: reason });
  }
  const stored = await engine.record(record);
  await deleteInFlight(engine.db, m.runId).catch(() => {});
  if (m.jobId) await closeOrphanedJob(engine, m.jobId, m);
  return { record, removedTempFiles, from, committed, stored };
}

async function closeOrphanedJob(engine: Engine, jobId: string, m: InFlightRun): Promise<void> {
  const job = await getJob(engine.db, jobId).catch(() => null);
  if (job?.status !== "running") return;
  await updateJob(engine.db, jobId, { status: "cancelled", error: `vpo (pid ${m.pid}) stopped before finishing this job — killed or crashed; found on the next start while recording its run of "${m.filePath}"` });
}

/** Replays the spool (see the module comment); returns the ids of runs left there because the database still refuses them. */
async function replaySpool(engine: Engine, out: Recovery, busy: ReadonlySet<string> = new Set()): Promise<Set<string>> {
  const waiting = new Set<string>();
  const keep: unknown[] = [];
  const claimed = claimSpool(engine.spoolPath);
  const lines = claimed.flatMap((file) => readSpoolFile(file));
  for (const l of lines) if ("problem" in l) out.problems.push(`${engine.spoolPath}: ${l.problem}`);
  const entries = lines.flatMap((l) => ("entry" in l ? [l.entry] : []));
  // Whole runs first: a run's record supersedes the in-flight line written at its commit point.
  for (const entry of entries.filter((e) => !("in_flight" in e))) {
    let run: RunRecord;
    try {
      run = normalizeRunRecord(entry, "Spooled run");
    } catch (error) {
      out.problems.push(`${engine.spoolPath}: a spooled run is invalid and was dropped: ${errorMessage(error)}`);
      continue;
    }
    if (waiting.size > 0 || !(await storeOnce(engine, run, out))) {
      keep.push(run);
      waiting.add(run.id);
    }
  }
  for (const entry of entries.filter((e) => "in_flight" in e)) {
    const parsed = v.safeParse(MarkerSchema, entry.in_flight);
    if (!parsed.success) {
      out.problems.push(`${engine.spoolPath}: an in-flight line is invalid and was dropped`);
      continue;
    }
    const m = inFlightRun(parsed.output as unknown as InFlightMarker);
    if (waiting.has(m.runId) || (await isRunStored(engine.db, m.runId).catch(() => false))) continue;
    if (m.host !== hostname() || (m.pid !== process.pid && isAlive(m.pid)) || busy.has(m.runId)) {
      keep.push(entry); // its process is still at work (or on another machine, or it is this process's run in flight)
      continue;
    }
    try {
      out.recovered.push(await recoverRun(engine, m, "spool"));
    } catch (error) {
      out.problems.push(`Cannot record the unfinished run ${m.runId} of "${m.filePath}" yet: ${errorMessage(error)}`);
      keep.push(entry);
      waiting.add(m.runId);
    }
  }
  try {
    for (const entry of keep) appendToSpool(engine.spoolPath, entry);
    for (const file of claimed) rmSync(file, { force: true });
  } catch (error) {
    // The claimed files stay; the next start claims them again (and skips what is stored by then).
    out.problems.push(`Cannot rewrite ${engine.spoolPath}: ${errorMessage(error)}; its runs are kept for the next start`);
  }
  return waiting;
}

/** Stores a spooled run unless it is stored already; false when the database still refuses it. */
async function storeOnce(engine: Engine, run: RunRecord, out: Recovery): Promise<boolean> {
  try {
    if (await isRunStored(engine.db, run.id)) return true;
    await recordRun(engine.db, run);
  } catch (error) {
    out.problems.push(`Cannot store the spooled run ${run.id} yet: ${errorMessage(error)}; it stays in ${engine.spoolPath}`);
    return false;
  }
  out.recovered.push({ record: run, removedTempFiles: [], from: "spool", committed: false, stored: { in: "database" } });
  return true;
}

/**
 * Stores what waits in the spool while this process is at work (a worker, once the database
 * answers again): whole runs, and commit-point lines of dead processes — not those of `busy`,
 * the runs this process has in flight.
 */
export async function replaySpoolNow(engine: Engine, busy: ReadonlySet<string>): Promise<Recovery> {
  const out: Recovery = { recovered: [], problems: [] };
  await replaySpool(engine, out, busy);
  return out;
}

/**
 * Records every run an earlier vpo left unrecorded (see the module comment). Markers of live
 * processes — another vpo at work right now — are left alone. Never throws for one run: what
 * cannot be recorded yet is reported in `problems` and tried again at the next start.
 */
export async function recoverUnfinishedRuns(engine: Engine): Promise<Recovery> {
  const out: Recovery = { recovered: [], problems: [] };
  const waiting = await replaySpool(engine, out);
  for (const marker of await listInFlight(engine.db, hostname())) {
    if (marker.pid !== process.pid && isAlive(marker.pid)) continue;
    if (waiting.has(marker.runId)) continue; // its record waits in the spool
    await recoverMarker(engine, marker, out);
  }
  return out;
}

/**
 * Claims a dead owner's marker and records its run (unless another process claimed it first);
 * a problem is reported in `out`, never thrown. Returns the run recorded, if any.
 */
async function recoverMarker(engine: Engine, marker: InFlightMarker, out: Recovery): Promise<RecoveredRun | null> {
  try {
    const local = onThisMachine(engine, inFlightRun(marker));
    if (!local) {
      out.problems.push(`Cannot clean up run ${marker.runId} of node ${marker.node ?? marker.host}: library "${marker.library}" is not in this machine's [libraries]; its marker is left for a machine that has it`);
      return null;
    }
    // The marker keeps its host: a takeover from another machine that dies too is found the same way again.
    if (!(await claimInFlight(engine.db, marker.runId, marker.pid, process.pid, marker.host))) return null; // another process took it
    if (await isRunStored(engine.db, marker.runId)) {
      // Killed between storing the run and removing its marker: the record is complete.
      removeTempFiles(local.tempPrefix);
      await deleteInFlight(engine.db, marker.runId);
      return null;
    }
    const recovered = await recoverRun(engine, local, "marker");
    out.recovered.push(recovered);
    return recovered;
  } catch (error) {
    out.problems.push(`Cannot record the unfinished run ${marker.runId} of "${marker.filePath}" yet: ${errorMessage(error)}`);
    return null;
  }
}

/**
 * Whether a marker's owner is really gone. A queue worker's run writes a heartbeat every few
 * seconds while it lives: one older than `staleAfterMs` (the queue's lease) means its process
 * died, hangs, or ended without removing the marker (the database was away) — on any machine.
 * Any other marker is judged by its own host only: gone when its process is not running.
 */
export function ownerGone(m: InFlightMarker, staleAfterMs: number, now = Date.now()): boolean {
  if (m.queueJob && m.heartbeatAt) return now - Date.parse(m.heartbeatAt) > staleAfterMs;
  return m.host === hostname() && m.pid !== process.pid && !isAlive(m.pid);
}

/**
 * A marker as this machine sees it. Another machine's paths are its own mounts: the file is
 * found through this machine's root of the same library, temp files and outputs beside it, and
 * file identities taken on this mount's device (a network share shows one inode number to every
 * client, but each client its own device number). Null when this machine has no such library.
 */
function onThisMachine(engine: Engine, m: InFlightRun): InFlightRun | null {
  if (m.host === hostname()) return m;
  const file = m.library && m.libraryPath ? pathInLibrary({ library: m.library, path: m.libraryPath }, engine.libraries) : m.filePath;
  const dev = file ? statSync(dirname(file), { throwIfNoEntry: false })?.dev : undefined;
  if (!file || dev === undefined) return null;
  const beside = (path: string) => join(dirname(file), basename(path));
  const onDev = <T extends { dev: number } | null>(id: T): T => (id ? { ...id, dev } : id);
  return {
    ...m, filePath: file, tempPrefix: tempPrefixFor(file, m.runId), childPid: null, // a pid of another machine means nothing here
    before: m.before && { ...m.before, identity: onDev(m.before.identity) },
    pending: m.pending && {
      ...m.pending, final_path: beside(m.pending.final_path), output_path: beside(m.pending.output_path), output: onDev(m.pending.output),
      backup_path: m.pending.backup_path && beside(m.pending.backup_path),
    },
  };
}

/**
 * Before a queue worker starts on a file: the run in flight on it, if any. A run whose owner is
 * gone (see ownerGone) is taken over — recorded, its temp files removed — and the file is free;
 * one whose owner may still be at work is returned as `holder`, and the file must wait.
 */
export async function takeOverFile(engine: Engine, fileKey: string, staleAfterMs: number): Promise<{ holder: InFlightMarker | null; recovery: Recovery }> {
  const recovery: Recovery = { recovered: [], problems: [] };
  const marker = await findInFlightByKey(engine.db, fileKey);
  if (!marker) return { holder: null, recovery };
  if (!ownerGone(marker, staleAfterMs)) return { holder: marker, recovery };
  await recoverMarker(engine, marker, recovery);
  const still = await findInFlightByKey(engine.db, fileKey);
  return { holder: still, recovery };
}

/** Records the runs of every marker, of any machine, whose owner is gone (see ownerGone): a worker's start-up. */
export async function recoverAbandonedRuns(engine: Engine, staleAfterMs: number): Promise<Recovery> {
  const out: Recovery = { recovered: [], problems: [] };
  for (const marker of await listInFlight(engine.db)) {
    if (ownerGone(marker, staleAfterMs)) await recoverMarker(engine, marker, out);
  }
  return out;
}

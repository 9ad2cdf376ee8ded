/**
 * The public surface of the vpo engine: media tools, scan, policies and planning, and the one
 * run lifecycle (begin → phases → verify → commit → record) that `vpo process`, `vpo run` and a
 * queue worker share, with the step that differs plugged in. The replace is the commit point:
 * before it the original is untouched; from it on the whole run is durable, so a crash still
 * gets it recorded right. Cancelled through an AbortSignal only — the engine installs no
 * signal handlers and never exits the process.
 */

/**
 * Wires tools, the capture runner and the repository together for one command.
 * @example const engine = createEngine({ db, registry, bus, spoolPath: spoolPathFor(dbPath) });
 */
export { createEngine, engineProbe, spoolPathFor } from "./session.ts";
/** The engine of one command; where a run's record went (database or spool). */
export type { Engine, EngineOptions, Stored } from "./session.ts";

/**
 * The run lifecycle of one file with a given step; resolves with the record.
 * @example
 * const { record } = await runLifecycle(engine, commandStep(engine, ["ffmpeg", "-i", "{input}", "-c", "copy", "{output}"]),
 *   { file, policyName: "remux", signal, mayReplace: () => lease.stillMine() });
 */
export { runLifecycle } from "./lifecycle.ts";
export { readAhead } from "./source.ts";
/** Options and outcome of a lifecycle run. */
export type { FileOutcome, LifecycleOptions } from "./lifecycle.ts";
/** The step contract (what differs between process and run) and the error of an aborted run. */
export { interrupted } from "./step.ts";
export type { PhaseProgress, RunStep, StepContext, StepPlan, StepResult } from "./step.ts";
/** `movie.mkv` → `movie.orig.mkv` (kept by --keep-backup); the veto asked right before a replace. */
export { backupPathFor } from "./commit.ts";
export type { MayReplace } from "./commit.ts";

/** The policy's ffmpeg passes as a step; one file processed by a policy. */
export { policyStep } from "./policy_step.ts";
export { processFile } from "./process_file.ts";
export type { ProcessFileOptions } from "./process_file.ts";
/** Any command on a file as a step (`{input}`, `{output}`); the video encoder named on an ffmpeg command line. */
export { commandStep, videoEncoderOf } from "./run_command.ts";

/**
 * Jobs of runs: `runProcessJob` (vpo process), `runCommandJob` (vpo run), `runJob` (any step).
 * @example const summary = await runProcessJob(engine, { files, policy: loadPolicy("anime"), workers: 2, signal, bus });
 */
export { REPORTED_LOG_CATEGORIES, runCommandJob, runJob, runProcessJob } from "./process_batch.ts";
export type { BatchSummary, CommandJobOptions, JobOptions, ProcessJobOptions } from "./process_batch.ts";

/** Start-up housekeeping: runs left unrecorded (spool, markers of dead processes) recorded; old jobs purged. */
export { DEFAULT_JOB_RETENTION_DAYS, startupHousekeeping } from "./startup.ts";
export type { Housekeeping } from "./startup.ts";
export { recoverAbandonedRuns, recoverUnfinishedRuns, takeOverFile } from "./recovery.ts";
export type { RecoveredRun, Recovery } from "./recovery.ts";
/** Whether a process id is running (a zombie counts as gone). */
export { isAlive } from "../core/mod.ts";

/**
 * The job queue of several machines: `vpo enqueue`, `vpo worker`, `vpo queue retry|cancel`.
 * @example const queue = await openQueue(url, settings); await enqueueFiles(queue, db, { files, policy });
 */
export * from "./queue/mod.ts";

/** Why a directory cannot be written (read-only file system, permission), or null. */
export { writeBlocker } from "./disk_space.ts";
export type { FreeBytesFn } from "./disk_space.ts";

/** Policies: load by name or path, parse text; planning a probed file. */
export { loadPolicy, parsePolicy, policiesDir } from "./policy/load.ts";
export type { LoadedPolicy } from "./policy/load.ts";
export { planFile } from "./plan/plan.ts";
export type { FilePlan, PhasePlan, PlannedAction } from "./plan/types.ts";

/** Finding media files; scanning them into the files table. */
export { DEFAULT_EXTENSIONS, discoverMediaFiles, notRegularFile, parseExtensions } from "./discover.ts";
export { runScan } from "./scan.ts";
export type { ScanOptions, ScanSummary } from "./scan.ts";

/** ffprobe as a ProbeFn; locating ffmpeg and ffprobe. */
export { createProbe } from "./probe.ts";
export { reportTools, resolveTools } from "./tools.ts";
export type { ToolName, ToolReport, Tools, ToolsConfig } from "./tools.ts";

/** The demo library `vpo demo` builds (real media made by ffmpeg) and its policy. */
export { DEMO_POLICY, generateDemoLibrary } from "./demo_library.ts";

/**
 * The built-in plugins (size, hash, tracks, transcode, timing): the engine owns the list. Exported
 * from here so a caller that only processes files loads them; a read of the database never does.
 * @example for (const plugin of builtinPlugins({ hash: { full: true } })) registry.register(plugin);
 */
export { builtinPlugins, type BuiltinPluginOptions } from "../plugins/mod.ts";

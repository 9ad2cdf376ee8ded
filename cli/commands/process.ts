import { statSync } from "node:fs";
import { dirname } from "node:path";
import { defineCommand } from "citty";
import { errorMessage } from "../../core/mod.ts";
import {
  type BatchSummary, createProbe, discoverMediaFiles, type Engine, type LoadedPolicy, loadPolicy, parseExtensions, planFile, resolveTools, runProcessJob, writeBlocker,
} from "../../engine/mod.ts";
import { variadic } from "../argv_check.ts";
import { parseCountFlag } from "../count_flag.ts";
import { type CliContext, createContext, globalArgs } from "../context.ts";
import { openEngineSession } from "../engine_session.ts";
import { watchInterrupts } from "../interrupt.ts";
import { planJson, renderPlan } from "../plan_view.ts";
import { attachProcessView, chooseViewMode, describeBatch } from "../process_view.ts";


/** Prints each file's plan; touches nothing, records nothing. */
async function dryRun(ctx: CliContext, files: { path: string; size: number }[], loaded: LoadedPolicy, json: boolean): Promise<void> {
  const probe = createProbe(resolveTools(ctx.config.tools), { timeoutMs: (ctx.config.tools.probe_timeout_seconds ?? 30) * 1000 });
  let failures = 0;
  for (const file of files) {
    try {
      const plan = planFile(await probe(file.path), loaded.policy);
      // Say so now if the file could not be rewritten (a read-only disk), rather than promise it.
      const blocked = plan.changes ? writeBlocker(dirname(plan.path)) : null;
      if (blocked) failures++;
      process.stdout.write(`${json ? JSON.stringify({ event: "file.plan", ...planJson(plan, file.size, blocked) }) : `${renderPlan(plan, file.size, blocked)}\n`}\n`);
    } catch (error) {
      failures++;
      process.stdout.write(`${json ? JSON.stringify({ event: "file.plan", file: file.path, error: errorMessage(error) }) : `${file.path}\n  → cannot plan: ${errorMessage(error)}\n`}\n`);
    }
  }
  if (failures > 0) process.exitCode = 1;
}

/**
 * Processes files by a policy with progress shown as `mode` suits; shared with `vpo demo`.
 * Sets the exit code: 1 when a file failed, 130 when interrupted.
 */
export async function processWithView(
  session: { ctx: CliContext; engine: Engine },
  files: { path: string; size: number }[],
  loaded: LoadedPolicy,
  options: { workers: number; keepBackup: boolean; json: boolean; force?: boolean },
): Promise<BatchSummary> {
  const interrupts = watchInterrupts((signal) => {
    if (!options.json) process.stderr.write(`\nvpo: ${signal} received — stopping; temp files are removed and originals left untouched (press Ctrl-C again to quit at once)\n`);
  });
  const view = attachProcessView(session.ctx.bus, chooseViewMode(options.json), new Map(files.map((f) => [f.path, f.size])));
  let summary: BatchSummary;
  try {
    summary = await runProcessJob(session.engine, {
      files: files.map((f) => f.path), policy: loaded, workers: options.workers, keepBackup: options.keepBackup, signal: interrupts.signal, bus: session.ctx.bus,
      force: options.force,
    });
  } finally {
    view.close();
    interrupts.dispose();
  }
  const { outcomes, errors, job, ...counts } = summary;
  if (options.json) process.stdout.write(`${JSON.stringify({ event: "job.finished", job_id: job.id, status: job.status, error: job.error, policy: loaded.name, ...counts })}\n`);
  else process.stdout.write(`${describeBatch(summary, loaded.name)}\n`);
  if (summary.interrupted > 0 || job.status === "cancelled") process.exitCode = 130;
  else if (summary.failed > 0) process.exitCode = 1;
  return summary;
}

export const processCommand = defineCommand({
  meta: { name: "process", description: "Apply a policy to media files: drop tracks, transcode, remux — safely, with a record of every file" },
  args: {
    paths: variadic({ type: "positional", required: true, description: "Files or directories to process" }),
    policy: { type: "string", required: true, description: "Policy file, or the name of one in ~/.vpo/policies/" },
    "dry-run": { type: "boolean", description: "Print what would be done to each file; change nothing" },
    workers: { type: "string", description: "Files processed at once (default [processing] workers, else 1)" },
    "keep-backup": { type: "boolean", description: "Keep each original as <name>.orig.<ext>" },
    force: { type: "boolean", description: "Process files even if this policy already processed their current content" },
    ext: { type: "string", description: "Extensions to look for in directories (default mkv,mp4,m4v,avi,mov,webm,ts,m2ts)" },
    json: { type: "boolean", description: "NDJSON events (file.started, file.progress, file.finished, job.finished)" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const paths = (args._ as string[] | undefined)?.length ? (args._ as string[]) : [args.paths as string];
    const workersFlag = parseCountFlag("--workers", args.workers);
    const extensions = parseExtensions(args.ext);
    const loaded = loadPolicy(args.policy);
    const { files } = discoverMediaFiles(paths, extensions);
    const found = files.map((f) => ({ path: f.path, size: f.size }));
    const noneFound = () => process.stderr.write(`vpo: no media files (${extensions.join(", ")}) found under ${paths.map((p) => JSON.stringify(p)).join(", ")}\n`);
    if (args["dry-run"]) {
      if (found.length === 0) return void noneFound();
      await dryRun(await createContext(args, rawArgs, { plugins: false }), found, loaded, args.json === true);
      return;
    }
    const session = await openEngineSession(args, rawArgs, { json: args.json });
    try {
      if (found.length === 0) return void noneFound();
      const workers = workersFlag ?? session.ctx.config.processing.workers ?? 1;
      const keepBackup = args["keep-backup"] ?? session.ctx.config.processing.keep_backup ?? false;
      await processWithView(session, found.map((f) => ({ ...f, size: statSync(f.path).size })), loaded, { workers, keepBackup, json: args.json === true, force: args.force === true });
    } finally {
      await session.close();
    }
  },
});

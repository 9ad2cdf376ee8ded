#!/usr/bin/env -S bun --no-install
import { defineCommand, renderUsage, runCommand } from "citty";
import { lazyCommand } from "./lazy_command.ts";
import pkg from "../package.json" with { type: "json" };
import { storageError, VpoError } from "../core/errors.ts";
import { exitCodeOf } from "./exit_codes.ts";
import { trace } from "../core/trace.ts";
import { readCommandLine } from "./argv_check.ts";
import { globalArgs, rememberRootArgs } from "./global_args.ts";
import { drainStdio, exitQuietlyWhenReaderLeaves, forStream, writeErr, writeOut } from "./stdio.ts";

export const main = defineCommand({
  meta: { name: "vpo", version: pkg.version, description: "Process a media library by policy and keep a record of every run" },
  args: globalArgs,
  setup({ args, rawArgs }) {
    rememberRootArgs(args, rawArgs);
  },
  subCommands: {
    run: lazyCommand("run", "command", "Run any command on a file, replace the file with its {output} on success, and record the run", () => import("./commands/run.ts").then((m) => m.runCommandDef)),
    scan: lazyCommand("scan", "command", "Find media files and record what ffprobe sees in them; unchanged files are skipped", () => import("./commands/scan.ts").then((m) => m.scanCommand)),
    files: lazyCommand("files", "command", "What ffprobe saw in each scanned file: container, duration, size, scan status and every stream", () => import("./commands/files.ts").then((m) => m.filesCommand)),
    process: lazyCommand("process", "command", "Apply a policy to media files: drop tracks, transcode, remux — safely, with a record of every file", () => import("./commands/process.ts").then((m) => m.processCommand)),
    demo: lazyCommand("demo", "command", "Make a small sample library with ffmpeg, process it with an example policy, and show the results", () => import("./commands/demo.ts").then((m) => m.demoCommand)),
    stats: lazyCommand("stats", "group", "Read, export, import and purge the record of processing runs", () => import("./commands/stats/mod.ts").then((m) => m.statsCommand)),
    plugins: lazyCommand("plugins", "group", "Built-in and third-party capture plugins", () => import("./commands/plugins.ts").then((m) => m.pluginsCommand)),
    serve: lazyCommand("serve", "command", "HTTP API (docs at /swagger), live dashboard at /, Prometheus metrics at /metrics, alerts", () => import("./commands/serve.ts").then((m) => m.serveCommand)),
    jobs: lazyCommand("jobs", "group", "History of scan, process, run and import jobs", () => import("./commands/jobs.ts").then((m) => m.jobsCommand)),
    logs: lazyCommand("logs", "command", "Log records kept in the database ([logging] store_level and above): why a run failed, what a job did", () => import("./commands/logs.ts").then((m) => m.logsCommand)),
    alerts: lazyCommand("alerts", "group", "Alert rules ([[alerts.rules]] in config.toml): their state, history, a test notification, silences", () => import("./commands/alerts.ts").then((m) => m.alertsCommand)),
    profiles: lazyCommand("profiles", "group", "Named partial configs: vpo --profile NAME … (or VPO_PROFILE)", () => import("./commands/profiles.ts").then((m) => m.profilesCommand)),
    config: lazyCommand("config", "group", "Check and show the configuration (~/.vpo/config.toml, profiles, VPO_<SECTION>_<KEY>)", () => import("./commands/config.ts").then((m) => m.configCommand)),
    init: lazyCommand("init", "command", "Write a commented config, a default profile and two example policies into the data dir", () => import("./commands/init.ts").then((m) => m.initCommand)),
    report: lazyCommand("report", "command", "A report with charts over the last day, week or month (or any window): PDF, HTML, Markdown or JSON", () => import("./commands/report.ts").then((m) => m.reportCommand)),
    enqueue: lazyCommand("enqueue", "command", "Queue media files for `vpo worker` on any machine (PostgreSQL): one job per file", () => import("./commands/enqueue.ts").then((m) => m.enqueueCommand)),
    worker: lazyCommand("worker", "command", "Process queued files on this machine (PostgreSQL queue shared by every machine) until stopped", () => import("./commands/worker.ts").then((m) => m.workerCommand)),
    queue: lazyCommand("queue", "group", "The job queue of vpo worker: what waits, runs and failed (status), retry, cancel", () => import("./commands/queue/mod.ts").then((m) => m.queueCommand)),
    db: lazyCommand("db", "group", "The database itself: info, optimize, verify, backup, migrate, retention, copy", () => import("./commands/db.ts").then((m) => m.dbCommand)),
    test: lazyCommand("test", "command", "Run a plugin's tests (bun test) in this folder, on vpo's own Bun, with `vpo`, `vpo/testing` and `valibot` answered by this vpo", () => import("./commands/test.ts").then((m) => m.testCommand)),
  },
});

/**
 * Commands that write only through writeOut/writeErr (cli/stdio.ts), never to process.stdout or
 * process.stderr: they skip loading Node's streams. The per-file path, where 15 ms count.
 */
const WRITES_THROUGH_STDIO: ReadonlySet<string> = new Set(["run"]);

/** `vpo: <problem>` and where to read the usage of the command it concerns. */
function usageError(message: string, path: readonly string[]): number {
  writeErr(forStream(2, `vpo: ${message}\nRun "${["vpo", ...path].join(" ")} --help" for usage.\n`));
  return 2;
}

/** Runs the CLI: usage on --help, one-line errors with contract exit codes, never a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  // `vpo help stats trends` is what a newcomer types first: the usage of `vpo stats trends --help`.
  if (argv[0] === "help") argv = [...argv.slice(1), "--help"];
  const beforeSeparator = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  let path: string[] = [];
  try {
    if (beforeSeparator.includes("--help") || beforeSeparator.includes("-h") || argv.length === 0) {
      // The usage of the deepest command named, even if the rest of the line is wrong.
      const { chain, path } = await readCommandLine(main, argv);
      // citty names a command after its direct parent only ("stats trends"): give it the whole path.
      const parent = path.length > 0 ? { meta: { name: ["vpo", ...path.slice(0, -1)].join(" "), version: pkg.version } } : undefined;
      const usage = await renderUsage(chain.at(-1)!, parent);
      writeOut(`${forStream(1, usage)}\n`);
      return 0;
    }
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      writeOut(`${pkg.version}\n`);
      return 0;
    }
    const line = await readCommandLine(main, argv);
    path = line.path;
    if (line.error) return usageError(line.error, path);
    if (!WRITES_THROUGH_STDIO.has(path[0]!)) exitQuietlyWhenReaderLeaves();
    trace("command line read");
    await runCommand(main, { rawArgs: line.argv });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (thrown) {
    // A database failure in the domain's words (a full disk says so) rather than the driver's.
    const error = storageError(thrown);
    if (error instanceof VpoError) {
      writeErr(`vpo: ${error.message}\n`);
      return exitCodeOf(error.code);
    }
    // citty's own argument errors (a missing required argument).
    if ((error as Error)?.name === "CLIError") return usageError((error as Error).message, path);
    writeErr(`vpo: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    if (process.env.VPO_DEBUG) console.error(error);
    return 1;
  }
}

/** The whole `vpo` process: runs the command line, writes out stdout and stderr, exits with the code. */
export async function start(): Promise<never> {
  const code = await runCli(process.argv.slice(2));
  trace("command done");
  await drainStdio();
  trace("stdio drained");
  process.exit(code);
}

if (import.meta.main) void start();

#!/usr/bin/env -S bun --no-install
import { defineCommand, renderUsage, runCommand } from "citty";
import pkg from "../package.json" with { type: "json" };
import { storageError, VpoError } from "../core/errors.ts";
import { exitCodeOf } from "./exit_codes.ts";
import { readCommandLine } from "./argv_check.ts";
import { globalArgs, rememberRootArgs } from "./context.ts";
import { drainStdio, exitQuietlyWhenReaderLeaves, forStream } from "./stdio.ts";

export const main = defineCommand({
  meta: { name: "vpo", version: pkg.version, description: "Process a media library by policy and keep a record of every run" },
  args: globalArgs,
  setup({ args, rawArgs }) {
    rememberRootArgs(args, rawArgs);
  },
  subCommands: {
    run: () => import("./commands/run.ts").then((m) => m.runCommandDef),
    scan: () => import("./commands/scan.ts").then((m) => m.scanCommand),
    files: () => import("./commands/files.ts").then((m) => m.filesCommand),
    process: () => import("./commands/process.ts").then((m) => m.processCommand),
    demo: () => import("./commands/demo.ts").then((m) => m.demoCommand),
    stats: () => import("./commands/stats/mod.ts").then((m) => m.statsCommand),
    plugins: () => import("./commands/plugins.ts").then((m) => m.pluginsCommand),
    serve: () => import("./commands/serve.ts").then((m) => m.serveCommand),
    jobs: () => import("./commands/jobs.ts").then((m) => m.jobsCommand),
    logs: () => import("./commands/logs.ts").then((m) => m.logsCommand),
    alerts: () => import("./commands/alerts.ts").then((m) => m.alertsCommand),
    profiles: () => import("./commands/profiles.ts").then((m) => m.profilesCommand),
    config: () => import("./commands/config.ts").then((m) => m.configCommand),
    init: () => import("./commands/init.ts").then((m) => m.initCommand),
    report: () => import("./commands/report.ts").then((m) => m.reportCommand),
    enqueue: () => import("./commands/enqueue.ts").then((m) => m.enqueueCommand),
    worker: () => import("./commands/worker.ts").then((m) => m.workerCommand),
    queue: () => import("./commands/queue/mod.ts").then((m) => m.queueCommand),
    db: () => import("./commands/db.ts").then((m) => m.dbCommand),
    test: () => import("./commands/test.ts").then((m) => m.testCommand),
  },
});

/** `vpo: <problem>` and where to read the usage of the command it concerns. */
function usageError(message: string, path: readonly string[]): number {
  process.stderr.write(forStream(process.stderr, `vpo: ${message}\nRun "${["vpo", ...path].join(" ")} --help" for usage.\n`));
  return 2;
}

/** Runs the CLI: usage on --help, one-line errors with contract exit codes, never a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  const beforeSeparator = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  let path: string[] = [];
  try {
    if (beforeSeparator.includes("--help") || beforeSeparator.includes("-h") || argv.length === 0) {
      // The usage of the deepest command named, even if the rest of the line is wrong.
      const { chain, path } = await readCommandLine(main, argv);
      // citty names a command after its direct parent only ("stats trends"): give it the whole path.
      const parent = path.length > 0 ? { meta: { name: ["vpo", ...path.slice(0, -1)].join(" "), version: pkg.version } } : undefined;
      const usage = await renderUsage(chain.at(-1)!, parent);
      process.stdout.write(`${forStream(process.stdout, usage)}\n`);
      return 0;
    }
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    const line = await readCommandLine(main, argv);
    path = line.path;
    if (line.error) return usageError(line.error, path);
    await runCommand(main, { rawArgs: line.argv });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (thrown) {
    // A database failure in the domain's words (a full disk says so) rather than the driver's.
    const error = storageError(thrown);
    if (error instanceof VpoError) {
      process.stderr.write(`vpo: ${error.message}\n`);
      return exitCodeOf(error.code);
    }
    // citty's own argument errors (a missing required argument).
    if ((error as Error)?.name === "CLIError") return usageError((error as Error).message, path);
    process.stderr.write(`vpo: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    if (process.env.VPO_DEBUG) console.error(error);
    return 1;
  }
}

if (import.meta.main) {
  exitQuietlyWhenReaderLeaves();
  const code = await runCli(process.argv.slice(2));
  await drainStdio();
  process.exit(code);
}

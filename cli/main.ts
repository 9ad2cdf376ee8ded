#!/usr/bin/env bun
import { defineCommand, renderUsage, runCommand } from "citty";
import pkg from "../package.json" with { type: "json" };
import { storageError, VpoError } from "../core/mod.ts";
import { readCommandLine } from "./argv_check.ts";
import { globalArgs, rememberRootArgs } from "./context.ts";
import { drainStdio, exitQuietlyWhenReaderLeaves, forStream } from "./stdio.ts";
import { configCommand } from "./commands/config.ts";
import { initCommand } from "./commands/init.ts";
import { jobsCommand } from "./commands/jobs.ts";
import { profilesCommand } from "./commands/profiles.ts";
import { pluginsCommand } from "./commands/plugins.ts";
import { runCommandDef } from "./commands/run.ts";
import { scanCommand } from "./commands/scan.ts";
import { processCommand } from "./commands/process.ts";
import { demoCommand } from "./commands/demo.ts";
import { serveCommand } from "./commands/serve.ts";
import { statsCommand } from "./commands/stats/mod.ts";
import { enqueueCommand } from "./commands/enqueue.ts";
import { workerCommand } from "./commands/worker.ts";
import { queueCommand } from "./commands/queue/mod.ts";

export const main = defineCommand({
  meta: { name: "vpo", version: pkg.version, description: "Process a media library by policy and keep a record of every run" },
  args: globalArgs,
  setup({ args, rawArgs }) {
    rememberRootArgs(args, rawArgs);
  },
  subCommands: {
    run: runCommandDef,
    scan: scanCommand,
    process: processCommand,
    demo: demoCommand,
    stats: statsCommand,
    plugins: pluginsCommand,
    serve: serveCommand,
    jobs: jobsCommand,
    enqueue: enqueueCommand,
    worker: workerCommand,
    queue: queueCommand,
    profiles: profilesCommand,
    config: configCommand,
    init: initCommand,
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
      return error.exitCode;
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

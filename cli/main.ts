#!/usr/bin/env -S bun --no-install
import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import { stripVTControlCharacters } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { VpoError } from "../core/mod.ts";
import { globalArgs, rememberRootArgs } from "./context.ts";
import { configCommand } from "./commands/config.ts";
import { initCommand } from "./commands/init.ts";
import { jobsCommand } from "./commands/jobs.ts";
import { profilesCommand } from "./commands/profiles.ts";
import { pluginsCommand } from "./commands/plugins.ts";
import { runCommandDef } from "./commands/run.ts";
import { scanCommand } from "./commands/scan.ts";
import { processCommand } from "./commands/process.ts";
import { demoCommand } from "./commands/demo.ts";
import { filesCommand } from "./commands/files.ts";
import { serveCommand } from "./commands/serve.ts";
import { statsCommand } from "./commands/stats/mod.ts";

export const main = defineCommand({
  meta: { name: "vpo", version: pkg.version, description: "Process a media library by policy and keep a record of every run" },
  args: globalArgs,
  setup({ args, rawArgs }) {
    rememberRootArgs(args, rawArgs);
  },
  subCommands: {
    run: runCommandDef,
    scan: scanCommand,
    files: filesCommand,
    process: processCommand,
    demo: demoCommand,
    stats: statsCommand,
    plugins: pluginsCommand,
    serve: serveCommand,
    jobs: jobsCommand,
    profiles: profilesCommand,
    config: configCommand,
    init: initCommand,
  },
});

/** The subcommand chain named by `argv` (flags skipped), for `--help` at any depth. */
async function resolveCommand(argv: string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let cmd: CommandDef = main as CommandDef;
  let parent: CommandDef | undefined;
  for (const arg of argv) {
    if (arg === "--") break;
    if (arg.startsWith("-")) continue;
    const subs = (await (typeof cmd.subCommands === "function" ? cmd.subCommands() : cmd.subCommands)) as Record<string, CommandDef> | undefined;
    const next = subs?.[arg];
    if (!next) break;
    parent = cmd;
    cmd = typeof next === "function" ? await (next as () => Promise<CommandDef>)() : next;
  }
  return [cmd, parent];
}

/** Runs the CLI: usage on --help, one-line errors with contract exit codes, never a stack trace. */
export async function runCli(argv: string[]): Promise<number> {
  const beforeSeparator = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  try {
    if (beforeSeparator.includes("--help") || beforeSeparator.includes("-h") || argv.length === 0) {
      const [cmd, parent] = await resolveCommand(argv);
      const usage = await renderUsage(cmd, parent);
      // citty colours usage unconditionally; keep colour to terminals and honour NO_COLOR.
      const plain = !process.stdout.isTTY || "NO_COLOR" in process.env;
      process.stdout.write(`${plain ? stripVTControlCharacters(usage) : usage}\n`);
      return 0;
    }
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    await runCommand(main, { rawArgs: argv });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof VpoError) {
      process.stderr.write(`vpo: ${error.message}\n`);
      return error.exitCode;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && /^E[A-Z_]+$/.test(code)) {
      // citty's own argument errors: unknown command, missing required argument.
      process.stderr.write(`vpo: ${(error as Error).message}\nRun "vpo ${beforeSeparator.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ")} --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`vpo: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    if (process.env.VPO_DEBUG) console.error(error);
    return 1;
  }
}

if (import.meta.main) {
  const code = await runCli(process.argv.slice(2));
  process.exit(code);
}

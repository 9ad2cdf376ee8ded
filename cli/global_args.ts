/**
 * The flags every command accepts, and those given before the subcommand name. Kept apart from
 * context.ts, which loads the core: `vpo --help` and the command line check need only these.
 */
import type { ArgsDef } from "citty";

/** Flags every command accepts, before or after the subcommand name. */
export const globalArgs = {
  db: { type: "string", description: "Database: a SQLite file (default ~/.vpo/library.db), sqlite:PATH or postgres://…" },
  plugin: { type: "string", description: "Load a third-party plugin by path or package name (repeatable)" },
  profile: { type: "string", description: "Use the named profile from ~/.vpo/profiles/" },
  "log-level": { type: "string", description: "debug | info | warning | error" },
  "log-file": { type: "string", description: "Also write logs to this file" },
  "log-json": { type: "boolean", description: "Log JSON lines instead of text" },
} as const satisfies ArgsDef;

export type GlobalValues = { db?: string; profile?: string; "log-level"?: string; "log-file"?: string; "log-json"?: boolean };

/** Global flags seen before the subcommand name (citty parses them on the root command). */
export const rootValues: GlobalValues & { plugins: string[] } = { plugins: [] };

/** Every value of a repeatable flag, up to a `--` separator (citty keeps only the last). */
export function repeated(rawArgs: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (arg === `--${flag}` && i + 1 < rawArgs.length) out.push(rawArgs[++i]!);
    else if (arg.startsWith(`--${flag}=`)) out.push(arg.slice(flag.length + 3));
  }
  return out;
}

/** Remembers the global flags given before the subcommand. */
export function rememberRootArgs(args: GlobalValues, rawArgs: readonly string[]): void {
  const takesValue = new Set(Object.entries(globalArgs).filter(([, d]) => d.type === "string").map(([name]) => `--${name}`));
  let command = rawArgs.length;
  for (let i = 0; i < rawArgs.length; i++) {
    if (takesValue.has(rawArgs[i]!)) i++;
    else if (!rawArgs[i]!.startsWith("-")) {
      command = i;
      break;
    }
  }
  Object.assign(rootValues, args, { plugins: repeated(rawArgs.slice(0, command), "plugin") });
}

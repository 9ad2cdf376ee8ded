import type { ArgsDef, CommandContext, CommandDef } from "citty";

/**
 * A subcommand whose module is loaded only when it runs (or its own usage is shown): its
 * description is given here, so `vpo --help` lists every command without loading any of them
 * (they bring the database, the server, the PDF renderer…). A "group" only holds subcommands.
 * lazy_command_test.ts checks the description against the command's own.
 */
export function lazyCommand(name: string, kind: "command" | "group", description: string, loadAny: () => Promise<CommandDef<any>>): CommandDef<ArgsDef> {
  const load = loadAny as () => Promise<CommandDef<ArgsDef>>;
  const value = async <T>(x: T | (() => T | Promise<T>) | Promise<T>): Promise<T> => (typeof x === "function" ? (x as () => T)() : x);
  const wrapper: CommandDef<ArgsDef> = {
    meta: { name, description },
    args: async () => (await value((await load()).args)) ?? {},
    setup: async (ctx: CommandContext<ArgsDef>) => (await load()).setup?.(ctx),
    cleanup: async (ctx: CommandContext<ArgsDef>) => (await load()).cleanup?.(ctx),
  };
  if (kind === "group") {
    wrapper.subCommands = async () => (await value((await load()).subCommands)) ?? {};
    wrapper.default = async () => value((await load()).default) as never;
  } else {
    wrapper.run = async (ctx: CommandContext<ArgsDef>) => (await load()).run?.(ctx);
  }
  return wrapper;
}

/**
 * Reads a command line against the command tree before anything runs, because citty accepts
 * what it does not know: an unknown flag (`--dryrun`) is silently ignored, a bad `--format` is
 * caught only inside the command. Here every flag, value and command name is checked at every
 * depth, so a typo is refused (exit 2) before a database is opened or a file touched.
 */
import type { ArgDef, ArgsDef, CommandDef as AnyCommandDef, PositionalArgDef, Resolvable } from "citty";
import { didYouMean } from "../core/did_you_mean.ts";
import { globalArgs } from "./global_args.ts";

/** A command line as read against the tree: the commands it names and what is wrong with it. */
export interface CommandLine {
  /** Command names from the root, e.g. ["stats", "summary"]: as far as they could be read. */
  path: string[];
  /** The definitions along `path`, the root first. */
  chain: CommandDef[];
  /** The first problem found, as one line for `vpo: …`; undefined when the line is valid. */
  error?: string;
  /**
   * The arguments for citty: global flags given between command names (`vpo stats --db x
   * summary`, which citty would take for a command named "x") moved before the first name.
   */
  argv: string[];
}

// Commands differ in their args; here each is read only through ArgsDef.
type CommandDef = AnyCommandDef<any>;

const variadics = new WeakSet<object>();

/** Marks a positional that takes every remaining argument (the command reads them from `args._`). */
export function variadic<const T extends PositionalArgDef>(def: T): T {
  variadics.add(def);
  return def;
}

/** Accepted at every depth: main answers them before any command runs. */
const HELP_FLAGS = new Set(["--help", "-h"]);

const resolve = async <T>(value: Resolvable<T> | undefined): Promise<T | undefined> =>
  typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;

const aliasesOf = (def: ArgDef): string[] => ("alias" in def && def.alias !== undefined ? [def.alias].flat() : []);

/** The flags a command accepts: its own, then the global ones it does not redefine. */
function flagsOf(args: ArgsDef): Map<string, ArgDef> {
  const flags = new Map<string, ArgDef>();
  for (const [name, def] of [...Object.entries(globalArgs), ...Object.entries(args)] as [string, ArgDef][]) {
    if (def.type === "positional") continue;
    flags.set(name, def);
    for (const alias of aliasesOf(def)) flags.set(alias, def);
  }
  return flags;
}

/** ` (did you mean --x?)`: the core suggestion, unquoted as options are written on a command line. */
function suggestFlag(written: string, flags: Map<string, ArgDef>): string {
  const known = [...flags].flatMap(([name, def]) =>
    name.length === 1 ? [`-${name}`] : def.type === "boolean" ? [`--${name}`, `--no-${name}`] : [`--${name}`]);
  return didYouMean(written, known).replaceAll('"', "");
}

interface FlagRead {
  /** How many of the following arguments the flag took as its value (0 or 1). */
  took: number;
  /** The definition it matched: global flags between command names are moved for citty. */
  def?: ArgDef;
  error?: string;
}

/** Reads the flag at `argv[i]`: its name, its value (the next argument, even one starting with "-"). */
function readFlag(argv: readonly string[], i: number, flags: Map<string, ArgDef>): FlagRead {
  const token = argv[i]!;
  if (HELP_FLAGS.has(token)) return { took: 0 };
  const long = token.startsWith("--");
  const eq = long ? token.indexOf("=") : -1;
  const name = token.slice(long ? 2 : 1, eq < 0 ? undefined : eq);
  const written = eq < 0 ? token : token.slice(0, eq);
  const inline = eq < 0 ? undefined : token.slice(eq + 1);
  const def = long || name.length === 1 ? flags.get(name) : undefined;
  if (!def && long && name.startsWith("no-") && inline === undefined) {
    // citty reads --no-x as x = false, for booleans only here.
    const negated = flags.get(name.slice(3));
    if (negated?.type === "boolean") return { took: 0, def: negated };
  }
  if (!def) return { took: 0, error: `unknown option ${written}${suggestFlag(written, flags)}` };
  if (def.type === "boolean") {
    if (inline === undefined || inline === "true" || inline === "false") return { took: 0, def };
    return { took: 0, error: `option ${written} takes no value (got "${inline}")` };
  }
  const hasNext = i + 1 < argv.length && argv[i + 1] !== "--";
  if (inline === undefined && !hasNext) return { took: 0, error: `option ${written} needs a value` };
  const value = inline ?? argv[i + 1]!;
  const took = inline === undefined ? 1 : 0;
  if (def.type === "enum" && def.options?.length && !def.options.includes(value)) {
    // Worded as the commands word their own bad values: `Invalid --format "xml": expected …`.
    return { took, error: `Invalid ${written} "${value}": expected ${def.options.join(", ")}${didYouMean(value, def.options)}` };
  }
  return { took, def };
}

/** "summary, recent, …" with each command's aliases. */
async function commandNames(subCommands: Record<string, Resolvable<CommandDef>>): Promise<string[]> {
  const names: string[] = [];
  for (const [name, sub] of Object.entries(subCommands)) {
    const meta = await resolve((await resolve(sub))?.meta);
    names.push(name, ...(meta?.alias === undefined ? [] : [meta.alias].flat()));
  }
  return names;
}

async function findCommand(subCommands: Record<string, Resolvable<CommandDef>>, name: string): Promise<CommandDef | undefined> {
  // By name first: subcommands are loaded lazily, and only the one named needs loading.
  if (Object.hasOwn(subCommands, name)) return resolve(subCommands[name]);
  for (const [key, sub] of Object.entries(subCommands)) {
    const def = await resolve(sub);
    const alias = (await resolve(def?.meta))?.alias;
    if (key === name || (alias !== undefined && [alias].flat().includes(name))) return def;
  }
  return undefined;
}

/**
 * Reads `argv` against the tree under `root`, stopping at the first problem: an unknown command
 * or flag, a flag without its value, a value outside an enum's options, an argument too many, an
 * empty argument, or a command group named without one of its commands. Everything after `--` is left unread.
 */
export async function readCommandLine(root: CommandDef, argv: readonly string[]): Promise<CommandLine> {
  const path: string[] = [];
  const chain: CommandDef[] = [root];
  const lead: string[] = []; // global flags met before the last command name
  const own: string[] = []; // the arguments of the command that runs
  const line = (error?: string): CommandLine => ({ path, chain, error, argv: [...lead, ...path, ...own] });

  let cmd = root;
  let args: ArgsDef = (await resolve<ArgsDef>(cmd.args)) ?? {};
  let subCommands = await resolve(cmd.subCommands);
  let flags = flagsOf(args);
  let positionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      own.push(...argv.slice(i));
      break;
    }
    if (token.startsWith("-") && token !== "-") {
      const flag = readFlag(argv, i, flags);
      if (flag.error) return line(flag.error);
      const tokens = argv.slice(i, i + 1 + flag.took);
      // citty parses each command's flags by that command's definition: a global flag the running
      // command does not define itself is handed to the root, which does.
      const name = flag.def && Object.entries(args).find(([, def]) => def === flag.def)?.[0];
      (flag.def && !name ? lead : own).push(...tokens);
      i += flag.took;
      continue;
    }
    if (subCommands && Object.keys(subCommands).length > 0) {
      const next = await findCommand(subCommands, token);
      if (!next) return line(`unknown command "${[...path, token].join(" ")}"${didYouMean(token, await commandNames(subCommands))}`);
      lead.push(...own.splice(0));
      path.push(token);
      chain.push(next);
      cmd = next;
      args = (await resolve<ArgsDef>(cmd.args)) ?? {};
      subCommands = await resolve(cmd.subCommands);
      flags = flagsOf(args);
      continue;
    }
    const declared = Object.entries(args).filter(([, def]) => def.type === "positional");
    if (positionals >= declared.length && !declared.some(([, def]) => variadics.has(def))) {
      const takes = declared.length === 0 ? "takes no arguments" : `takes only ${declared.map(([name]) => name.toUpperCase()).join(" ")}`;
      return line(`unexpected argument "${token}" ("${["vpo", ...path].join(" ")}" ${takes})`);
    }
    const [name] = declared[Math.min(positionals, declared.length - 1)]!;
    // An empty argument resolves to the current directory: `vpo process "$DIR"` with DIR unset
    // would process everything below it.
    if (token === "") return line(`empty argument "" (${name.toUpperCase()} of "${["vpo", ...path].join(" ")}" cannot be empty)`);
    positionals++;
    own.push(token);
  }
  if (subCommands && Object.keys(subCommands).length > 0 && !cmd.run && !(await resolve(cmd.default))) {
    return line(`"${["vpo", ...path].join(" ")}" needs a command: ${Object.keys(subCommands).join(", ")}`);
  }
  return line();
}

import { type Db, didYouMean, getBreakdown, getPolicyStats, parseTimeRange, type RunScope, type TimeRange, VpoError } from "../../../core/mod.ts";
import { NOTHING_RECORDED } from "../../database.ts";
import { renderCsv, renderJson } from "../../format.ts";

/** The scope every view takes besides its window: `--library`, `--node`. */
export const scopeArgs = {
  library: { type: "string", description: "Only runs of this library ([libraries] in the config)" },
  node: { type: "string", description: "Only runs of this machine ([node] name)" },
} as const;

/** `--since`, `--until`, `--policy`, `--library`, `--node`: the filters most views share. */
export const filterArgs = {
  since: { type: "string", description: "From this time: ISO date/datetime or 30m, 24h, 7d, 2w" },
  until: { type: "string", description: "Up to this time (a date-only value includes that whole day)" },
  policy: { type: "string", description: "Only runs of this policy" },
  ...scopeArgs,
} as const;

/**
 * A flag taking one of `options`, by default the first: citty's enum, whose values are checked
 * before the command runs (cli/argv_check.ts: exit 2 naming the choices, with a did-you-mean).
 */
export const choiceArg = <const O extends string>(options: readonly O[], description: string, fallback: O = options[0]!) =>
  ({ type: "enum" as const, options: [...options], default: fallback, description });

/** `--format` offering `formats`, the first being the default. */
export const formatArg = <const F extends string>(formats: readonly F[]) => choiceArg(formats, "Output format");

/** The filters as parsed by core parseTimeRange (exit 2 with the accepted forms on a bad date). */
export function parseFilter(args: { since?: string; until?: string; policy?: string; library?: string; node?: string }): TimeRange & RunScope {
  return {
    ...parseTimeRange(args),
    ...(args.policy ? { policy: args.policy } : {}),
    ...(args.library ? { library: args.library } : {}),
    ...(args.node ? { node: args.node } : {}),
  };
}

/** Exit 65 with a friendly message when a view has nothing to show. */
export function noStats(what: string, advice = "Process some files first (vpo run / vpo process), or widen the filters."): VpoError {
  return new VpoError("NO_STATS", `No statistics found${what ? ` ${what}` : ""}. ${advice}`);
}

/** The scopes a view filters by, their word in messages and how to list the known ones. */
const SCOPES = [
  { key: "policy", word: "policy", plural: "Policies", none: "", known: async (db: Db) => (await getPolicyStats(db)).map((p) => p.policy_name) },
  { key: "library", word: "library", plural: "Libraries", none: "No run is of a library yet ([libraries] in the config names them).", known: async (db: Db) => (await getBreakdown(db, "library")).flatMap((r) => (r.name === null ? [] : [r.name])) },
  { key: "node", word: "node", plural: "Nodes", none: "No run names its machine.", known: async (db: Db) => (await getBreakdown(db, "node")).flatMap((r) => (r.name === null ? [] : [r.name])) },
] as const;

/**
 * Exit 65 for a view that found no runs, saying why: the database is empty, a policy, library or
 * node never ran (naming the closest one that did), nothing falls in the window, or no run has
 * every scope asked for.
 */
export async function nothingFound(db: Db, filter: TimeRange & RunScope): Promise<VpoError> {
  const policies = (await getPolicyStats(db)).map((p) => p.policy_name);
  if (policies.length === 0) {
    return new VpoError("NO_STATS", NOTHING_RECORDED);
  }
  const asked = SCOPES.flatMap((scope) => (filter[scope.key] === undefined ? [] : [{ ...scope, value: filter[scope.key]! }]));
  for (const scope of asked) {
    const known = (scope.key === "policy" ? policies : await scope.known(db)).sort();
    if (known.includes(scope.value)) continue;
    const listed = known.length === 0 ? scope.none : `${scope.plural} with recorded runs: ${known.join(", ")}.`;
    return noStats(`for ${scope.word} "${scope.value}"${didYouMean(scope.value, known)}`, listed);
  }
  const scope = asked.map((a) => `${a.word} "${a.value}"`).join(", ");
  if (filter.since !== undefined || filter.until !== undefined || asked.length === 0) {
    return noStats(`${scope ? `for ${scope} ` : ""}in this range`, "Widen the filters (--since, --until).");
  }
  return noStats(`for ${scope} together`, "Each has runs, but none has them all: drop one of the filters.");
}

/** `--limit`: a positive integer, else an invalid argument (a bad limit must not mean "all"). */
export function parseLimit(value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid --limit "${value}": expected a positive integer`);
  }
  return n;
}

export { withDatabase } from "../../database.ts";

/** Prints a view in the chosen format: JSON as one document, CSV with a header row, or a table for people. */
export function printView<T extends object>(
  format: "table" | "json" | "csv",
  view: { json: unknown; rows: T[]; columns: readonly (keyof T & string)[]; table: () => string },
): void {
  if (format === "json") process.stdout.write(`${renderJson(view.json)}\n`);
  else if (format === "csv") process.stdout.write(renderCsv(view.rows as Record<string, unknown>[], [...view.columns]));
  else process.stdout.write(`${view.table()}\n`);
}

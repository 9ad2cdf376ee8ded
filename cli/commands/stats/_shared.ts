import { parseTimeRange, type TimeRange, VpoError } from "../../../core/mod.ts";

export const filterArgs = {
  since: { type: "string", description: "From this time: ISO date/datetime or 30m, 24h, 7d, 2w" },
  until: { type: "string", description: "Up to this time (a date-only value includes that whole day)" },
  policy: { type: "string", description: "Only runs of this policy" },
} as const;

export const formatArg = (formats: readonly string[], fallback = formats[0]) =>
  ({ type: "string", description: formats.join(" | "), default: fallback }) as const;

/** Checks `--format`; anything else is an invalid argument (exit 2). */
export function parseFormat<const F extends string>(value: string | undefined, allowed: readonly F[]): F {
  const format = (value ?? allowed[0]) as F;
  if (!allowed.includes(format)) {
    throw new VpoError("INVALID_ARGUMENT", `Invalid --format "${value}": expected ${allowed.join(", ")}`);
  }
  return format;
}

export function parseFilter(args: { since?: string; until?: string; policy?: string }): TimeRange & { policy?: string } {
  return { ...parseTimeRange(args), ...(args.policy ? { policy: args.policy } : {}) };
}

/** Exit 65 with a friendly message when a view has nothing to show. */
export function noStats(what: string): VpoError {
  return new VpoError("NO_STATS", `No statistics found ${what}. Process some files first (vpo run / vpo process), or widen the filters.`);
}

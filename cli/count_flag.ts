import { VpoError } from "../core/mod.ts";

/**
 * A flag that counts things done at once (`--workers`, `--concurrency`): a whole number of at
 * least 1, or undefined when not given.
 */
export function parseCountFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new VpoError("INVALID_ARGUMENT", `Invalid ${flag} ${JSON.stringify(value)}: expected a whole number of at least 1`);
  const count = Number(value);
  if (count < 1) throw new VpoError("INVALID_ARGUMENT", `Invalid ${flag} ${value}: expected at least 1`);
  return count;
}

/**
 * JSON that keeps exact integers: byte totals beyond 2^53 are bigints in JavaScript and are
 * written as plain JSON integers (`JSON.rawJSON`), not rounded and not quoted.
 */

/** A bigint as a number when that is exact, else the bigint itself. */
export function exactInteger(value: bigint): number | bigint {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
const replacer = (_key: string, value: unknown) => (typeof value === "bigint" ? rawJson(value.toString()) : value);

/** JSON.stringify that writes bigints as exact integers. */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, replacer, space);
}

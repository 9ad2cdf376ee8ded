import * as v from "valibot";
import { ACCEPTED_TIME_FORMS } from "../core/mod.ts";

/*
 * Building blocks of the HTTP query and path schemas. They stay declarative (no v.transform) so
 * that @elysiajs/openapi publishes every parameter; the routes convert the validated strings.
 * Query schemas are strict: an unknown parameter is an error, not silently ignored.
 */

const TIME_PATTERN = /^(\d+[mhdw]|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)$/;

/** A time bound: ISO date or datetime, or relative (30m, 24h, 7d, 2w). */
export const timeParam = (description: string) =>
  v.optional(v.pipe(v.string(), v.regex(TIME_PATTERN, `expected ${ACCEPTED_TIME_FORMS}`), v.description(description)));

/** `since` and `until`, the time window every view accepts. */
export const windowParams = {
  since: timeParam("From this time (inclusive): ISO date/datetime or relative 30m, 24h, 7d, 2w"),
  until: timeParam("Up to this time; a date-only value includes that whole day"),
};

const POSITIVE_INT = /^[1-9]\d{0,8}$/;

/** A positive integer in a query string, with an upper bound. */
export const positiveIntParam = (description: string, max: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(POSITIVE_INT, `expected a positive integer up to ${max}`),
      // Only what the pattern passed: "abc" is one problem, not the same one twice.
      v.check((s) => !POSITIVE_INT.test(s) || Number(s) <= max, `expected a positive integer up to ${max}`),
      v.description(`${description} (1–${max})`),
    ),
  );

/** A boolean flag in a query string. */
export const flagParam = (description: string) =>
  v.optional(v.pipe(v.picklist(["true", "false", "1", "0"], 'expected "true" or "false"'), v.description(description)));

/** One of a fixed set of words. */
export const choiceParam = <const T extends readonly [string, ...string[]]>(choices: T, description: string) =>
  v.optional(v.pipe(v.picklist(choices, `expected one of ${choices.join(", ")}`), v.description(description)));

/** Text a database can hold: no NUL characters, at most 1,024 characters. */
export const plainText = v.pipe(
  v.string(),
  v.maxLength(1024, "expected at most 1024 characters"),
  v.regex(/^[^\0]*$/, "expected text without NUL characters"),
);

/** A non-empty name such as a policy or plugin. */
export const nameParam = (description: string) =>
  v.optional(v.pipe(plainText, v.minLength(1, "expected a non-empty name"), v.description(description)));

/** "true"/"1" → true, "false"/"0" → false, absent → undefined. */
export const toFlag = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : value === "true" || value === "1");

/** A validated positive-integer string as a number. */
export const toInt = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

import { expect, test } from "bun:test";
import fc from "fast-check";
import { VpoError } from "./errors.ts";
import { parseTimeBound, parseTimeRange } from "./time_filter.ts";

/**
 * Time filters come from people and URLs: whatever the text, parsing answers an ISO instant or a
 * VpoError INVALID_ARGUMENT that says what was wrong — never a RangeError, TypeError or the like.
 */
const RUNS = Number(process.env.VPO_PROPERTY_RUNS ?? 25) * 200;

/** Text that looks like a time often enough to reach every branch: digits, units, dates, zones. */
const timeish = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.stringMatching(/^\d{1,25}[mhdwy]?$/),
  fc.stringMatching(/^[+-]?\d{1,6}-\d{1,3}-\d{1,3}([T ]\d{1,3}:\d{1,3}(:\d{1,3}(\.\d{0,12})?)?(Z|[+-]\d{1,4}(:\d{1,3})?)?)?\s?$/),
);

/** Instants are compared as text: only a four-digit year sorts as time does. */
const FOUR_DIGIT_YEAR = /^\d{4}-/;

function outcome(parse: () => unknown): "ok" | "invalid" {
  try {
    parse();
    return "ok";
  } catch (error) {
    if (error instanceof VpoError && error.code === "INVALID_ARGUMENT") return "invalid";
    throw error;
  }
}

test("parseTimeBound never throws anything but INVALID_ARGUMENT, and what it returns is an ISO instant", () => {
  fc.assert(
    fc.property(timeish, fc.constantFrom("since" as const, "until" as const), fc.date({ noInvalidDate: true }), (text, bound, now) => {
      if (outcome(() => parseTimeBound(text, bound, now)) === "ok") {
        const iso = parseTimeBound(text, bound, now);
        expect(new Date(iso).toISOString()).toBe(iso);
        expect(iso).toMatch(FOUR_DIGIT_YEAR);
      }
    }),
    { numRuns: RUNS },
  );
});

test("parseTimeRange never throws anything but INVALID_ARGUMENT, and a range it returns is ordered", () => {
  fc.assert(
    fc.property(fc.option(timeish, { nil: undefined }), fc.option(timeish, { nil: undefined }), (since, until) => {
      if (outcome(() => parseTimeRange({ since, until })) === "ok") {
        const range = parseTimeRange({ since, until });
        if (range.since && range.until) expect(range.since < range.until).toBe(true);
        for (const bound of [range.since, range.until]) if (bound !== undefined) expect(bound).toMatch(FOUR_DIGIT_YEAR);
      }
    }),
    { numRuns: RUNS },
  );
});

import { describe, expect, test } from "bun:test";
import { VpoError } from "./errors.ts";
import { parseTimeBound, parseTimeRange } from "./time_filter.ts";

/** The message of the INVALID_ARGUMENT a parse throws. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof VpoError && error.code === "INVALID_ARGUMENT") return error.message;
    throw error;
  }
  throw new Error("parsed");
}

const NOW = new Date("2026-12-03T18:00:00Z");

describe("bounds at the ends of the calendar", () => {
  test("a relative time reaching before the year 0001 is refused, however large", () => {
    // 1000000d was "-000711-…": ISO text that sorts after every real date, failing inside the views.
    for (const text of ["1000000d", "99999999d", "99999999999d", `${"9".repeat(400)}w`]) {
      expect(refusal(() => parseTimeRange({ since: text }, NOW))).toBe(`Invalid since "${text}": it is outside the years 0001–9999`);
    }
    expect(refusal(() => parseTimeBound("1000000d", "since", NOW, "--before"))).toBe('Invalid --before "1000000d": it is outside the years 0001–9999');
    expect(parseTimeRange({ since: "100000w" }, NOW).since).toBe("0110-05-22T18:00:00.000Z");
  });

  test("an until on the last day of 9999 leaves the window open instead of ending it at +010000 (before every date)", () => {
    expect(parseTimeRange({ until: "9999-12-31" }, NOW)).toEqual({});
    expect(parseTimeRange({ until: "9999-12-31T23:59:59.999Z" }, NOW)).toEqual({});
    expect(parseTimeRange({ since: "2026-01-01", until: "9999-12-31" }, NOW)).toEqual({ since: "2026-01-01T00:00:00.000Z" });
    expect(parseTimeRange({ until: "9999-12-31T12:00:00Z" }, NOW)).toEqual({ until: "9999-12-31T12:00:00.001Z" });
  });

  test("an instant an offset moves past 9999 is refused", () => {
    expect(refusal(() => parseTimeRange({ until: "9999-12-31T23:00:00-05:00" }, NOW))).toBe('Invalid until "9999-12-31T23:00:00-05:00": it is outside the years 0001–9999');
    expect(refusal(() => parseTimeRange({ since: "0000-12-31" }, NOW))).toBe('Invalid since "0000-12-31": it is outside the years 0001–9999');
    expect(parseTimeRange({ since: "0001-01-01" }, NOW)).toEqual({ since: "0001-01-01T00:00:00.000Z" });
  });

  test("a window starts on 9999-12-01 at the latest: views count by calendar month", () => {
    expect(parseTimeRange({ since: "9999-12-01" }, NOW)).toEqual({ since: "9999-12-01T00:00:00.000Z" });
    expect(refusal(() => parseTimeRange({ since: "9999-12-01T00:00:01Z" }, NOW))).toBe('Invalid since "9999-12-01T00:00:01Z": a window starts on 9999-12-01 at the latest');
    // A single bound (jobs, logs, purge) is not a window of months.
    expect(parseTimeBound("9999-12-31T23:00:00Z", "since", NOW, "--before")).toBe("9999-12-31T23:00:00.000Z");
  });
});

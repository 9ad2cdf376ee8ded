import { expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { runArb } from "../tests/arbitraries.ts";
import { normalizeRunRecord, RunRecordSchema } from "./record/mod.ts";
import { compileFastParse, REJECTED } from "./validation_fast.ts";

const fastParse = compileFastParse(RunRecordSchema);

/** A run with every field and child kind filled in (an export line as vpo writes it). */
const FULL = {
  id: "65920080-0000-7000-8000-000000000000",
  file_path: "/media/films/a.mkv",
  processed_at: "2024-01-01T00:00:00.000Z",
  policy_name: "strip",
  policy_digest: `sha256:${"0".repeat(64)}`,
  job_id: "job-1",
  node: "alpha",
  library: "/media/films",
  status: "success",
  success: true,
  error_message: null,
  failure_command: null,
  failure_output: null,
  size_before: 1000,
  size_after: 400,
  size_change: 600,
  audio_tracks_before: 3,
  audio_tracks_after: 1,
  audio_tracks_removed: 2,
  subtitle_tracks_before: 4,
  subtitle_tracks_after: 1,
  subtitle_tracks_removed: 3,
  attachments_before: 1,
  attachments_after: 0,
  attachments_removed: 1,
  duration_seconds: 30.25,
  phases_completed: 2,
  phases_total: 2,
  total_changes: 2,
  video_source_codec: "h264",
  video_target_codec: "hevc",
  video_transcode_skipped: false,
  video_skip_reason: null,
  video_height: 1080,
  audio_tracks_transcoded: 1,
  audio_tracks_preserved: 1,
  encoder_type: "hardware",
  hash_before: `sha256:${"a".repeat(64)}`,
  hash_after: `sha256:${"b".repeat(64)}`,
  actions: [
    { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3" }, after_state: null, success: true, duration_ms: 3.5, rule_reference: "keep_audio", message: null },
    { action_type: "keep", track_type: "subtitle", track_index: 5 },
  ],
  phases: [
    { phase_name: "analyze", wall_time_seconds: 1.25, bytes_read: 1000, bytes_written: 0, encoding_fps: null, encoding_bitrate: null },
    { phase_name: "transcode", wall_time_seconds: 29, bytes_read: 1000, bytes_written: 400, encoding_fps: 48.5, encoding_bitrate: 4_500_000 },
  ],
  plugin_metrics: { size: { m0: 0.5, m1: -3 }, quality: { ok: true, label: "v1", none: null } },
  plugin_errors: [{ plugin: "hash", hook: "afterRun", code: "E", message: "failed" }],
};

/** Values that break some rule of the schema, or a shape the fast path leaves to valibot. */
const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom<unknown>(
    Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, -0, 0.5, 2 ** 50, 2 ** 50 + 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e12 + 1,
    10_000_001, 100_001, "", "\0", "a\0b", "x".repeat(64), "x".repeat(65), "x".repeat(257), "x".repeat(16_384), "x".repeat(16_385), null, undefined, true, false,
    [], {}, [1], "not a date", "2024-13-01T00:00:00Z", "2024-01-01", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2024-01-01T00:00:00+01:00",
    `sha256:${"A".repeat(64)}`, `sha256:${"a".repeat(63)}`, "65920080-0000-7000-8000-00000000000G", "65920080-0000-7000-8000-ABCDEF000000",
    "success", "failed", "interrupted", "hardware", "weird",
  ),
  // Objects made afresh for each use: a shared one could be changed into a cycle by a later mutation.
  fc.constantFrom(() => ({ x: 1n }), () => Object.create(null), () => new Date(0), () => ({ constructor: {} }), () => ({ a: "x".repeat(70_000) })).map((make) => make()),
);

/** valibot's verdict; a check that throws (JSON.stringify of a BigInt) counts as a rejection. */
function safeParse(run: unknown): { success: boolean; output?: unknown } {
  try {
    return v.safeParse(RunRecordSchema, run);
  } catch {
    return { success: false };
  }
}

type Path = (string | number)[];

/** Every container in `x` with the path to it (each once). */
function containers(x: unknown, path: Path = [], out: { path: Path; value: object }[] = [], seen = new Set<object>()) {
  if (typeof x === "object" && x !== null && !seen.has(x)) {
    seen.add(x);
    out.push({ path, value: x });
    for (const [k, child] of Object.entries(x)) containers(child, [...path, Array.isArray(x) ? Number(k) : k], out, seen);
  }
  return out;
}

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("set", "set", "delete", "add"),
  key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "prototype", "id", "success", "actions", "num", "0")),
  pick: fc.nat(),
  value: hostile,
});

/** A record with a few random changes: mostly invalid, sometimes still valid. */
const mutatedRun = fc.tuple(fc.oneof(runArb, fc.constant(FULL)), fc.array(mutation, { maxLength: 3 })).map(([base, changes]) => {
  const run = structuredClone(base) as Record<string, unknown>;
  for (const change of changes) {
    const all = containers(run);
    const { value: target } = all[change.at % all.length]!;
    const keys = Object.keys(target);
    // Records come from JSON (a file, a request body): an array never has named properties, and
    // one with a "constructor" of its own breaks Array methods in valibot and in fast-check alike.
    if (Array.isArray(target) && (change.kind === "add" || keys.length === 0)) continue;
    const key = change.kind === "add" || keys.length === 0 ? change.key : keys[change.pick % keys.length]!;
    // A record parsed from JSON has no cycles: a value that holds the target (fast-check may hand
    // the same generated object to two changes) is not put inside it.
    if (change.kind !== "delete" && containers(change.value).some((c) => c.value === target)) continue;
    if (change.kind === "delete") delete (target as Record<string, unknown>)[key];
    else Object.defineProperty(target, key, { value: change.value, enumerable: true, writable: true, configurable: true });
  }
  return run;
});

test("the fast path accepts valid runs as they come: an export line and arbitrary valid records", () => {
  expect(fastParse(structuredClone(FULL))).not.toBe(REJECTED);
  fc.assert(fc.property(runArb, (run) => fastParse(run) !== REJECTED && v.safeParse(RunRecordSchema, run).success), { numRuns: 300 });
});

test("the fast path never accepts what valibot rejects, and returns valibot's output for what it accepts", () => {
  let accepted = 0;
  let rejected = 0;
  fc.assert(
    fc.property(mutatedRun, (run) => {
      const fast = fastParse(run);
      const slow = safeParse(run);
      if (fast === REJECTED) {
        rejected++;
        return;
      }
      accepted++;
      expect(slow.success).toBe(true);
      expect(fast).toEqual(slow.output);
    }),
    { numRuns: 3_000, endOnFailure: true },
  );
  // Both sides were exercised: a property that only ever saw rejections would prove nothing.
  expect(accepted).toBeGreaterThan(100);
  expect(rejected).toBeGreaterThan(100);
});

test("normalizeRunRecord gives the same record, or the same error, as normalising valibot's output", () => {
  const outcome = (f: () => unknown) => {
    try {
      return { ok: f() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  fc.assert(
    fc.property(mutatedRun, (run) => {
      const slow = safeParse(run);
      const got = outcome(() => normalizeRunRecord(run));
      if (!slow.success) expect(got).toHaveProperty("error");
      else {
        const want = outcome(() => normalizeRunRecord(slow.output));
        // A run without an id is given a fresh one each time it is normalised.
        for (const o of [got, want]) if (run.id == null && "ok" in o) delete (o.ok as { id?: string }).id;
        expect(got).toEqual(want);
      }
    }),
    { numRuns: 1_000, endOnFailure: true },
  );
});

test("defaults are filled in without touching the caller's objects", () => {
  const input = { file_path: "/m/a.mkv", processed_at: "2024-01-01T00:00:00Z", policy_name: "p", success: true, actions: [{ action_type: "remove" }] };
  const copy = structuredClone(input);
  const out = fastParse(input) as Record<string, unknown>;
  expect(out).toEqual(v.parse(RunRecordSchema, input));
  expect((out.actions as { success: boolean }[])[0]!.success).toBe(true);
  expect(out.phases).toEqual([]);
  expect(input).toEqual(copy);
});

test("keys valibot's record skips silently, undefined values and objects with a prototype are left to valibot", () => {
  const base = structuredClone(FULL) as Record<string, unknown>;
  for (const odd of [
    { ...base, plugin_metrics: JSON.parse('{"__proto__": {"a": 1}}') },
    { ...base, plugin_metrics: { constructor: { a: 1 } } },
    { ...base, job_id: undefined },
    Object.assign(Object.create({ inherited: 1 }), base),
    [base],
  ]) {
    expect(fastParse(odd)).toBe(REJECTED);
  }
});

test("processed_at before 1901 is refused saying which years are accepted (it said 0001 while refusing 1850)", () => {
  const refusal = (processed_at: string) => v.safeParse(RunRecordSchema, { ...FULL, processed_at }).issues?.map((i) => i.message);
  expect(refusal("1850-06-01T00:00:00Z")).toEqual(["Expected a year between 1901 and 9999"]);
  expect(refusal("1901-01-01T00:00:00Z")).toBeUndefined();
  expect(refusal("9999-12-31T23:59:59.999Z")).toBeUndefined();
});

/**
 * What a failed file leaves behind: the run record keeps the command line of the tool that failed
 * and the tail of its stderr; and every line logged while a job runs carries its context (job,
 * run, file, node), with ffmpeg's and ffprobe's command lines at debug level.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { getRunDetail } from "../../core/mod.ts";
import { policyStep, runJob } from "../../engine/mod.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, failingFfmpeg, loaded } from "./_setup.ts";

let fixtures: Fixtures;
const open: EngineFixture[] = [];
beforeAll(async () => (fixtures = await makeFixtures()));
afterAll(async () => {
  for (const fx of open) await fx.close();
});

async function fixture(ffmpeg?: string) {
  const fx = await engineFixture({ ffmpeg });
  open.push(fx);
  return fx;
}

describe("a failed run keeps the failing command and its output", () => {
  test("a truncated file: the ffprobe command line and what ffprobe said", async () => {
    const fx = await fixture();
    const file = await copyFixture(fixtures, "truncated", fx.dir);
    const summary = await runJob(fx.engine, { type: "process", policyName: "acceptance", files: [file], step: policyStep(fx.engine, loaded(ACCEPTANCE_POLICY())) });
    const run = await getRunDetail(fx.db, summary.outcomes[0]!.record.id);
    expect(run.status).toBe("failed");
    expect(run.failure_command).toContain("ffprobe");
    expect(run.failure_command).toContain(file);
    expect(run.failure_output).toMatch(/matroska|Invalid data|EBML/i);
  });

  test("a failing ffmpeg pass: its command line (with the encoder) and the tail of its stderr", async () => {
    const fx = await fixture();
    const ffmpeg = failingFfmpeg(fx.dir, "libx265");
    const broken = await fixture(ffmpeg);
    const file = await copyFixture(fixtures, "multi", broken.dir);
    const summary = await runJob(broken.engine, { type: "process", policyName: "acceptance", files: [file], step: policyStep(broken.engine, loaded(ACCEPTANCE_POLICY())) });
    const run = await getRunDetail(broken.db, summary.outcomes[0]!.record.id);
    expect(run.status).toBe("failed");
    expect(run.failure_command!.startsWith(ffmpeg)).toBe(true);
    expect(run.failure_command).toContain("libx265");
    expect(run.failure_output).toContain("Unknown encoder 'libx265' (test stand-in)");
  });

  test("a successful run keeps neither", async () => {
    const fx = await fixture();
    const file = await copyFixture(fixtures, "hevc", fx.dir);
    const summary = await runJob(fx.engine, { type: "process", policyName: "acceptance", files: [file], step: policyStep(fx.engine, loaded(ACCEPTANCE_POLICY())) });
    const run = await getRunDetail(fx.db, summary.outcomes[0]!.record.id);
    expect([run.status, run.failure_command, run.failure_output]).toEqual(["success", null, null]);
  });
});

describe("log lines carry their context", () => {
  const records: LogRecord[] = [];
  beforeAll(async () => {
    await configure({
      reset: true,
      sinks: { memory: (record) => void records.push(record) },
      contextLocalStorage: new AsyncLocalStorage(),
      loggers: [{ category: ["vpo"], sinks: ["memory"], lowestLevel: "debug" }, { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" }],
    });
  });
  afterEach(() => void (records.length = 0));
  afterAll(() => reset());

  const text = (r: LogRecord) => r.message.map(String).join("");

  test("job, file, run and node on every line logged for a file; ffmpeg and ffprobe command lines at debug", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-logctx-"));
    const fx = await fixture();
    (fx.engine as { node: string | null }).node = "node-a";
    const good = await copyFixture(fixtures, "multi", dir);
    const bad = await copyFixture(fixtures, "truncated", dir);
    const summary = await runJob(fx.engine, { type: "process", policyName: "acceptance", files: [good, bad], step: policyStep(fx.engine, loaded(ACCEPTANCE_POLICY())) });
    const jobId = summary.job.id;
    const runOf = new Map(summary.outcomes.map((o) => [o.record.file_path.replace(/\.mkv$/, ""), o.record.id]));

    const perFile = records.filter((r) => r.properties.file !== undefined && r.properties.run_id !== undefined);
    expect(perFile.length).toBeGreaterThan(5);
    for (const r of perFile) {
      expect(r.properties.job_id).toBe(jobId);
      expect(r.properties.node).toBe("node-a");
      expect(runOf.get(String(r.properties.file).replace(/\.mkv$/, ""))).toBe(String(r.properties.run_id));
    }
    const debug = records.filter((r) => r.level === "debug").map(text);
    expect(debug.some((line) => /Running ffmpeg: .*ffmpeg.* -i .*multi\.mkv/.test(line))).toBe(true);
    expect(debug.some((line) => /Running ffprobe: .*ffprobe .*-show_streams .*truncated\.mkv/.test(line))).toBe(true);
    expect(debug.some((line) => /keep_audio|keep_subtitles/.test(line))).toBe(true);

    const failed = records.filter((r) => r.level === "error" && r.properties.run_id === summary.outcomes.find((o) => !o.record.success)!.record.id).map(text);
    expect(failed.some((line) => line.includes("Failed") && line.includes("truncated.mkv"))).toBe(true);
    expect(records.some((r) => r.level === "info" && text(r).startsWith(`Job ${jobId} started`))).toBe(true);
    expect(records.some((r) => r.properties.job_id === jobId && /Job .* in .* s: 1 succeeded, 1 failed/.test(text(r)))).toBe(true);
  });
});

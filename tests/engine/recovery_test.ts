/**
 * Recording what an earlier vpo left unrecorded: the spool (replayed idempotently by run id, a
 * torn line skipped and reported), in-flight markers and in-flight spool lines of dead
 * processes — before the commit point an interrupted run, after it the completed run with the
 * original's before facts. And the rule at the commit point: no durable record, no replace.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "kysely";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import {
  type Db, definePlugin, deleteInFlight, getRunDetail, type VpoPlugin, type InFlightMarker, insertInFlight, isRunStored, listInFlight, partialHash, type RunRecord, updateInFlight,
} from "../../core/mod.ts";
import { processFile, recoverUnfinishedRuns } from "../../engine/mod.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { ACCEPTANCE_POLICY, type EngineFixture, engineFixture, type EngineFixtureOptions, leftovers, loaded, sha256 } from "./_setup.ts";

let fixtures: Fixtures;
const open: EngineFixture[] = [];
beforeAll(async () => {
  fixtures = await makeFixtures();
});
afterAll(async () => {
  for (const fx of open) await fx.close();
});
async function fixture(options: EngineFixtureOptions = {}): Promise<EngineFixture> {
  const fx = await engineFixture(options);
  open.push(fx);
  return fx;
}

/** A pid that belonged to a process which has ended. */
async function deadPid(): Promise<number> {
  const proc = Bun.spawn(["true"]);
  await proc.exited;
  return proc.pid;
}

/** Processes `file` and returns, besides the stored record, the marker as it was right before the rename. */
async function processWithSnapshot(fx: EngineFixture, file: string) {
  let snapshot: InFlightMarker | null = null;
  const outcome = await processFile(fx.engine, {
    file, policy: loaded(ACCEPTANCE_POLICY()), mayReplace: async () => {
      snapshot = (await listInFlight(fx.db, hostname()))[0] ?? null;
      return true;
    },
  });
  return { outcome, snapshot: snapshot as InFlightMarker | null };
}

/** What a recovered run must share with the run that was recorded normally. */
const facts = (r: RunRecord) => ({
  id: r.id, status: r.status, file_path: r.file_path, size_before: r.size_before, size_after: r.size_after, hash_before: r.hash_before, hash_after: r.hash_after,
  video_source_codec: r.video_source_codec, video_target_codec: r.video_target_codec, video_transcode_skipped: r.video_transcode_skipped, encoder_type: r.encoder_type,
  audio: [r.audio_tracks_before, r.audio_tracks_after, r.audio_tracks_removed], subtitle: [r.subtitle_tracks_before, r.subtitle_tracks_after],
  attachments: [r.attachments_before, r.attachments_after], total_changes: r.total_changes, phases: [r.phases_completed, r.phases_total, r.phases.map((p) => [p.phase_name, p.bytes_read, p.bytes_written])],
  actions: r.actions.map((a) => [a.action_type, a.track_type, a.track_index, a.success, a.rule_reference]),
});

describe("recovering unfinished runs", () => {
  test("a run killed after its commit point is recorded as the completed run it was — from a marker or from a spool line", async () => {
    const fx = await fixture();
    const file = await copyFixture(fixtures, "multi", fx.dir);
    const { outcome, snapshot } = await processWithSnapshot(fx, file);
    expect(outcome.changed).toBe(true);
    expect(snapshot?.pending).not.toBeNull(); // made durable before the rename

    // Another database that never got the record: as if vpo died right after the rename.
    const dead = { ...snapshot!, pid: await deadPid() };
    const viaMarker = await fixture();
    await insertInFlight(viaMarker.db, dead);
    await updateInFlight(viaMarker.db, dead.runId, { phase: "replace", pending: dead.pending });
    const fromMarker = await recoverUnfinishedRuns(viaMarker.engine);
    expect(fromMarker.problems).toEqual([]);
    expect(fromMarker.recovered.map((r) => [r.from, r.committed, r.record.status])).toEqual([["marker", true, "success"]]);
    expect(facts(fromMarker.recovered[0]!.record)).toEqual(facts(outcome.record));
    expect(await getRunDetail(viaMarker.db, dead.runId)).toMatchObject({ size_before: outcome.record.size_before, hash_before: outcome.record.hash_before, status: "success" });
    expect(await listInFlight(viaMarker.db, hostname())).toEqual([]);

    const viaSpool = await fixture();
    appendFileSync(viaSpool.engine.spoolPath, `${JSON.stringify({ in_flight: dead })}\n`);
    const fromSpool = await recoverUnfinishedRuns(viaSpool.engine);
    expect(fromSpool.recovered.map((r) => [r.from, r.committed])).toEqual([["spool", true]]);
    expect(facts(fromSpool.recovered[0]!.record)).toEqual(facts(outcome.record));
    expect(existsSync(viaSpool.engine.spoolPath)).toBe(false);
  }, 30000);

  test("a marker of a dead process before its commit point becomes an interrupted run; the original and its facts are untouched", async () => {
    const fx = await fixture();
    const file = await copyFixture(fixtures, "multi", fx.dir);
    const sha = await sha256(file);
    const runId = Bun.randomUUIDv7();
    const tempPrefix = join(dirname(file), `.${basename(file)}.vpo-${runId.slice(-12)}`);
    appendFileSync(`${tempPrefix}.p1.mkv`, "half a transcode");
    const before = { identity: null, size: statSync(file).size, hash: await partialHash(file), video_codec: "h264", audio_tracks: 3, subtitle_tracks: 2, attachments: 1, info: await fx.engine.probe(file) };
    await insertInFlight(fx.db, { runId, filePath: file, tempPrefix, policyName: "p", jobId: null, host: hostname(), pid: await deadPid(), sizeBefore: before.size, startedAt: new Date().toISOString(), before });
    await updateInFlight(fx.db, runId, { phase: "compress" });
    const { recovered } = await recoverUnfinishedRuns(fx.engine);
    expect(recovered).toHaveLength(1);
    const r = recovered[0]!;
    expect([r.committed, r.record.status, r.removedTempFiles]).toEqual([false, "interrupted", [basename(`${tempPrefix}.p1.mkv`)]]);
    expect(r.record.error_message).toContain('stopped during phase "compress" without finishing — killed or crashed');
    expect(r.record).toMatchObject({ size_before: before.size, size_after: before.size, hash_before: before.hash, audio_tracks_before: 3, audio_tracks_after: 3, video_source_codec: "h264" });
    expect(await sha256(file)).toBe(sha);
    expect(leftovers(fx.dir)).toEqual([]);
  }, 30000);

  test("the spool is replayed once by run id: stored runs are skipped, a torn last line is reported, the file is removed", async () => {
    const fx = await fixture();
    const other = await fixture(); // where a second run was recorded
    const a = (await processFile(fx.engine, { file: await copyFixture(fixtures, "clip", fx.dir), policy: loaded(ACCEPTANCE_POLICY()) })).record;
    const b = (await processFile(other.engine, { file: await copyFixture(fixtures, "silent", other.dir), policy: loaded(ACCEPTANCE_POLICY()) })).record;
    const spool = fx.engine.spoolPath;
    appendFileSync(spool, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n\n${JSON.stringify(b)}\n${JSON.stringify(b).slice(0, 80)}`);
    const { recovered, problems } = await recoverUnfinishedRuns(fx.engine);
    expect(recovered.map((r) => [r.record.id, r.from])).toEqual([[b.id, "spool"]]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("line 5 is torn or unreadable");
    expect(await isRunStored(fx.db, b.id)).toBe(true);
    expect(existsSync(spool)).toBe(false);
    expect(readdirSync(dirname(spool)).filter((f) => f.includes("unrecorded"))).toEqual([]);
    expect((await recoverUnfinishedRuns(fx.engine)).recovered).toEqual([]);
  }, 30000);

  test("the database refusing a replayed run keeps it in the spool for the next start", async () => {
    const fx = await fixture();
    const other = await fixture();
    const b = (await processFile(other.engine, { file: await copyFixture(fixtures, "silent", other.dir), policy: loaded(ACCEPTANCE_POLICY()) })).record;
    appendFileSync(fx.engine.spoolPath, `${JSON.stringify(b)}\n`);
    await sql`PRAGMA query_only = ON`.execute(fx.db); // a database that reads but refuses every write
    const { recovered, problems } = await recoverUnfinishedRuns(fx.engine);
    expect(recovered).toEqual([]);
    expect(problems[0]).toContain(`Cannot store the spooled run ${b.id} yet`);
    expect(readFileSync(fx.engine.spoolPath, "utf8")).toContain(b.id);
  }, 30000);
});

/** A plugin that deletes the run's in-flight marker as the run begins: the commit point then finds no marker to update. */
function markerLoser(db: () => Db): VpoPlugin {
  return definePlugin({ name: "marker-loser", version: "1.0.0", beforeRun: (run) => deleteInFlight(db(), run.id) });
}

describe("the commit point", () => {
  test("when the marker cannot take the pending run, an fsynced spool line does, and the replace goes ahead", async () => {
    let db: Db;
    const fx = await fixture({ plugins: [markerLoser(() => db)] });
    db = fx.db;
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const { record, changed } = await processFile(fx.engine, { file, policy: loaded(ACCEPTANCE_POLICY()) });
    expect(changed).toBe(true);
    expect(record.status).toBe("success");
    const line = JSON.parse(readFileSync(fx.engine.spoolPath, "utf8").trim());
    expect(line.in_flight).toMatchObject({ runId: record.id, phase: "replace", before: { size: record.size_before, hash: record.hash_before } });
    expect(line.in_flight.pending.outcome).toEqual({ success: true, status: "success", error: null });
    // The run was stored after all: the next start drops the line.
    expect((await recoverUnfinishedRuns(fx.engine)).recovered).toEqual([]);
    expect(existsSync(fx.engine.spoolPath)).toBe(false);
  }, 30000);

  test("when neither the marker nor the spool can take the pending run, the original is not replaced", async () => {
    let db: Db;
    // A spool under a file, not a directory: every append fails (ENOTDIR).
    const fx = await fixture({ plugins: [markerLoser(() => db)], spoolPath: "/dev/null/spool.ndjson" });
    db = fx.db;
    const file = await copyFixture(fixtures, "clip", fx.dir);
    const sha = await sha256(file);
    const { record, changed } = await processFile(fx.engine, { file, policy: loaded(ACCEPTANCE_POLICY()) });
    expect({ changed, status: record.status }).toEqual({ changed: false, status: "failed" });
    expect(record.error_message).toMatch(/^Cannot make the run durable before replacing the file \(database: .*; spool \/dev\/null\/spool\.ndjson: .*\); ".*clip\.mp4" was left untouched$/);
    expect(await sha256(file)).toBe(sha);
    expect(leftovers(fx.dir)).toEqual([]);
  }, 30000);
});

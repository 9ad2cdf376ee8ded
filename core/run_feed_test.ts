import { expect, test } from "bun:test";
import { sql } from "kysely";
import { forEachDialect } from "../tests/dialects.ts";
import { openDatabase } from "./db/open.ts";
import { createEventBus, type RunRecordedEvent } from "./events.ts";
import { recordRun } from "./repository/record.ts";
import { purgeRuns } from "./repository/purge.ts";
import { directFeedReader, followRunFeed } from "./run_feed.ts";

const run = (policy_name: string) => ({ file_path: `/m/${policy_name}.mkv`, processed_at: "2026-03-01T10:00:00Z", policy_name, success: true });

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await Bun.sleep(10);
  }
}

forEachDialect("run feed", (dialect) => {
  test("a follower sees every run recorded by another connection after it started, once, in order, and purges", async () => {
    const location = await dialect.newLocation();
    const writer = await openDatabase(location);
    const reader = await openDatabase(location);
    const bus = createEventBus();
    const seen: string[] = [];
    let purges = 0;
    bus.on("run.recorded", (e) => seen.push(e.policy_name));
    bus.on("runs.purged", () => purges++);
    await recordRun(writer.db, run("before-start"));
    const follower = await followRunFeed(directFeedReader(reader.db), bus, { pollMs: 20 });
    try {
      for (const name of ["a", "b", "c"]) await recordRun(writer.db, run(name));
      await until(() => seen.length === 3);
      await purgeRuns(writer.db, { policy: "a" });
      await until(() => purges === 1);
      await Bun.sleep(100);
      expect(seen).toEqual(["a", "b", "c"]);
      expect(purges).toBe(1);
    } finally {
      follower.stop();
      await writer.close();
      await reader.close();
    }
  });

  if (dialect.name === "postgres") test("a run whose transaction took a lower seq but committed later is still delivered", async () => {
    const location = await dialect.newLocation();
    const first = await openDatabase(location);
    const second = await openDatabase(location);
    const follower_db = await openDatabase(location);
    const bus = createEventBus();
    const seen: RunRecordedEvent[] = [];
    bus.on("run.recorded", (e) => seen.push(e));
    const follower = await followRunFeed(directFeedReader(follower_db.db), bus, { pollMs: 20 });
    try {
      // Transaction A inserts first (lower seq) and stays open; B inserts and commits; the follower
      // reads B (seq > A's) before A commits. Following "seq > last seen" would now skip A for good.
      let releaseA!: () => void;
      const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
      let aInserted!: () => void;
      const aReady = new Promise<void>((resolve) => (aInserted = resolve));
      const a = first.db.transaction().execute(async (trx) => {
        await trx.insertInto("processing_stats").values({
          id: "0195aaaa-0000-7000-8000-00000000000a", file_path: "/m/a.mkv", processed_at: "2026-03-01T10:00:00.000Z", policy_name: "late",
          status: "success", success: 1, phases_completed: 0, phases_total: 0, total_changes: 0,
        } as never).execute();
        await trx.insertInto("run_feed").values({ kind: "run", run_id: "0195aaaa-0000-7000-8000-00000000000a", at: new Date().toISOString(), tx: sql`pg_current_xact_id()::text::bigint` as never }).execute();
        aInserted();
        await aHeld;
      });
      await aReady;
      await recordRun(second.db, run("early"));
      await until(() => seen.some((e) => e.policy_name === "early"));
      expect(seen.map((e) => e.policy_name)).toEqual(["early"]);
      releaseA();
      await a;
      await until(() => seen.some((e) => e.policy_name === "late"));
      await Bun.sleep(100);
      expect(seen.map((e) => e.policy_name)).toEqual(["early", "late"]);
    } finally {
      follower.stop();
      await first.close();
      await second.close();
      await follower_db.close();
    }
  });
});

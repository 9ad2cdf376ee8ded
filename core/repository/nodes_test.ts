import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import { type OpenedDatabase, openDatabase } from "../db/open.ts";
import { registerNode } from "../node.ts";
import { recordRuns } from "./record.ts";
import { getQueueStatus } from "./queue_status.ts";
import { VPO_QUEUE } from "./queue_jobs.ts";
import { listNodes, NODE_ONLINE_SECONDS } from "./nodes.ts";
import { getSummary } from "./summary.ts";
import { newRun } from "../../tests/server/_seed.ts";

forEachDialect("the machines view", (dialect) => {
  let database: OpenedDatabase;
  beforeAll(async () => {
    database = await openDatabase(await dialect.newLocation());
    const at = (h: number) => new Date(Date.UTC(2026, 0, 10, h)).toISOString();
    await recordRuns(database.db, [
      newRun({ node: "node-a", processed_at: at(1) }), newRun({ node: "node-a", processed_at: at(2), success: false, status: "failed", error_message: "x" }),
      newRun({ node: "node-b", processed_at: at(3) }), newRun({ node: null, processed_at: at(4) }),
    ]);
    await registerNode(database.db, { id: "00000000-0000-7000-8000-00000000000a", name: "node-a", hostname: "host-a" }, "0.1.0");
    await registerNode(database.db, { id: "00000000-0000-7000-8000-00000000000c", name: "node-c", hostname: "host-c" }, "0.1.0");
  });
  afterAll(() => database?.close());

  test("lists registered machines and node names of runs; their runs add up to the summary", async () => {
    const rows = await listNodes(database.db);
    expect(rows.map((r) => [r.name, r.runs, r.failures, r.hostname, r.online])).toEqual([
      ["node-a", 2, 1, "host-a", true], [null, 1, 0, null, false], ["node-b", 1, 0, null, false], ["node-c", 0, 0, "host-c", true],
    ].sort((a, b) => Number(b[1]) - Number(a[1]) || String(a[0] ?? "").localeCompare(String(b[0] ?? ""))));
    expect(rows.reduce((n, r) => n + r.runs, 0)).toBe((await getSummary(database.db)).total_files_processed);
    expect(rows.find((r) => r.name === "node-a")!.failure_rate).toBe(0.5);
    expect((await listNodes(database.db, { node: "node-c" })).map((r) => r.name)).toEqual(["node-c"]);
  });

  test(`a machine not seen for ${NODE_ONLINE_SECONDS} s is offline`, async () => {
    const later = Date.now() + (NODE_ONLINE_SECONDS + 1) * 1000;
    expect((await listNodes(database.db, {}, later)).every((r) => !r.online)).toBe(true);
  });

  test("without a queue (SQLite, or nothing enqueued yet) the queue is empty", async () => {
    expect(await getQueueStatus(database.db, VPO_QUEUE)).toEqual({
      counts: { created: 0, retry: 0, active: 0, completed: 0, cancelled: 0, failed: 0 }, in_progress: [], failed: [],
    });
  });
});

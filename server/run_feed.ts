import { getLogger } from "@logtape/logtape";
import { sql } from "kysely";
import type { Db, EventBus } from "../core/mod.ts";
import type { RunMetrics } from "./prometheus.ts";
import type { Reader } from "./reads/ops.ts";

const log = getLogger(["vpo", "server", "feed"]);

/**
 * Follows processing_stats by rowid so every stored run is counted exactly once in the metrics,
 * whoever wrote it. A run this process announced on the bus (POST /api/stats/runs) is only
 * counted; a run written by another process (a `vpo process` beside the server, noticed via
 * SQLite's data_version) is also announced as run.recorded, so SSE clients and caches see it.
 */
export interface RunFeed {
  /** Counts every stored run from scratch (start, and after runs were deleted). */
  rebaseline(): Promise<void>;
  /** Looks for runs stored since the last look. */
  poke(): void;
  /** How many times everything was counted from scratch (start included). */
  readonly recounts: number;
  /** Resolves when no look is running or pending (tests). */
  settled(): Promise<void>;
  stop(): void;
}

export function createRunFeed(options: { db: Db; reader: Reader; bus: EventBus; metrics: RunMetrics; onExternalChange(): void; pollMs?: number }): RunFeed {
  const { db, reader, bus, metrics } = options;
  let lastRowid = 0;
  /** Runs counted so far: the baseline plus every run added since. */
  let counted = 0;
  let recounts = 0;
  let ready = false;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  let busy = false;
  let announcing = false;
  const announced = new Set<string>();

  const offRecorded = bus.on("run.recorded", (event) => {
    if (announcing) return;
    announced.add(event.id);
    // Ids of runs a recount already included are never met by a look: keep the set bounded.
    if (announced.size > 10_000) announced.delete(announced.values().next().value!);
    feed.poke();
  });

  const look = async (external: boolean) => {
    for (;;) {
      const runs = await reader.read("runsAfterRowid", { afterRowid: lastRowid });
      for (const run of runs) {
        metrics.addRun(run.totals);
        counted++;
        lastRowid = Math.max(lastRowid, run.rowid);
        if (announced.delete(run.event.id)) continue;
        announcing = true;
        try {
          bus.emit("run.recorded", run.event);
        } finally {
          announcing = false;
        }
      }
      if (runs.length < 10_000) break;
    }
    // Another process wrote: new runs (counted above), a job update, or a purge. Runs are
    // append-only, so only a purge leaves the stored count different from ours; the rollup
    // tells without a scan, and only then is everything recounted.
    if (external && (await reader.read("runCount", {})) !== counted) await feed.rebaseline();
  };

  const schedule = (external: boolean) => {
    if (!ready) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = (async () => {
      try {
        do {
          again = false;
          await look(external);
          external = false;
        } while (again);
      } catch (error) {
        log.warn("Could not follow new runs: {error}", { error: String(error) });
      } finally {
        busy = false;
      }
    })();
  };

  let dataVersion: number | undefined;
  const poll = setInterval(async () => {
    try {
      const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(db);
      const version = Number(rows[0]?.data_version);
      if (dataVersion !== undefined && version !== dataVersion) {
        options.onExternalChange();
        schedule(true);
      }
      dataVersion = version;
    } catch {}
  }, options.pollMs ?? 1_000);

  const feed: RunFeed = {
    async rebaseline() {
      const { totals, maxRowid } = await reader.read("runTotalsSnapshot", {});
      metrics.setBaseline(totals);
      counted = totals.reduce((sum, t) => sum + t.runs, 0);
      recounts++;
      lastRowid = maxRowid;
      ready = true;
    },
    poke: () => schedule(false),
    get recounts() {
      return recounts;
    },
    async settled() {
      while (busy) await running;
    },
    stop() {
      clearInterval(poll);
      offRecorded();
    },
  };
  return feed;
}

import { getLogger } from "@logtape/logtape";
import type { Db } from "./db/handle.ts";
import type { EventBus } from "./events.ts";
import { type FeedCursor, feedHead, readFeed, runEvents } from "./repository/feed.ts";

const log = getLogger(["vpo", "feed"]);

/** How a follower reads: on the calling thread, or through a read pool (both run the same queries). */
export interface FeedReader {
  head(): Promise<FeedCursor>;
  read(cursor: FeedCursor): Promise<{ entries: { seq: number; kind: string; run_id: string | null }[]; cursor: FeedCursor }>;
  events(ids: string[]): Promise<import("./events.ts").RunRecordedEvent[]>;
}

/** Reads the feed on `db` directly. */
export function directFeedReader(db: Db): FeedReader {
  return { head: () => feedHead(db), read: (cursor) => readFeed(db, cursor), events: (ids) => runEvents(db, ids) };
}

export interface RunFeedFollower {
  /** Look now (after a local write, or when LISTEN/NOTIFY or data_version says something changed). */
  poke(): void;
  /** Resolves when no look is running or pending (tests). */
  settled(): Promise<void>;
  /** Entries delivered so far. */
  readonly delivered: number;
  stop(): void;
}

/**
 * Follows the run feed from now on and puts what it finds on `bus`: `run.recorded` for each run
 * recorded by any process or machine on the database, `runs.purged` for each purge. It looks every
 * `pollMs` (a safety net) and whenever poked; looks never overlap, and a poke during a look causes
 * one more look.
 *
 * @example const follower = await followRunFeed(directFeedReader(db), bus); bus.on("run.recorded", (run) => …);
 */
export async function followRunFeed(reader: FeedReader, bus: EventBus, options: { pollMs?: number } = {}): Promise<RunFeedFollower> {
  let cursor = await reader.head();
  let delivered = 0;
  let busy: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const look = async () => {
    for (;;) {
      const { entries, cursor: next } = await reader.read(cursor);
      const runs = entries.filter((e) => e.kind === "run" && e.run_id).map((e) => e.run_id!);
      const events = await reader.events(runs);
      cursor = next;
      for (const event of events) bus.emit("run.recorded", event);
      for (const entry of entries) if (entry.kind === "purge") bus.emit("runs.purged", { at: new Date().toISOString() });
      delivered += entries.length;
      if (entries.length < 10_000) return;
    }
  };
  const poke = () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = (async () => {
      try {
        do {
          again = false;
          await look();
        } while (again && !stopped);
      } catch (error) {
        log.warn("Could not read the run feed: {error}", { error: String(error) });
      } finally {
        busy = null;
      }
    })();
  };
  const timer = setInterval(poke, options.pollMs ?? 1_000);
  timer.unref?.();
  return {
    poke,
    async settled() {
      while (busy) await busy;
    },
    get delivered() {
      return delivered;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

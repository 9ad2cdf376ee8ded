/**
 * The stores with a retention period of their own, each under its `[retention]` key. Every
 * retention pass (commands at start, `vpo serve` and `vpo worker` daily, `vpo db retention`)
 * goes through this list: add a store here, not a timer of its own.
 */
import { pruneLogs } from "../../core/mod.ts";
import type { RetentionStore } from "./run.ts";

/** The log store (`vpo logs`): records older than `logs_days` go. */
export const logStoreRetention: RetentionStore = { key: "logs_days", name: "log records", purgeBefore: (db, before) => pruneLogs(db, before) };

export const RETENTION_STORES: readonly RetentionStore[] = [logStoreRetention];

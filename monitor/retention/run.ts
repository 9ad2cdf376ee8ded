import { getLogger } from "@logtape/logtape";
import { applyRetention, type Config, type Db, floorToDay, lastRetentionRun, type RetentionCounts, type RetentionCutoffs } from "../../core/mod.ts";

import { RETENTION_STORES } from "./stores.ts";

const log = getLogger(["vpo", "retention"]);
const DAY = 86_400_000;

/** `[retention]`: days each kind of record is kept; unset = for ever. */
export type RetentionSettings = NonNullable<Config["retention"]>;

/**
 * A store with its own retention, e.g. the log store (`logs_days`): retention calls it with the
 * cutoff. Stores register here rather than retention knowing them.
 */
export interface RetentionStore {
  /** The `[retention]` key that sets its period, e.g. "logs_days". */
  key: keyof RetentionSettings;
  name: string;
  /** Deletes what is older than `before`; returns how many records went. */
  purgeBefore(db: Db, before: string): Promise<number>;
}

export interface RetentionResult extends RetentionCounts {
  cutoffs: RetentionCutoffs;
  /** Records deleted per registered store. */
  stores: Record<string, number>;
}

/** The cutoffs the settings give at `now`: runs and details at a UTC midnight, so whole days go. */
export function retentionCutoffs(settings: RetentionSettings, now: Date): RetentionCutoffs {
  const before = (days: number | undefined) => (days === undefined ? undefined : floorToDay(new Date(now.getTime() - days * DAY).toISOString()));
  return {
    runsBefore: before(settings.runs_days),
    detailsBefore: before(settings.details_days),
    reportsBefore: settings.reports_days === undefined ? undefined : new Date(now.getTime() - settings.reports_days * DAY).toISOString(),
  };
}

/**
 * One retention pass: deletes runs, details and reports past their periods (the daily totals
 * stay), then asks each registered store (the log store) to drop what is past its own.
 *
 * @example await runRetention(db, { runs_days: 365, details_days: 90 })
 */
export async function runRetention(db: Db, settings: RetentionSettings, options: { now?: Date; stores?: readonly RetentionStore[] } = {}): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const cutoffs = retentionCutoffs(settings, now);
  const counts = await applyRetention(db, cutoffs, now);
  const stores: Record<string, number> = {};
  for (const store of options.stores ?? RETENTION_STORES) {
    const days = settings[store.key];
    if (days !== undefined) stores[store.name] = await store.purgeBefore(db, new Date(now.getTime() - days * DAY).toISOString());
  }
  if (counts.runs + counts.details + counts.reports > 0) log.info("Retention deleted {runs} runs, details of older runs ({details} rows), {reports} reports", { ...counts });
  for (const [name, n] of Object.entries(stores)) if (n > 0) log.info("Retention deleted {n} {name} record(s)", { n, name });
  return { ...counts, cutoffs, stores };
}

/**
 * runRetention unless a pass (by any process on the database) ran within `minIntervalMs`
 * (default 20 h): what commands do at start, so retention runs about daily without a server.
 */
export async function runRetentionIfDue(db: Db, settings: RetentionSettings, options: { now?: Date; minIntervalMs?: number; stores?: readonly RetentionStore[] } = {}): Promise<RetentionResult | null> {
  const now = options.now ?? new Date();
  const last = await lastRetentionRun(db);
  if (last !== null && now.getTime() - Date.parse(last) < (options.minIntervalMs ?? 20 * 3_600_000)) return null;
  return runRetention(db, settings, { ...options, now });
}

/** Runs retention now and then daily, for `vpo serve`; returns the function that stops it. */
export function startDailyRetention(db: Db, settings: RetentionSettings, options: { stores?: readonly RetentionStore[]; intervalMs?: number } = {}): () => void {
  let stopped = false;
  const pass = () =>
    runRetentionIfDue(db, settings, { stores: options.stores, minIntervalMs: (options.intervalMs ?? DAY) - 60_000 }).catch((error) => {
      if (!stopped) log.error("Retention failed: {error}", { error: String(error) });
    });
  void pass();
  const timer = setInterval(pass, Math.min(options.intervalMs ?? DAY, 3_600_000));
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

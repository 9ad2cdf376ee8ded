import { type SqlBool, sql } from "kysely";
import { bulkInsert, bulkInsertValues, selectIn } from "../db/bulk_insert.ts";
import { dialectOf, type Db } from "../db/handle.ts";
import { takeWriteLock } from "../db/write_lock.ts";
import { storageError, VpoError } from "../errors.ts";
import { failureReason } from "../record/failure_reason.ts";
import { normalizeRunRecord, RUN_FIELD_NAMES, type RunRecord } from "../record/mod.ts";
import { MetricContributions } from "./_detail_rollups.ts";
import { encodeMetrics } from "./_metric_rows.ts";
import { foldIntoRollup } from "./_rollup.ts";
import { appendToFeed } from "./feed_write.ts";

/**
 * Storing runs. Every write is one transaction that takes the write lock first (BEGIN IMMEDIATE on
 * SQLite, an advisory lock on PostgreSQL: takeWriteLock), so any number of processes may record at once; rows go in as multi-row inserts of up
 * to 1,024 rows (bulkInsertValues), and the rollup is folded once per transaction from the stored rows.
 */

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * Lets the event loop run when `ms` have passed since it last did: a large write (20,000 runs in
 * one POST) then never stalls a server's other requests for long. Statements of bun:sqlite are
 * synchronous, and awaiting them only yields to microtasks.
 */
export function createBreather(ms = 20): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

/** files.id of every path, creating rows for paths never scanned; an upsert, so concurrent writers never collide. */
async function fileIds(trx: Db, paths: string[], breathe?: () => Promise<void>): Promise<Map<string, number>> {
  const unique = [...new Set(paths)];
  const ids = new Map<string, number>();
  const size = breathe ? 500 : 5_000;
  for (let i = 0; i < unique.length; i += size) {
    const chunk = unique.slice(i, i + size);
    await bulkInsert(trx, "files", ["path", "scan_status"], chunk.map((path) => [path, "ok"]), { ignoreConflictsOn: ["path"] });
    for (const row of await selectIn<{ id: unknown; path: string }>(trx, `select id, path from files where path in`, chunk)) ids.set(row.path, Number(row.id));
    await breathe?.();
  }
  return ids;
}

/** The run's fields, its file and its failure reason (derived here, for every writer: record, import, POST). */
const RUN_COLUMNS = ["file_id", ...RUN_FIELD_NAMES, "failure_reason"];
const ACTION_COLUMNS = ["stats_id", "seq", "action_type", "track_type", "track_index", "before_state", "after_state", "success", "duration_ms", "rule_reference", "message"];
const PHASE_COLUMNS = ["stats_id", "seq", "phase_name", "wall_time_seconds", "bytes_read", "bytes_written", "encoding_fps", "encoding_bitrate"];
const METRIC_COLUMNS = ["stats_id", "metrics"];
const ERROR_COLUMNS = ["stats_id", "plugin", "hook", "code", "message"];

/** The processing_stats values of a normalised run, appended to `out` in RUN_COLUMNS order. */
function pushRunValues(out: unknown[], run: RunRecord, fileId: number | null): void {
  out.push(fileId);
  for (const name of RUN_FIELD_NAMES) {
    const value = run[name];
    out.push(typeof value === "boolean" ? (value ? 1 : 0) : value);
  }
  out.push(run.success ? null : failureReason(run.error_message));
}

/**
 * The rows of the runs, one flat array of values per table (row after row, in the table's column
 * order): plain loops and no array per row, as a batch holds hundreds of thousands of values.
 */
function tableValues(runs: RunRecord[], ids: Map<string, number>, contributions: MetricContributions) {
  const stats: unknown[] = [];
  const actions: unknown[] = [];
  const phases: unknown[] = [];
  const metrics: unknown[] = [];
  const errors: unknown[] = [];
  for (const run of runs) {
    pushRunValues(stats, run, ids.get(run.file_path) ?? null);
    const id = run.id;
    for (let seq = 0; seq < run.actions.length; seq++) {
      const a = run.actions[seq]!;
      actions.push(id, seq, a.action_type, a.track_type ?? null, a.track_index ?? null, json(a.before_state), json(a.after_state),
        a.success ? 1 : 0, a.duration_ms ?? null, a.rule_reference ?? null, a.message ?? null);
    }
    for (let seq = 0; seq < run.phases.length; seq++) {
      const p = run.phases[seq]!;
      phases.push(id, seq, p.phase_name, p.wall_time_seconds ?? null, p.bytes_read ?? null, p.bytes_written ?? null, p.encoding_fps ?? null, p.encoding_bitrate ?? null);
    }
    // One row a run, its metrics as JSON; the rollup's figures are added up on the way.
    const encoded = encodeMetrics(run.plugin_metrics, contributions.of(run));
    if (encoded !== null) metrics.push(id, encoded);
    for (const e of run.plugin_errors) errors.push(id, e.plugin, e.hook, e.code, e.message);
  }
  return { stats, actions, phases, metrics, errors };
}

/**
 * Runs whose rows are made and inserted at a time: a server's write (breathe) then never holds
 * the event loop for long, and an import's memory holds the rows of this many runs, not of its batch.
 */
const RUNS_PER_SLICE = 1_000;

/**
 * Writes runs into the open transaction `trx`, slice after slice, and folds them into the rollups
 * once at the end: what one transaction of storeRuns or storeRunSlices stores.
 */
class RunWriter {
  readonly #contributions = new MetricContributions();
  /** Ids of the runs stored so far (PostgreSQL, and a server's write, fold by id). */
  readonly #ids: string[] = [];
  // Smaller statements when others wait for the event loop: each runs without a break.
  readonly #options;

  private constructor(
    private readonly trx: Db,
    private readonly breathe: (() => Promise<void>) | undefined,
    /** SQLite: the largest rowid before this transaction; its runs are exactly the rows after it. */
    private readonly lastRowid: number | undefined,
  ) {
    this.#options = { between: breathe, rowsPerStatement: breathe ? 200 : undefined };
  }

  static async open(trx: Db, breathe?: () => Promise<void>): Promise<RunWriter> {
    // Under the write lock nobody else inserts, so a rowid range is this transaction's runs.
    const lastRowid = dialectOf(trx) === "sqlite" && !breathe
      ? Number((await sql<{ last: number | null }>`select max(rowid) as last from processing_stats`.execute(trx)).rows[0]?.last ?? 0)
      : undefined;
    return new RunWriter(trx, breathe, lastRowid);
  }

  /** Stores normalised runs none of which is stored yet: their rows and feed entries. */
  async add(runs: RunRecord[]): Promise<void> {
    if (runs.length === 0) return;
    const { trx, breathe } = this;
    const ids = await fileIds(trx, runs.map((r) => r.file_path), breathe);
    const slice = breathe ? 500 : RUNS_PER_SLICE;
    for (let i = 0; i < runs.length; i += slice) {
      const values = tableValues(runs.slice(i, i + slice), ids, this.#contributions);
      await bulkInsertValues(trx, "processing_stats", RUN_COLUMNS, values.stats, this.#options);
      await bulkInsertValues(trx, "action_results", ACTION_COLUMNS, values.actions, this.#options);
      await bulkInsertValues(trx, "performance_metrics", PHASE_COLUMNS, values.phases, this.#options);
      await bulkInsertValues(trx, "plugin_metrics", METRIC_COLUMNS, values.metrics, this.#options);
      await bulkInsertValues(trx, "plugin_errors", ERROR_COLUMNS, values.errors, this.#options);
      await breathe?.();
    }
    for (const run of runs) this.#ids.push(run.id);
    await appendToFeed(trx, runs.map((run) => ({ kind: "run", run_id: run.id })));
  }

  /** Folds every run added into the rollups, once. */
  async fold(): Promise<void> {
    const { trx, breathe } = this;
    if (this.lastRowid !== undefined) {
      // One fold over a rowid range: no id list to parse and plan (a new statement each time).
      if (this.#ids.length > 0) await foldIntoRollup(trx, sql<SqlBool>`processing_stats.rowid > ${this.lastRowid}`, this.#contributions.rows());
      return;
    }
    const foldSize = breathe ? 500 : 5_000;
    const metrics = this.#contributions.rows();
    for (let i = 0; i < this.#ids.length; i += foldSize) {
      // A server's write (breathe) folds its metrics chunk by chunk from the table, between breaths.
      await foldIntoRollup(trx, idIn(this.#ids.slice(i, i + foldSize)), breathe ? undefined : i === 0 ? metrics : []);
      await breathe?.();
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `processing_stats.id in ('…', …)` with the ids written into the SQL: the rollup folds are
 * Kysely queries, and a bound value per id would cost a frozen node each. Only ids that passed the
 * record's UUID check (lowercase hex and dashes) are written; anything else is refused.
 */
function idIn(ids: readonly string[]) {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a run id: ${JSON.stringify(id)}`);
  return sql<SqlBool>`processing_stats.id in (${sql.raw(ids.map((id) => `'${id}'`).join(", "))})`;
}

/** Ids among `ids` already stored. */
async function storedIds(trx: Db, ids: string[], breathe?: () => Promise<void>): Promise<Set<string>> {
  const stored = new Set<string>();
  const size = breathe ? 500 : 5_000;
  for (let i = 0; i < ids.length; i += size) {
    for (const row of await selectIn<{ id: string }>(trx, `select id from processing_stats where id in`, ids.slice(i, i + size))) stored.add(row.id);
    await breathe?.();
  }
  return stored;
}

export interface RecordOptions {
  /** What to do with a run whose id is already stored: refuse the whole batch (default) or skip it. */
  duplicates?: "fail" | "skip";
  /** Let the event loop run every so often during a large write (servers). */
  breathe?: () => Promise<void>;
}

export interface RecordResult {
  stored: RunRecord[];
  /** Runs skipped because their id was already stored (or came earlier in the batch). */
  duplicates: RunRecord[];
}

/**
 * Stores normalised runs in one transaction: all or none. With `duplicates: "fail"` a run whose id
 * is already stored fails the batch with DUPLICATE_RUN (nothing is stored); with "skip" it is left
 * out and reported. Duplicates are checked under the write lock, so concurrent importers of the same
 * file store each run once.
 */
export async function storeRuns(db: Db, runs: RunRecord[], options: RecordOptions = {}): Promise<RecordResult> {
  const result: RecordResult = { stored: [], duplicates: [] };
  if (runs.length === 0) return result;
  await storeRunSlices(db, [runs], options, (stored, duplicates) => {
    result.stored.push(...stored);
    result.duplicates.push(...duplicates);
  });
  return result;
}

/**
 * storeRuns over runs that arrive slice by slice (an import reading its file), all in one
 * transaction: a large transaction (one commit) while only a slice is held in memory. `each` hears
 * what every slice stored and skipped; it is final only once this resolves (else all is rolled back).
 */
export async function storeRunSlices(
  db: Db,
  slices: AsyncIterable<RunRecord[]> | Iterable<RunRecord[]>,
  options: RecordOptions,
  each: (stored: RunRecord[], duplicates: RunRecord[]) => void,
): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      await takeWriteLock(trx);
      const writer = await RunWriter.open(trx, options.breathe);
      const seen = new Set<string>();
      for await (const runs of slices) {
        const stored = await storedIds(trx, runs.map((r) => r.id), options.breathe);
        const fresh: RunRecord[] = [];
        const duplicates: RunRecord[] = [];
        for (const run of runs) {
          if (stored.has(run.id) || seen.has(run.id)) duplicates.push(run);
          else {
            seen.add(run.id);
            fresh.push(run);
          }
        }
        if (duplicates.length > 0 && options.duplicates !== "skip") {
          const id = duplicates[0]!.id;
          throw new VpoError("DUPLICATE_RUN", `A run with id ${id} is already recorded${duplicates.length > 1 ? ` (and ${duplicates.length - 1} more)` : ""}; nothing was stored`, {
            details: duplicates.map((r) => r.id),
          });
        }
        await writer.add(fresh);
        each(fresh, duplicates);
      }
      await writer.fold();
    });
  } catch (error) {
    throw storageError(error);
  }
}

/**
 * Stores one run — the stats row, its actions, phases, plugin metrics and plugin errors, the
 * rollup and the feed — in a single transaction, so a run is either wholly recorded or not at all.
 * Accepts anything in the import format; it is validated and normalised first.
 */
export async function recordRun(db: Db, input: unknown): Promise<RunRecord> {
  const run = normalizeRunRecord(input);
  await storeRuns(db, [run]);
  return run;
}

/** Validates and stores several runs in one transaction: all or none. */
export async function recordRuns(db: Db, inputs: unknown[], options: Pick<RecordOptions, "breathe"> = {}): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const [i, input] of inputs.entries()) {
    runs.push(normalizeRunRecord(input, `Invalid run record at index ${i}`));
    await options.breathe?.();
  }
  return (await storeRuns(db, runs, options)).stored;
}

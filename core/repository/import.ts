import type { Db } from "../db/handle.ts";
import { errorMessage, VpoError } from "../errors.ts";
import { normalizeRunRecord, normalizeValidatedRun, type RunRecord } from "../record/mod.ts";
import { withBulkLoadSettings } from "../db/sqlite/bulk_load.ts";
import { ANALYZE_AFTER_RUNS, refreshPlannerStatistics } from "./planner_statistics.ts";
import { storeRunSlices } from "./record.ts";

/** One rejected line of an NDJSON import: its 1-based number and what is wrong with it. */
export interface ImportLineError {
  line: number;
  message: string;
}

/** The outcome of checking or importing an NDJSON file of runs. */
export interface ImportReport {
  /** Non-blank lines read. */
  lines: number;
  valid: number;
  invalid: number;
  /** The first MAX_REPORTED_ERRORS problems (all of them are counted in `invalid`). */
  errors: ImportLineError[];
  /** Runs stored (on a dry run: that would be stored). */
  imported: number;
  /** Valid runs skipped because a run with the same id is already stored (or earlier in the file). */
  duplicates: number;
}

export interface ImportOptions {
  /** Import the valid lines even when some are invalid (default: import nothing then). */
  skipInvalid?: boolean;
  /** Validate and count duplicates, store nothing. */
  dryRun?: boolean;
  /** Runs per transaction (default IMPORT_BATCH_SIZE). */
  batchSize?: number;
  /** Hears how far the import is, every stretch of lines (a progress bar on a terminal). */
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * How far an import is: which pass, and its counts so far. `stored` counts the runs written in
 * the open transaction too: final only once the import returns (a failed batch is rolled back).
 */
export interface ImportProgress {
  phase: "checking" | "storing";
  /** Lines read in this pass. */
  lines: number;
  /** Checking: lines found invalid so far. */
  invalid: number;
  /** Storing: runs stored, and runs skipped as already stored. */
  stored: number;
  duplicates: number;
}

/** Enough to fix a file by; a file of a million bad lines must not fill memory with messages. */
export const MAX_REPORTED_ERRORS = 100;

/** One NDJSON line as a validated, normalised run, or the reason it is not one. */
export function parseRunLine(text: string, line: number): RunRecord | ImportLineError {
  const start = text.trimStart();
  const hint = start.startsWith("[")
    ? ' — this looks like a JSON array; import reads NDJSON, one run per line ("vpo stats export --format ndjson", or jq -c ".[]")'
    : line === 1 && /^"?[a-z_]+"?,"?[a-z_]+"?,/.test(start)
      ? ' — this looks like a CSV header ("vpo stats export --format csv"); import reads NDJSON, one run per line ("vpo stats export --format ndjson")'
      : "";
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { line, message: `line ${line}: not valid JSON (${errorMessage(error)})${hint}` };
  }
  // valibot takes an array for an object with missing keys, which reads as nonsense.
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { line, message: `line ${line}: expected a JSON object (one run per line)${hint}` };
  }
  try {
    return normalizeRunRecord(input, `line ${line}`);
  } catch (error) {
    return { line, message: errorMessage(error) };
  }
}

const isError = (x: RunRecord | ImportLineError): x is ImportLineError => "line" in x;

/**
 * A line as NDJSON. `vpo stats export --format json` writes an array of one run per line — "[",
 * "{…},", …, "{…}", "]" — so the brackets are read as blank lines and a run's trailing comma
 * dropped: that export imports too, line numbers unchanged.
 */
function asNdjsonLine(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "[" || trimmed === "]") return "";
  return trimmed.endsWith("},") ? trimmed.slice(0, -1) : text;
}

const NEWLINE = 10;

/**
 * Splits a byte stream into lines (LF or CRLF). Works on bytes and decodes each whole line on its
 * own, so a multi-byte character split across chunks is never cut, and no text is built up and
 * split again (that cost more than parsing the JSON).
 */
export async function* readLines(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const text = (bytes: Uint8Array) => decoder.decode(bytes.at(-1) === 13 ? bytes.subarray(0, -1) : bytes);
  let rest: Uint8Array | undefined;
  for await (const chunk of source) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE);
    if (rest && end !== -1) {
      const joined = new Uint8Array(rest.length + end);
      joined.set(rest);
      joined.set(chunk.subarray(0, end), rest.length);
      yield text(joined);
      rest = undefined;
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    for (; end !== -1; start = end + 1, end = chunk.indexOf(NEWLINE, start)) yield text(chunk.subarray(start, end));
    if (start < chunk.length) {
      const tail = chunk.slice(start);
      if (!rest) rest = tail;
      else {
        const joined = new Uint8Array(rest.length + tail.length);
        joined.set(rest);
        joined.set(tail, rest.length);
        rest = joined;
      }
    }
  }
  if (rest && rest.length > 0) yield text(rest);
}

type Lines = () => AsyncIterable<string>;

/** Lines per hashed stretch: the second pass checks each stretch before any of its runs is stored. */
const STRETCH = 1_000;

/**
 * Imports an NDJSON file of runs (the format streamRunRecords writes, or vpo's JSON export) in two passes over
 * `lines`, which must therefore yield the same lines each time it is called: first every line is
 * validated, and unless `skipInvalid` a single bad line means nothing is imported; then the valid
 * runs are stored in batched transactions (storeRunSlices). A run whose id is already stored is
 * skipped and counted as a duplicate, so re-importing a file — or resuming an import that
 * stopped half-way — stores each run once.
 *
 * Each line is validated once: the first pass keeps a hash of every stretch of lines, and the
 * second stores a stretch only if it hashes the same (a file changed in between stops the import
 * with a clear error) — its lines are then parsed again without validating them again.
 *
 * @example await importRunLines(db, () => readLines(Bun.file("runs.ndjson").stream()), { skipInvalid: true })
 */
export async function importRunLines(db: Db, lines: Lines, options: ImportOptions = {}): Promise<ImportReport> {
  const report = await withBulkLoadSettings(db, () => importTwice(db, lines, options));
  if (report.imported >= ANALYZE_AFTER_RUNS && !options.dryRun) await refreshPlannerStatistics(db);
  return report;
}

/**
 * Runs per transaction by default: one commit (fsync) each. Memory does not grow with it (a
 * transaction takes the runs a stretch at a time, as they are read); what it costs is how long
 * other writers wait for the write lock: about 0.9 s on a quiet machine, several times that under
 * load, which must stay well inside their 10 s busy timeout (10,000 was ~5% faster, twice the wait).
 */
export const IMPORT_BATCH_SIZE = 5_000;

async function importTwice(db: Db, lines: Lines, options: ImportOptions): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, valid: 0, invalid: 0, errors: [], imported: 0, duplicates: 0 };
  /** Per stretch: the hash of its lines, and which of its lines were invalid (1-based numbers). */
  const stretches: { hash: bigint; invalid: Set<number> }[] = [];
  let hash = 0n;
  let invalidHere = new Set<number>();
  let line = 0;
  for await (const text of lines()) {
    line++;
    hash = Bun.hash.wyhash(text, hash);
    const body = asNdjsonLine(text);
    if (body.trim() !== "") {
      const run = parseRunLine(body, line);
      if (isError(run)) {
        report.invalid++;
        invalidHere.add(line);
        if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(run);
      } else report.valid++;
      report.lines++;
    }
    if (line % STRETCH === 0) {
      stretches.push({ hash, invalid: invalidHere });
      hash = 0n;
      invalidHere = new Set();
      options.onProgress?.({ phase: "checking", lines: line, invalid: report.invalid, stored: 0, duplicates: 0 });
    }
  }
  if (line % STRETCH !== 0) stretches.push({ hash, invalid: invalidHere });
  options.onProgress?.({ phase: "checking", lines: line, invalid: report.invalid, stored: 0, duplicates: 0 });
  if (report.invalid > 0 && !options.skipInvalid) return report;

  const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
  let lastLine = 0;
  let changed: VpoError | undefined;
  const fileChanged = () =>
    (changed = new VpoError(
      "INVALID_RECORD",
      `Import stopped at line ${line} after storing ${report.imported} runs: the file changed while it was being imported. Import it again once it is complete; the runs already stored are skipped.`,
    ));
  /**
   * The valid runs of each stretch, yielded once the whole stretch hashed as in the first pass:
   * its lines were validated then, and are parsed again without validating them again.
   */
  async function* verifiedStretches(): AsyncGenerator<RunRecord[]> {
    let pending: RunRecord[] = [];
    hash = 0n;
    line = 0;
    const endStretch = () => {
      if (stretches[Math.ceil(line / STRETCH) - 1]?.hash !== hash) throw fileChanged();
      const runs = pending;
      pending = [];
      hash = 0n;
      return runs;
    };
    for await (const text of lines()) {
      line++;
      hash = Bun.hash.wyhash(text, hash);
      const stretch = stretches[Math.ceil(line / STRETCH) - 1];
      const body = asNdjsonLine(text);
      if (body.trim() !== "" && stretch && !stretch.invalid.has(line)) {
        try {
          pending.push(normalizeValidatedRun(JSON.parse(body)));
        } catch {
          hash = -1n; // not the text the first pass accepted: endStretch reports the change
        }
        lastLine = line;
      }
      if (line % STRETCH === 0) yield endStretch();
    }
    if (line % STRETCH !== 0) yield endStretch();
    if (Math.ceil(line / STRETCH) !== stretches.length) throw fileChanged(); // cut short at a stretch's end
  }

  if (options.dryRun) {
    // A dry run stores nothing, so ids seen earlier in the file are remembered here instead.
    const seen = new Set<string>();
    for await (const runs of verifiedStretches()) {
      const fresh = runs.filter((run) => !seen.has(run.id) && seen.add(run.id));
      const stored = await storedAmong(db, fresh.map((r) => r.id));
      report.duplicates += runs.length - fresh.length + stored;
      report.imported += fresh.length - stored;
      options.onProgress?.({ phase: "storing", lines: line, invalid: report.invalid, stored: report.imported, duplicates: report.duplicates });
    }
    return report;
  }

  // Each transaction takes stretches as they are read until it holds batchSize runs: one commit
  // a batch, while memory holds a stretch at a time.
  const stretchesRead = verifiedStretches();
  let next = await stretchesRead.next();
  while (!next.done) {
    const batch = async function* () {
      for (let runs = 0; !next.done && runs < batchSize; next = await stretchesRead.next()) {
        runs += next.value.length;
        yield next.value;
      }
    };
    let imported = 0;
    let duplicates = 0;
    try {
      await storeRunSlices(db, batch(), { duplicates: "skip" }, (stored, skipped) => {
        imported += stored.length;
        duplicates += skipped.length;
        options.onProgress?.({ phase: "storing", lines: line, invalid: report.invalid, stored: report.imported + imported, duplicates: report.duplicates + duplicates });
      });
    } catch (error) {
      if (error === changed) throw error;
      const full = error instanceof VpoError && error.code === "DISK_FULL";
      throw new VpoError(
        full ? "DISK_FULL" : "DB_ERROR",
        `Import stopped at line ${lastLine} after storing ${report.imported} runs: ${full ? "the database's disk is full" : errorMessage(error)}. Importing the file again skips the runs already stored.`,
        { cause: error },
      );
    }
    report.imported += imported;
    report.duplicates += duplicates;
  }
  return report;
}

/** How many of `ids` are already stored. */
async function storedAmong(db: Db, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.selectFrom("processing_stats").select("id").where("id", "in", ids).execute();
  return rows.length;
}

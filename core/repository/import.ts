import type { Db } from "../db/handle.ts";
import { errorMessage, VpoError } from "../errors.ts";
import { normalizeRunRecord, type RunRecord } from "../record/mod.ts";
import { storeRuns } from "./record.ts";

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
  /** Runs per transaction (default 500). */
  batchSize?: number;
}

/** Enough to fix a file by; a file of a million bad lines must not fill memory with messages. */
export const MAX_REPORTED_ERRORS = 100;

/** One NDJSON line as a validated, normalised run, or the reason it is not one. */
export function parseRunLine(text: string, line: number): RunRecord | ImportLineError {
  const hint = text.trimStart().startsWith("[")
    ? ' — this looks like a JSON array; import reads NDJSON, one run per line ("vpo stats export --format ndjson", or jq -c ".[]")'
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

/** Splits a byte stream into lines (LF or CRLF), decoding UTF-8 across chunk boundaries. */
export async function* readLines(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of source) {
    rest += decoder.decode(chunk, { stream: true });
    const lines = rest.split("\n");
    rest = lines.pop()!;
    for (const l of lines) yield l.endsWith("\r") ? l.slice(0, -1) : l;
  }
  rest += decoder.decode();
  if (rest !== "") yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

type Lines = () => AsyncIterable<string>;

/**
 * Imports an NDJSON file of runs (the format streamRunRecords writes) in two passes over
 * `lines`, which must therefore yield the same lines each time it is called: first every line is
 * validated, and unless `skipInvalid` a single bad line means nothing is imported; then the valid
 * runs are stored in batched transactions (storeRuns). A run whose id is already stored is
 * skipped and counted as a duplicate, so re-importing a file — or resuming an import that
 * stopped half-way — stores each run once.
 *
 * @example await importRunLines(db, () => readLines(Bun.file("runs.ndjson").stream()), { skipInvalid: true })
 */
export async function importRunLines(db: Db, lines: Lines, options: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { lines: 0, valid: 0, invalid: 0, errors: [], imported: 0, duplicates: 0 };
  await forEachRun(lines, (run) => {
    if (isError(run)) {
      report.invalid++;
      if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(run);
    } else report.valid++;
    report.lines++;
  });
  if (report.invalid > 0 && !options.skipInvalid) return report;

  const batchSize = options.batchSize ?? 2_000;
  // A dry run stores nothing, so ids seen earlier in the file are remembered here instead.
  const seen = options.dryRun ? new Set<string>() : undefined;
  let batch: RunRecord[] = [];
  let lastLine = 0;
  const flush = async () => {
    if (seen) {
      const fresh = batch.filter((run) => !seen.has(run.id) && seen.add(run.id));
      const stored = await storedAmong(db, fresh.map((r) => r.id));
      report.duplicates += batch.length - fresh.length + stored;
      report.imported += fresh.length - stored;
    } else {
      try {
        const { stored, duplicates } = await storeRuns(db, batch, { duplicates: "skip" });
        report.imported += stored.length;
        report.duplicates += duplicates.length;
      } catch (error) {
        const why = error instanceof VpoError && error.code === "DISK_FULL" ? "the database's disk is full" : errorMessage(error);
        throw new VpoError(
          error instanceof VpoError && error.code === "DISK_FULL" ? "DISK_FULL" : "DB_ERROR",
          `Import stopped at line ${lastLine} after storing ${report.imported} runs: ${why}. Importing the file again skips the runs already stored.`,
          { cause: error },
        );
      }
    }
    batch = [];
  };
  await forEachRun(lines, async (run, line) => {
    if (isError(run)) return;
    batch.push(run);
    lastLine = line;
    if (batch.length >= batchSize) await flush();
  });
  if (batch.length) await flush();
  return report;
}

async function forEachRun(lines: Lines, visit: (run: RunRecord | ImportLineError, line: number) => void | Promise<void>) {
  let line = 0;
  for await (const text of lines()) {
    line++;
    if (text.trim() === "") continue;
    await visit(parseRunLine(text, line), line);
  }
}

/** How many of `ids` are already stored. */
async function storedAmong(db: Db, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await db.selectFrom("processing_stats").select("id").where("id", "in", ids).execute();
  return rows.length;
}

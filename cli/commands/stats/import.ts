import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { defineCommand } from "citty";
import { createJob, type Db, importRunLines, type ImportReport, openDatabase, readLines, updateJob, VpoError } from "../../../core/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderJson } from "../../format.ts";
import { importView } from "../../import_view.ts";
import { formatArg, withDatabase } from "./_shared.ts";

export const importCommand = defineCommand({
  meta: { name: "import", description: "Import runs from NDJSON (as `stats export` writes it); runs already present are skipped" },
  args: {
    file: { type: "positional", required: true, description: "NDJSON file (or `stats export --format json`'s), or - for stdin" },
    "dry-run": { type: "boolean", description: "Validate and count; store nothing" },
    "skip-invalid": { type: "boolean", description: "Import the valid lines even if some are invalid" },
    format: formatArg(["table", "json"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const dryRun = Boolean(args["dry-run"]);
    const source = await openSource(args.file);
    try {
      const importInto = async (db: Db) => {
        const job = dryRun ? undefined : await createJob(db, { type: "import" });
        let report: ImportReport;
        const view = importView(statSync(source.path).size, process.stderr, process.stderr.isTTY === true && args.format !== "json");
        try {
          report = await importRunLines(db, () => readLines(view.counted(Bun.file(source.path).stream())), { dryRun, skipInvalid: args["skip-invalid"], onProgress: view.onProgress });
        } catch (error) {
          if (job) await updateJob(db, job.id, { status: "failed", error: (error as Error).message });
          throw error;
        } finally {
          view.close(); // before any message is printed
        }
        const blocked = report.invalid > 0 && !args["skip-invalid"];
        const refusal = report.valid === 0
          ? `Nothing imported: ${report.lines === 1 ? "the line is" : `all ${report.lines} lines are`} invalid.`
          : `Nothing imported: ${report.invalid} of ${report.lines} lines ${report.invalid === 1 ? "is" : "are"} invalid. Fix ${report.invalid === 1 ? "it" : "them"}, or pass --skip-invalid to import the ${report.valid} valid ${report.valid === 1 ? "line" : "lines"}.`;
        if (job) {
          await updateJob(db, job.id, {
            status: blocked ? "failed" : "completed",
            files_total: report.valid,
            files_affected: report.imported,
            error: blocked ? refusal : null,
            summary: { source: source.label, lines: report.lines, valid: report.valid, invalid: report.invalid, imported: report.imported, duplicates: report.duplicates },
          });
        }
        for (const e of report.errors) process.stderr.write(`${e.message}\n`);
        if (report.invalid > report.errors.length) process.stderr.write(`… and ${report.invalid - report.errors.length} more invalid lines\n`);
        if (blocked) throw new VpoError("INVALID_RECORD", refusal);
        const { errors: _e, ...counts } = report;
        process.stdout.write(
          args.format === "json"
            ? `${renderJson({ source: source.label, dry_run: dryRun, job_id: job?.id ?? null, ...counts, errors: report.errors })}\n`
            : `${describeImport(source.label, report, dryRun)}\n`,
        );
      };
      // A dry run before the first import has no database yet: every line is new, so it checks them
      // against an empty one (it said "no runs are recorded yet … import runs (vpo stats import)").
      const checkAlone = async () => {
        const empty = await openDatabase(":memory:");
        try {
          await importInto(empty.db);
        } finally {
          await empty.close();
        }
      };
      // Missing, the default database comes to ifMissing; one named by --db or the config throws DB_MISSING.
      try {
        await withDatabase(args, rawArgs, importInto, { access: dryRun ? "read" : "write", ifMissing: dryRun ? checkAlone : undefined });
      } catch (error) {
        if (!(dryRun && error instanceof VpoError && error.code === "DB_MISSING")) throw error;
        await checkAlone();
      }
    } finally {
      source.dispose();
    }
  },
});

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function describeImport(label: string, r: ImportReport, dryRun: boolean): string {
  const lines = [dryRun ? `Dry run: ${plural(r.imported, "run")} would be imported from ${label}; nothing was written.` : `Imported ${plural(r.imported, "run")} from ${label}.`];
  if (r.duplicates) lines.push(`Skipped ${plural(r.duplicates, "duplicate")} (a run with that id is already recorded).`);
  if (r.invalid) lines.push(`Skipped ${plural(r.invalid, "invalid line")} (listed above).`);
  return lines.join("\n");
}

/**
 * The file to read twice (validate, then import). Standard input or a pipe can be read only once,
 * so it is first copied to a temporary file: memory stays flat however large the input.
 */
async function openSource(file: string): Promise<{ path: string; label: string; dispose(): void }> {
  if (file === "-") return copied(process.stdin, "standard input");
  const path = resolve(file);
  if (!existsSync(path)) throw new VpoError("FILE_NOT_FOUND", `File not found: "${path}"`);
  const stat = statSync(path);
  if (stat.isDirectory()) throw new VpoError("INVALID_ARGUMENT", `Cannot import "${path}": it is a directory`);
  // A pipe (`vpo stats import <(zcat runs.ndjson.gz)`) can be read once, like standard input:
  // read twice, the second pass found it empty and said the file had changed.
  if (!stat.isFile()) return copied(createReadStream(path), file);
  return { path, label: file, dispose: () => {} };
}

/** A stream copied to a temporary file, to be read twice. */
async function copied(stream: NodeJS.ReadableStream, label: string): Promise<{ path: string; label: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "vpo-import-"));
  const path = join(dir, "input.ndjson");
  // A stream pipeline, not Bun.write(path, Bun.stdin), which refuses a pipe ("Non-regular files
  // aren't supported"); a failed write (disk full) rejects here instead of going unnoticed.
  await pipeline(stream, createWriteStream(path));
  return { path, label, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

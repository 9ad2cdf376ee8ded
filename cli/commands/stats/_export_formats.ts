import { RUN_RECORD_SCALAR_FIELDS, type RunRecord } from "../../../core/mod.ts";
import { renderCsv } from "../../format.ts";
import type { Output } from "./_output.ts";

export const EXPORT_FORMATS = ["ndjson", "csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CSV_BATCH = 100;

/**
 * Writes runs as they arrive and returns how many there were:
 * - ndjson: one RunRecord per line, exactly what `vpo stats import` and POST /api/stats/runs accept;
 * - json: one array of RunRecords (one run per line inside it, so `jq` and `grep` both work);
 * - csv: one row per run with the run-level fields (actions, phases and metrics are in ndjson/json).
 */
export async function writeRuns(runs: AsyncIterable<RunRecord>, format: ExportFormat, out: Output): Promise<number> {
  let count = 0;
  if (format === "csv") {
    const columns = [...RUN_RECORD_SCALAR_FIELDS];
    let batch: RunRecord[] = [];
    const flush = async () => {
      await out.write(renderCsv(batch as unknown as Record<string, unknown>[], columns, { header: count === batch.length }));
      batch = [];
    };
    for await (const run of runs) {
      batch.push(run);
      count++;
      if (batch.length >= CSV_BATCH) await flush();
    }
    if (batch.length || count === 0) await flush();
    return count;
  }
  if (format === "json") await out.write("[");
  for await (const run of runs) {
    const line = JSON.stringify(run);
    await out.write(format === "json" ? `${count === 0 ? "\n" : ",\n"}${line}` : `${line}\n`);
    count++;
  }
  if (format === "json") await out.write(count === 0 ? "]\n" : "\n]\n");
  return count;
}

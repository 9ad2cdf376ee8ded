import { defineCommand } from "citty";
import { watchInterrupts } from "../interrupt.ts";
import { parseExtensions, runScan, type ScanSummary } from "../../engine/mod.ts";
import { variadic } from "../argv_check.ts";
import { globalArgs } from "../context.ts";
import { openEngineSession } from "../engine_session.ts";
import { formatDuration, renderJson } from "../format.ts";

/** The people's form of a scan summary. */
export function renderScanSummary(s: ScanSummary): string {
  const rows: [string, number][] = [
    ["Discovered", s.discovered],
    ["Skipped (unchanged)", s.skipped],
    ["Scanned", s.scanned],
    ["Added", s.added],
    ["Removed", s.removed],
    ["Errors", s.errors],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, n]) => `${`${k}:`.padEnd(width + 2)}${n}`);
  for (const e of s.error_files.slice(0, 20)) lines.push(`  ${e.path}: ${e.error}`);
  if (s.error_files.length > 20) lines.push(`  … and ${s.error_files.length - 20} more (vpo jobs show ${s.job_id})`);
  lines.push(`${s.interrupted ? "Interrupted after" : "Done in"} ${formatDuration(s.duration_seconds)} · job ${s.job_id}`);
  return lines.join("\n");
}

export const scanCommand = defineCommand({
  meta: { name: "scan", description: "Find media files and record what ffprobe sees in them; unchanged files are skipped" },
  args: {
    paths: variadic({ type: "positional", required: true, description: "Files or directories to scan" }),
    full: { type: "boolean", description: "Re-introspect every file, changed or not" },
    prune: { type: "boolean", description: "Delete the rows of files gone from disk (their processing history stays)" },
    "verify-hash": { type: "boolean", description: "Re-hash unchanged-looking files and re-introspect those whose content changed" },
    ext: { type: "string", description: "Extensions to look for (default mkv,mp4,m4v,avi,mov,webm,ts,m2ts)" },
    json: { type: "boolean", description: "Print the summary as one JSON object" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const paths = (args._ as string[] | undefined)?.length ? (args._ as string[]) : [args.paths as string];
    const extensions = parseExtensions(args.ext);
    const session = await openEngineSession(args, rawArgs, { json: args.json });
    const interrupts = watchInterrupts();
    try {
      const summary = await runScan(session.db, session.engine.probe, {
        paths, full: args.full, prune: args.prune, verifyHash: args["verify-hash"], extensions, signal: interrupts.signal,
        libraries: session.ctx.config.libraries ?? {},
      });
      process.stdout.write(`${args.json ? renderJson(summary) : renderScanSummary(summary)}\n`);
      if (summary.interrupted) process.exitCode = 130;
    } finally {
      interrupts.dispose();
      await session.close();
    }
  },
});

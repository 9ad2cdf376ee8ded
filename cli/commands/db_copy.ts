import { defineCommand } from "citty";
import { copyDatabase, openDatabase, redact, VpoError } from "../../core/mod.ts";
import { globalArgs } from "../context.ts";
import { withDatabase } from "../database.ts";
import { renderJson } from "../format.ts";

/**
 * `vpo db copy --to LOCATION`: the whole database (runs with everything they carry, files, jobs,
 * nodes, …) into an empty one — SQLite to PostgreSQL when a second machine joins, or back.
 */
export const copyCommand = defineCommand({
  meta: { name: "copy", description: "Copy the whole database into another, empty one (SQLite ⇄ PostgreSQL), with progress" },
  args: {
    to: { type: "string", required: true, description: "The target: a SQLite file, sqlite:PATH or postgres://… (created and migrated; must hold no runs)" },
    json: { type: "boolean", description: "Print the copied row counts as JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (source, ctx) => {
      if (args.to === ctx.location) throw new VpoError("INVALID_ARGUMENT", "Cannot copy a database onto itself: --to names the database being copied");
      const target = await openDatabase(args.to);
      try {
        let shown = "";
        const counts = await copyDatabase(source, target.db, (p) => {
          const line = `${p.table}: ${p.rows.toLocaleString("en-US")} / ${p.total.toLocaleString("en-US")}`;
          if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(shown.length)}`);
          else if (p.rows === p.total) process.stderr.write(`${line}\n`);
          shown = line;
        });
        if (process.stderr.isTTY) process.stderr.write("\n");
        const total = Object.values(counts).reduce((n, c) => n + c, 0);
        process.stdout.write(args.json ? `${renderJson({ from: ctx.location, to: redact(args.to), rows: counts })}\n` : `Copied ${total.toLocaleString("en-US")} rows (${counts.processing_stats ?? 0} runs) from ${ctx.location} to ${redact(args.to)}.\n`);
      } finally {
        await target.close();
      }
    });
  },
});

import { defineCommand } from "citty";
import { startupHousekeeping } from "../../engine/startup.ts";
import { runExternalCommand } from "../../engine/run_command.ts";
import { createJob, updateJob, VpoError } from "../../core/mod.ts";
import { createContext, globalArgs } from "../context.ts";
import { engineFor, reportRecovered } from "../engine_session.ts";
import { renderJson } from "../format.ts";
import { renderRunDetail } from "../views/run_detail.ts";

export const runCommandDef = defineCommand({
  meta: {
    name: "run",
    description: "Run any command on a file, replace the file with its {output} on success, and record the run",
  },
  args: {
    file: { type: "positional", required: true, description: "Media file to process" },
    "policy-name": { type: "string", required: true, description: "Name the run is recorded under" },
    json: { type: "boolean", description: "Print the run record as JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const separator = rawArgs.indexOf("--");
    const command = separator < 0 ? [] : rawArgs.slice(separator + 1);
    if (command.length === 0) {
      throw new VpoError("INVALID_ARGUMENT", "No command given: vpo run <file> --policy-name <name> -- <command with {input} and {output}>");
    }
    const ctx = await createContext(args, rawArgs);
    const { db, close } = await ctx.open();
    try {
      const engine = engineFor(ctx, db);
      reportRecovered(await startupHousekeeping(engine, db, { retentionDays: ctx.config.jobs.retention_days }), false);
      const job = await createJob(db, { type: "run", policy_name: args["policy-name"], files_total: 1 });
      const run = await runExternalCommand(engine, { file: args.file, policyName: args["policy-name"], command, jobId: job.id }).catch(async (error) => {
        await updateJob(db, job.id, { status: "failed", error: (error as Error).message });
        throw error;
      });
      await updateJob(db, job.id, {
        status: run.success ? "completed" : run.status === "interrupted" ? "cancelled" : "failed",
        files_affected: run.success && run.size_change !== 0 ? 1 : 0,
        error: run.error_message,
        summary: { run_id: run.id, size_change: run.size_change, success: run.success },
      });
      process.stdout.write(`${args.json ? renderJson(run) : `${renderRunDetail(run)}\n\nRecorded run ${run.id}`}\n`);
      if (!run.success) process.exitCode = run.status === "interrupted" ? 130 : 1;
    } finally {
      await close();
    }
  },
});

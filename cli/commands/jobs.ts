import { defineCommand } from "citty";
import { withDatabase } from "../database.ts";
import * as v from "valibot";
import {
  getJob, JOB_STATUSES, JOB_TYPES, listJobs, parseTimeBound, parseTimeRange, purgeJobs, queryLogs, shortJobIds, VpoError,
} from "../../core/mod.ts";
import { globalArgs } from "../context.ts";
import { renderJson } from "../format.ts";
import { renderJobDetail, renderJobList } from "../views/jobs.ts";
import { renderLogs } from "../views/logs.ts";

const ListArgsSchema = v.object({
  status: v.optional(v.picklist(JOB_STATUSES, `expected one of ${JOB_STATUSES.join(", ")}`)),
  type: v.optional(v.picklist([...JOB_TYPES, "all"], `expected one of ${[...JOB_TYPES, "all"].join(", ")}`), "all"),
  limit: v.pipe(
    v.optional(v.string(), "50"),
    v.regex(/^\d+$/, "expected a positive whole number"),
    v.transform(Number),
    v.minValue(1, "expected a positive whole number"),
  ),
});

/** Checks list flags; an error names the flag and its value: `Invalid --status "x": expected one of …`. */
function parseListArgs(raw: { status?: string; type?: string; limit?: string }): v.InferOutput<typeof ListArgsSchema> {
  const result = v.safeParse(ListArgsSchema, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const key = String(issue.path?.[0]?.key ?? "");
  throw new VpoError("INVALID_ARGUMENT", `Invalid --${key} "${raw[key as keyof typeof raw]}": ${issue.message}`);
}

const listCommand = defineCommand({
  meta: { name: "list", description: "Jobs newest first: id, type, status, policy, files, start and duration" },
  args: {
    status: { type: "string", description: JOB_STATUSES.join(" | ") },
    type: { type: "string", description: `${JOB_TYPES.join(" | ")} | all (default)` },
    since: { type: "string", description: "Created from this time: ISO date/datetime or 30m, 24h, 1d, 2w" },
    limit: { type: "string", description: "At most this many jobs (default 50)" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const input = parseListArgs({ status: args.status, type: args.type, limit: args.limit });
    const { since } = parseTimeRange({ since: args.since });
    const none = () => void process.stdout.write(args.json ? "[]\n" : "No jobs found.\n");
    await withDatabase(args, rawArgs, async (db) => {
      const jobs = await listJobs(db, { status: input.status, type: input.type === "all" ? undefined : input.type, since, limit: input.limit });
      if (jobs.length === 0) return none();
      if (args.json) return void process.stdout.write(`${renderJson(jobs)}\n`);
      process.stdout.write(`${renderJobList(jobs, await shortJobIds(db, jobs.map((j) => j.id)))}\n`);
    }, { ifMissing: none });
  },
});

const showCommand = defineCommand({
  meta: { name: "show", description: "Everything about one job: status, times, summary, error and the runs it recorded" },
  args: {
    id: { type: "positional", required: true, description: "Job id or a unique prefix of at least 4 characters" },
    logs: { type: "boolean", description: "Also the job's log records kept in the database (vpo logs --job ID)" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    await withDatabase(args, rawArgs, async (db) => {
      const job = await getJob(db, args.id);
      const logs = args.logs ? await queryLogs(db, { jobId: job.id, limit: 1000 }) : null;
      if (args.json) return void process.stdout.write(`${renderJson(logs ? { ...job, logs } : job)}\n`);
      const parts = [renderJobDetail(job)];
      if (logs) parts.push(logs.length ? `Logs\n${renderLogs(logs, false)}` : "Logs\n(no log records kept for this job)");
      process.stdout.write(`${parts.join("\n\n")}\n`);
    });
  },
});

const purgeCommand = defineCommand({
  meta: { name: "purge", description: "Delete finished jobs created before a time (their runs are kept)" },
  args: {
    before: { type: "string", required: true, description: "ISO date/datetime or a relative time (90d = older than 90 days)" },
    "dry-run": { type: "boolean", description: "Only count what would be deleted" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    if (!args.before) throw new VpoError("INVALID_ARGUMENT", "Missing --before: e.g. --before 90d or --before 2026-01-01");
    const before = parseTimeBound(args.before, "since", new Date(), "--before");
    await withDatabase(args, rawArgs, async (db) => {
      const dryRun = Boolean(args["dry-run"]);
      const { jobs } = await purgeJobs(db, { before, dryRun });
      if (args.json) return void process.stdout.write(`${renderJson({ before, dry_run: dryRun, jobs })}\n`);
      const what = `${jobs} finished job${jobs === 1 ? "" : "s"} created before ${before}`;
      process.stdout.write(`${dryRun ? `Would delete ${what}` : `Deleted ${what}`}; their runs are kept.\n`);
    }, { access: args["dry-run"] ? "read" : "write" });
  },
});

export const jobsCommand = defineCommand({
  meta: { name: "jobs", description: "History of scan, process, run and import jobs" },
  subCommands: { list: listCommand, show: showCommand, purge: purgeCommand },
});

import { defineCommand } from "citty";
import {
  type Db, getJob, LOG_STORE_LEVELS, type LogQuery, type LogStoreLevel, parseTimeRange, queryLogs, resolveRunId, VpoError,
} from "../../core/mod.ts";
import { globalArgs } from "../context.ts";
import { withDatabase } from "../database.ts";
import { renderLogs } from "../views/logs.ts";
import { parseLimit } from "./stats/_shared.ts";

const LEVELS = LOG_STORE_LEVELS.filter((l) => l !== "fatal");
const FULL_ID = /^[0-9a-f-]{36}$/i;

/** A job id or prefix as the jobs table knows it; a full id of a job since purged is taken as given. */
export async function resolveJobId(db: Db, id: string): Promise<string> {
  try {
    return (await getJob(db, id)).id;
  } catch (error) {
    if (error instanceof VpoError && error.code === "NOT_FOUND" && FULL_ID.test(id)) return id;
    throw error;
  }
}

async function resolveRun(db: Db, id: string): Promise<string> {
  try {
    return await resolveRunId(db, id);
  } catch (error) {
    // A run the database refused (it waits in the spool) still has its log lines.
    if (error instanceof VpoError && error.code === "NOT_FOUND" && FULL_ID.test(id)) return id;
    throw error;
  }
}

/** Prints records newer than `afterId` every second until interrupted. */
async function follow(db: Db, query: LogQuery, afterId: number, json: boolean): Promise<void> {
  let stop = false;
  const onSignal = () => void (stop = true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let last = afterId;
    while (!stop) {
      const entries = await queryLogs(db, { ...query, afterId: last, limit: 1000 });
      if (entries.length) {
        process.stdout.write(`${renderLogs(entries, json)}\n`);
        last = entries.at(-1)!.id;
      }
      for (let waited = 0; waited < 1000 && !stop; waited += 100) await Bun.sleep(100);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export const logsCommand = defineCommand({
  meta: { name: "logs", description: "Log records kept in the database ([logging] store_level and above): why a run failed, what a job did" },
  args: {
    level: { type: "enum", options: [...LEVELS], description: `Only this level and above: ${LEVELS.join(" | ")}` },
    since: { type: "string", description: "From this time: ISO date/datetime or 30m, 24h, 7d, 2w" },
    until: { type: "string", description: "Up to this time (a date-only value includes that whole day)" },
    job: { type: "string", description: "Only records of this job (id or a unique prefix of 4+ characters)" },
    run: { type: "string", description: "Only records of this run (id or a unique prefix of 4+ characters)" },
    grep: { type: "string", description: "Only records whose message or file contains this text (any case)" },
    limit: { type: "string", description: "The newest N records (default 200)" },
    follow: { type: "boolean", description: "Keep printing new records as they are stored (Ctrl-C ends)" },
    json: { type: "boolean", description: "One JSON object per line" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const range = parseTimeRange({ since: args.since, until: args.until });
    const limit = parseLimit(args.limit, 200);
    if (args.grep !== undefined && args.grep.trim() === "") throw new VpoError("INVALID_ARGUMENT", "Invalid --grep: expected some text to look for");
    const none = () => void (args.follow || process.stdout.write(args.json ? "" : "No log records found.\n"));
    await withDatabase(args, rawArgs, async (db) => {
      const query: LogQuery = {
        level: args.level as LogStoreLevel | undefined,
        since: range.since,
        until: range.until,
        grep: args.grep,
        jobId: args.job ? await resolveJobId(db, args.job) : undefined,
        runId: args.run ? await resolveRun(db, args.run) : undefined,
      };
      const entries = await queryLogs(db, { ...query, limit });
      if (entries.length) process.stdout.write(`${renderLogs(entries, Boolean(args.json))}\n`);
      else none();
      if (args.follow) await follow(db, query, entries.at(-1)?.id ?? 0, Boolean(args.json));
    }, { ifMissing: none });
  },
});

import { defineCommand } from "citty";
import { getQueueStatus, VpoError } from "../../../core/mod.ts";
import { cancelJobs, retryJobs } from "../../../engine/mod.ts";
import { globalArgs } from "../../context.ts";
import { renderJson } from "../../format.ts";
import { withQueue } from "../../queue_session.ts";
import { renderQueueStatus } from "../../views/queue.ts";

const statusArgs = {
  json: { type: "boolean", description: "Print JSON" },
  library: { type: "string", description: "Only this library's jobs and files" },
  node: { type: "string", description: "Only the files in progress on this machine ([node] name)" },
  ...globalArgs,
} as const;

const statusCommand = defineCommand({
  meta: { name: "status", description: "Jobs per state, files in progress on every node (percent, speed, time left), failed jobs (the default)" },
  args: statusArgs,
  async run({ args, rawArgs }) {
    await withQueue(args, rawArgs, "vpo queue", async (queue, db) => {
      const status = await getQueueStatus(db, queue.ref, { library: args.library, node: args.node });
      process.stdout.write(`${args.json ? renderJson(status) : renderQueueStatus(status)}\n`);
    });
  },
});

const retryCommand = defineCommand({
  meta: { name: "retry", description: "Send a failed job (or every failed job) back to the queue" },
  args: {
    id: { type: "positional", required: false, description: "Job id as vpo queue lists it, or 8+ characters of it" },
    "all-failed": { type: "boolean", description: "Retry every failed job" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    if (Boolean(args.id) === Boolean(args["all-failed"])) throw new VpoError("INVALID_ARGUMENT", "Give a job id or --all-failed (one of them)");
    await withQueue(args, rawArgs, "vpo queue retry", async (queue, db) => {
      const ids = await retryJobs(queue, db, args.id ? { id: args.id } : { allFailed: true });
      process.stdout.write(args.json ? `${JSON.stringify({ retried: ids })}\n` : ids.length ? `Sent ${ids.length} job(s) back to the queue: ${ids.join(", ")}\n` : "No failed jobs.\n");
    });
  },
});

const cancelCommand = defineCommand({
  meta: { name: "cancel", description: "Cancel a job (waiting, running or failed), or every waiting and running job of a policy" },
  args: {
    id: { type: "positional", required: false, description: "Job id as vpo queue lists it, or 8+ characters of it" },
    policy: { type: "string", description: "Cancel every waiting and running job of this policy" },
    json: { type: "boolean", description: "Print JSON" },
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    if (Boolean(args.id) === Boolean(args.policy)) throw new VpoError("INVALID_ARGUMENT", "Give a job id or --policy NAME (one of them)");
    await withQueue(args, rawArgs, "vpo queue cancel", async (queue, db) => {
      const ids = await cancelJobs(queue, db, args.id ? { id: args.id } : { policy: args.policy! });
      process.stdout.write(args.json ? `${JSON.stringify({ cancelled: ids })}\n` : ids.length ? `Cancelled ${ids.length} job(s); a running one stops and leaves its file untouched.\n` : "Nothing to cancel.\n");
    });
  },
});

export const queueCommand = defineCommand({
  meta: { name: "queue", description: "The job queue of vpo worker: what waits, runs and failed (status), retry, cancel" },
  args: statusArgs,
  default: "status",
  subCommands: { status: statusCommand, retry: retryCommand, cancel: cancelCommand },
});

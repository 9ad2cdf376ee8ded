/**
 * What a queue job is: one media file, named as every machine can find it (library + path inside
 * it), and the policy to apply — its whole text and digest, so every worker applies the same
 * rules whatever policies its own machine has.
 */
import * as v from "valibot";
import { VPO_QUEUE, VpoError } from "../../core/mod.ts";
import { type LoadedPolicy, parsePolicy, policyDigest } from "../policy/load.ts";

/** The pg-boss queue vpo's jobs are on, and pg-boss's schema in the database. */
export const QUEUE_NAME = VPO_QUEUE.name;
export const QUEUE_SCHEMA = VPO_QUEUE.schema;

export const JobDataSchema = v.object({
  library: v.string(),
  path: v.string(),
  policy: v.object({ name: v.string(), digest: v.string(), text: v.string() }),
});
export type JobData = v.InferOutput<typeof JobDataSchema>;

/** A job as a worker holds it (pg-boss's Job, the fields vpo needs). */
export interface HeldJob {
  id: string;
  /** The attempt: 0 for the first delivery, +1 for each retry or take-over. */
  retryCount: number;
  data: unknown;
  /** Aborted by pg-boss when its heartbeat finds the job no longer this worker's. */
  signal: AbortSignal;
}

/** The singleton key: one job queued or running per file, whatever the policy. */
export const fileKeyOfJob = (data: Pick<JobData, "library" | "path">): string => `${data.library}/${data.path}`;

/** The job data for a file and a policy read from its file (whose text it carries). */
export function jobData(location: { library: string; path: string }, policy: LoadedPolicy): JobData {
  if (policy.text === undefined) throw new VpoError("INVALID_ARGUMENT", `Policy "${policy.name}" has no text to put on the queue (load it with loadPolicy)`);
  return { ...location, policy: { name: policy.name, digest: policy.digest, text: policy.text } };
}

/**
 * The policy a job carries, checked: this vpo must read it to the same digest it was enqueued
 * with, or it would apply other rules than the machine that enqueued it meant.
 */
export function policyOfJob(data: JobData, jobId: string): LoadedPolicy {
  const policy = parsePolicy(data.policy.text, `queue job ${jobId}`);
  const digest = policyDigest(policy);
  if (digest !== data.policy.digest) {
    throw new VpoError("INVALID_CONFIG", `Policy "${data.policy.name}" of queue job ${jobId} reads differently on this machine (digest ${digest}, enqueued as ${data.policy.digest}): run the same vpo version on every machine`);
  }
  return { policy, name: data.policy.name, path: `queue job ${jobId}`, digest, text: data.policy.text };
}

/** Reads a job's data; a job vpo did not write is refused with why. */
export function readJobData(job: HeldJob): JobData {
  const parsed = v.safeParse(JobDataSchema, job.data);
  if (!parsed.success) throw new VpoError("INVALID_RECORD", `Queue job ${job.id} is not a vpo job (expected library, path and policy in its data)`);
  return parsed.output;
}

const RUN_ID_NAMESPACE = "6f0c1d52-3c55-4c61-9d0e-7a1b1f2f8b11";

/**
 * The run id of one attempt at a job: a name-based UUID (v5) of the job id and attempt, so a
 * delivery is recorded at most once however often its record is written (run ids are primary
 * keys), while a retry is a run of its own.
 */
export function runIdFor(jobId: string, attempt: number): string {
  return Bun.randomUUIDv5(`${jobId}:${attempt}`, RUN_ID_NAMESPACE);
}

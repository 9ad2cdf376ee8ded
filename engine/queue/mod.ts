/**
 * The job queue of several machines (pg-boss on the shared PostgreSQL): enqueueing files,
 * the worker that processes them through the one run lifecycle, and retrying or cancelling jobs.
 */
export { DEFAULT_QUEUE_SETTINGS, jobOptions, openQueue, queueUrl, type Queue, type QueueSettings } from "./boss.ts";
export { fileKeyOfJob, type HeldJob, type JobData, jobData, policyOfJob, QUEUE_NAME, QUEUE_SCHEMA, runIdFor } from "./job.ts";
export { enqueueFiles, type EnqueueSummary, type FileToQueue } from "./enqueue.ts";
export { etaSeconds, PROGRESS_INTERVAL_MS, reportProgress, type ProgressReporter } from "./progress.ts";
export { type JobResult, processQueueJob, type ProcessJobOptions } from "./process_job.ts";
export { holdsLease, NODE_HEARTBEAT_MS, runQueueWorker, type WorkerEvent, type WorkerOptions } from "./worker.ts";
export { cancelJobs, retryJobs } from "./control.ts";

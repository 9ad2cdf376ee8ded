/**
 * `vpo enqueue`: one job per media file. A file already queued or running is not queued again
 * (the queue is `exclusive` on the file's singleton key); a file whose current content already
 * has a successful run under the policy is not queued at all.
 */
import { type Db, findProcessedRun, type LibraryPath, partialHash } from "../../core/mod.ts";
import type { LoadedPolicy } from "../policy/load.ts";
import { jobOptions, type Queue } from "./boss.ts";
import { fileKeyOfJob, jobData, QUEUE_NAME } from "./job.ts";

export interface EnqueueSummary {
  files: number;
  queued: number;
  /** Queued or running already (by anyone, under any policy). */
  already_queued: number;
  /** Their current content already has a successful run under this policy. */
  already_processed: number;
}

/** A file to enqueue: where it is here, and how every machine names it. */
export interface FileToQueue extends LibraryPath {
  file: string;
}

const BATCH = 500;

/** Queues `files` under `policy` (see the module comment); higher `priority` is taken first. */
export async function enqueueFiles(queue: Queue, db: Db, o: { files: readonly FileToQueue[]; policy: LoadedPolicy; priority?: number }): Promise<EnqueueSummary> {
  const summary: EnqueueSummary = { files: o.files.length, queued: 0, already_queued: 0, already_processed: 0 };
  const options = { ...jobOptions(queue.settings), priority: o.priority ?? 0 };
  let batch: ReturnType<typeof toJob>[] = [];
  const toJob = (f: FileToQueue) => ({ data: jobData(f, o.policy), singletonKey: fileKeyOfJob(f), ...options });
  const flush = async () => {
    if (batch.length === 0) return;
    const ids = (await queue.boss.insert(QUEUE_NAME, batch, { returnId: true })) ?? [];
    summary.queued += ids.length;
    summary.already_queued += batch.length - ids.length;
    batch = [];
  };
  for (const f of o.files) {
    const hash = await partialHash(f.file).catch(() => null);
    if (hash && (await findProcessedRun(db, { policyDigest: o.policy.digest, hash }))) {
      summary.already_processed++;
      continue;
    }
    batch.push(toJob(f));
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return summary;
}

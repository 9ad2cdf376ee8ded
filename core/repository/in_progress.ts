import * as v from "valibot";
import type { Db } from "../db/handle.ts";

const nNum = v.nullable(v.number());
const nStr = v.nullable(v.string());

/** A file being processed right now, on any machine, as its in-flight marker says (`vpo queue`, GET /api/queue, the "now" panel). */
export const InProgressSchema = v.object({
  run_id: v.string(),
  node: nStr,
  host: v.string(),
  pid: v.number(),
  library: v.pipe(nStr, v.description("The library the file is in; null outside every [libraries] root")),
  path: v.pipe(v.string(), v.description("Inside the library (\"/\"-separated), else the file's absolute path on its machine")),
  file_path: v.pipe(v.string(), v.description("The absolute path on the machine doing the work")),
  policy_name: v.string(),
  queue_job_id: nStr,
  attempt: v.nullable(v.number()),
  phase: v.pipe(nStr, v.description("The phase running now (ffmpeg pass), \"replace\" at the commit point, null before the first")),
  percent: v.pipe(nNum, v.description("0–100 of the current phase")),
  speed: v.pipe(nNum, v.description("Encoding speed, × real time")),
  fps: nNum,
  eta_seconds: v.pipe(nNum, v.description("Seconds left in the current phase, from its progress so far")),
  started_at: v.string(),
  updated_at: v.pipe(nStr, v.description("The owner's last heartbeat (queue workers write one every few seconds)")),
});
export interface InProgress extends v.InferOutput<typeof InProgressSchema> {}

/** Every run in flight (optionally of one node or library), oldest first. */
export async function listInProgress(db: Db, filter: { node?: string; library?: string } = {}): Promise<InProgress[]> {
  let query = db.selectFrom("runs_in_flight").selectAll();
  if (filter.node !== undefined) query = query.where("node", "=", filter.node);
  if (filter.library !== undefined) query = query.where("library", "=", filter.library);
  const rows = await query.orderBy("started_at").orderBy("run_id").execute();
  return rows.map((r) => ({
    run_id: r.run_id, node: r.node, host: r.host, pid: r.pid, library: r.library, path: r.library_path ?? r.file_path, file_path: r.file_path,
    policy_name: r.policy_name, queue_job_id: r.queue_job_id, attempt: r.queue_attempt, phase: r.phase,
    percent: r.progress_percent, speed: r.progress_speed, fps: r.progress_fps, eta_seconds: r.progress_eta_seconds, started_at: r.started_at, updated_at: r.heartbeat_at,
  }));
}

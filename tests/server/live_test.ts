import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createJob, openDatabase, purgeRuns, recordRun, updateJob } from "../../core/mod.ts";
import { AUTH, newRun, type Seeded, seededServer } from "./_seed.ts";
import { forEachDialect } from "../dialects.ts";

forEachDialect("live updates", (dialect) => {
/** Reads SSE frames from a response until `until` matches one, or the timeout passes. */
async function readFrames(res: Response, until: (frames: string[]) => boolean, timeoutMs = 3000): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: string[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (!until(frames) && Date.now() < deadline) {
    const next = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
    if (!next || next.done) break;
    buffer += decoder.decode(next.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      frames.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  await reader.cancel();
  return frames;
}

describe("GET /api/events (Server-Sent Events)", () => {
  let s: Seeded;
  beforeAll(async () => (s = await seededServer({ dialect, heartbeatMs: 50 })));
  afterAll(() => s.close());

  test("streams run.recorded, job.updated and file.progress from the bus, with heartbeats", async () => {
    const controller = new AbortController();
    const res = await s.request("/api/events", { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const framesPromise = readFrames(res, (f) => f.some((x) => x.includes("event: file.progress")) && f.some((x) => x.startsWith(": ping")));
    await Bun.sleep(20);
    const posted = await s.request("/api/stats/runs", { method: "POST", body: JSON.stringify(newRun({ policy_name: "live" })), headers: AUTH });
    const { id } = await posted.json();
    // The run reaches the stream through the run feed: wait for it before the next event.
    let announced = false;
    const off = s.bus.on("run.recorded", (e) => (announced ||= e.id === id));
    for (let i = 0; i < 500 && !announced; i++) await Bun.sleep(10);
    off();
    s.bus.emit("job.updated", { id: "job-1", type: "process", status: "running" });
    await Bun.sleep(80);
    s.bus.emit("file.progress", { job_id: "job-1", file: "/m/a.mkv", percent: 42.5, speed: 1.5, fps: 30 });
    const frames = await framesPromise;
    controller.abort();
    expect(frames[0]).toStartWith("retry: 3000");
    const events = frames.filter((f) => f.includes("event: ")).map((f) => ({
      event: /event: (.+)/.exec(f)![1],
      data: JSON.parse(/data: (.+)/.exec(f)![1]!),
    }));
    expect(events).toEqual([
      { event: "run.recorded", data: expect.objectContaining({ id, policy_name: "live", size_change: 1000 }) },
      { event: "job.updated", data: { id: "job-1", type: "process", status: "running" } },
      { event: "file.progress", data: { job_id: "job-1", file: "/m/a.mkv", percent: 42.5, speed: 1.5, fps: 30 } },
    ]);
    expect(frames.some((f) => f === ": ping")).toBe(true);
  });

  test("a client that goes away is unsubscribed", async () => {
    await Bun.sleep(20);
    expect(s.server.sse.clients).toBe(0);
    const controller = new AbortController();
    const res = await s.request("/api/events", { signal: controller.signal });
    await readFrames(res, (f) => f.length > 0);
    await Bun.sleep(10);
    controller.abort();
    await Bun.sleep(10);
    expect(s.server.sse.clients).toBe(0);
  });
});

describe("GET /metrics (Prometheus)", () => {
  let s: Seeded;
  beforeAll(async () => (s = await seededServer({ dialect, pollMs: 30 })));
  afterAll(() => s.close());

  const scrape = async () => {
    await (await s.server.feed).settled();
    const res = await s.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    return (line: string) => {
      const found = text.split("\n").find((l) => l.startsWith(`${line} `));
      return found === undefined ? undefined : Number(found.slice(line.length + 1));
    };
  };

  test("reads the database's totals, so a restart does not reset the counters", async () => {
    const m = await scrape();
    expect(m('vpo_runs_total{policy="strip",status="success"}')).toBe(3);
    expect(m('vpo_runs_total{policy="transcode",status="failed"}')).toBe(1);
    expect(m('vpo_runs_total{policy="remux",status="interrupted"}')).toBe(1);
    expect(m('vpo_size_before_bytes_total{policy="strip"}')).toBe(2700);
    expect(m('vpo_saved_bytes{policy="strip"}')).toBe(300);
    expect(m('vpo_saved_bytes{policy="transcode"}')).toBe(3000);
    expect(m('vpo_tracks_removed_total{policy="strip",type="subtitle"}')).toBe(5);
    expect(m('vpo_videos_total{policy="transcode",outcome="transcoded"}')).toBe(1); // S3's attempt failed
    expect(m('vpo_videos_total{policy="strip",outcome="skipped"}')).toBe(2);
    expect(m('vpo_run_duration_seconds_bucket{le="15",policy="strip"}')).toBe(3);
    expect(m('vpo_run_duration_seconds_bucket{le="5",policy="strip"}')).toBe(1);
    expect(m('vpo_run_duration_seconds_count{policy="transcode"}')).toBe(2);
    expect(m('vpo_run_duration_seconds_sum{policy="transcode"}')).toBe(305);
    expect(m("vpo_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  test("counts a posted run once", async () => {
    await s.request("/api/stats/runs", { method: "POST", body: JSON.stringify(newRun({ duration_seconds: 4 })), headers: AUTH });
    const m = await scrape();
    expect(m('vpo_runs_total{policy="strip",status="success"}')).toBe(4);
    expect(m('vpo_saved_bytes{policy="strip"}')).toBe(1300);
    expect(m('vpo_run_duration_seconds_bucket{le="5",policy="strip"}')).toBe(2);
  });

  test("notices a run another process wrote: counts it, announces it, and drops stale cached views", async () => {
    const announced: string[] = [];
    const off = s.bus.on("run.recorded", (e) => announced.push(e.id));
    const before = (await (await s.request("/api/stats/summary")).json()).total_files_processed;
    const other = await openDatabase(s.opened.location); // a second connection, as `vpo process` would hold
    const run = await recordRun(other.db, newRun({ policy_name: "elsewhere" }));
    await other.close();
    for (let i = 0; i < 50 && !announced.includes(run.id); i++) await Bun.sleep(20);
    off();
    expect(announced).toEqual([run.id]);
    const m = await scrape();
    expect(m('vpo_runs_total{policy="elsewhere",status="success"}')).toBe(1);
    expect((await (await s.request("/api/stats/summary")).json()).total_files_processed).toBe(before + 1);
  });

  test("a job update by another process changes nothing; its purge lowers the counters at the next scrape", async () => {
    const other = await openDatabase(s.opened.location);
    const job = await createJob(other.db, { type: "process" });
    await updateJob(other.db, job.id, { status: "completed" });
    let m = await scrape();
    expect(m('vpo_runs_total{policy="elsewhere",status="success"}')).toBe(1);
    await purgeRuns(other.db, { policy: "elsewhere" });
    await other.close();
    m = await scrape();
    expect(m('vpo_runs_total{policy="elsewhere",status="success"}')).toBeUndefined();
    expect(m('vpo_runs_total{policy="strip",status="success"}')).toBe(4);
  });
});
});

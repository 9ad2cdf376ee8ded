import { describe, expect, test } from "bun:test";
import { ACCEPTANCE_POLICY, loaded } from "../../tests/engine/_setup.ts";
import { fileKeyOfJob, jobData, policyOfJob, runIdFor } from "./job.ts";
import { etaSeconds } from "./progress.ts";

describe("queue jobs", () => {
  test("a run id is derived from the job and attempt: the same delivery always gets the same id, a retry another", () => {
    const job = "3f1c9a52-0d4e-4b7a-9c21-5e8f6a7b8c9d";
    expect(runIdFor(job, 0)).toBe(runIdFor(job, 0));
    expect(runIdFor(job, 1)).not.toBe(runIdFor(job, 0));
    expect(runIdFor("another-job", 0)).not.toBe(runIdFor(job, 0));
    expect(runIdFor(job, 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("a job carries the policy's text and digest; a worker applies exactly it, and refuses one it reads differently", () => {
    const policy = { ...loaded(ACCEPTANCE_POLICY()), text: ACCEPTANCE_POLICY() };
    const data = jobData({ library: "movies", path: "a/b.mkv" }, policy);
    expect(fileKeyOfJob(data)).toBe("movies/a/b.mkv");
    expect(policyOfJob(data, "job-1")).toMatchObject({ name: "acceptance", digest: policy.digest, policy: policy.policy });
    const edited = { ...data, policy: { ...data.policy, text: ACCEPTANCE_POLICY().replace("crf: 30", "crf: 31") } };
    expect(() => policyOfJob(edited, "job-1")).toThrow(`Policy "acceptance" of queue job job-1 reads differently on this machine`);
    expect(() => jobData({ library: "movies", path: "x.mkv" }, loaded(ACCEPTANCE_POLICY()))).toThrow("has no text to put on the queue");
  });

  test("time left in a phase comes from how long its progress so far took", () => {
    expect(etaSeconds(25, 10)).toBe(30);
    expect(etaSeconds(100, 10)).toBe(0);
    expect(etaSeconds(0, 10)).toBeNull();
    expect(etaSeconds(null, 10)).toBeNull();
    expect(etaSeconds(50, 0)).toBeNull();
  });
});

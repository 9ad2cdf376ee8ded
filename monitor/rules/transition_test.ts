import { describe, expect, test } from "bun:test";
import { manualClock } from "../clock.ts";
import { type Decision, type Observation, type StoredFields, transition, type Timing } from "./transition.ts";

const obs: Observation = { labels: { policy: "anime" }, value: 1, summary: "1 run failed", details: { run_id: "r1" } };
const timing: Timing = { forSeconds: 0, cooldownSeconds: 3600, sendResolved: true };

/** Drives one alert through a sequence of observations, keeping what `transition` decides as the stored state. */
function driver(t: Timing) {
  const clock = manualClock("2026-03-01T00:00:00Z");
  let state: StoredFields | null = null;
  let silenced = false;
  return {
    clock,
    silence: (on: boolean) => void (silenced = on),
    step(observation: Observation | null): Decision["notify"] {
      const d = transition(state, observation, t, clock.now(), silenced, "rule", "policy=anime");
      if (d.next) state = d.next;
      return d.notify;
    },
    get state() {
      return state;
    },
  };
}

describe("alert transitions, with a clock the test controls", () => {
  test("fires at once without `for`; inside the cooldown a repeat sends nothing; after it, one reminder", () => {
    const a = driver(timing);
    expect(a.step(obs)).toEqual({ kind: "firing", seq: 0 });
    expect(a.state).toMatchObject({ status: "firing", epoch: 1, notified: 1, fired_at: "2026-03-01T00:00:00.000Z" });
    a.clock.advance(600);
    expect(a.step({ ...obs, value: 2, details: { run_id: "r2" } })).toBeNull();
    expect(a.state).toMatchObject({ value: 2, details: '{"run_id":"r2"}' });
    a.clock.advance(3000);
    expect(a.step(obs)).toEqual({ kind: "firing", seq: 1 });
    expect(a.state).toMatchObject({ notified: 2, last_notified_at: "2026-03-01T01:00:00.000Z" });
  });

  test("`for`: pending until the condition has held that long; clearing while pending notifies nothing", () => {
    const a = driver({ ...timing, forSeconds: 300 });
    expect(a.step(obs)).toBeNull();
    expect(a.state).toMatchObject({ status: "pending", active_since: "2026-03-01T00:00:00.000Z" });
    a.clock.advance(299);
    expect(a.step(obs)).toBeNull();
    a.clock.advance(1);
    expect(a.step(obs)).toEqual({ kind: "firing", seq: 0 });
    expect(a.state).toMatchObject({ status: "firing", active_since: "2026-03-01T00:00:00.000Z", fired_at: "2026-03-01T00:05:00.000Z" });

    const b = driver({ ...timing, forSeconds: 300 });
    b.step(obs);
    b.clock.advance(100);
    expect(b.step(null)).toBeNull();
    expect(b.state?.status).toBe("inactive");
    b.clock.advance(250);
    expect(b.step(obs)).toBeNull(); // the clock of `for` starts again
  });

  test("resolves when the condition clears (notifying unless send_resolved is false); firing again is a new epoch", () => {
    const a = driver(timing);
    a.step(obs);
    a.clock.advance(60);
    expect(a.step(null)).toEqual({ kind: "resolved", seq: 0 });
    expect(a.state).toMatchObject({ status: "resolved", resolved_at: "2026-03-01T00:01:00.000Z", epoch: 1 });
    expect(a.step(null)).toBeNull();
    a.clock.advance(60);
    expect(a.step(obs)).toEqual({ kind: "firing", seq: 0 });
    expect(a.state).toMatchObject({ epoch: 2, notified: 1, resolved_at: null });

    const quiet = driver({ ...timing, sendResolved: false });
    quiet.step(obs);
    expect(quiet.step(null)).toBeNull();
    expect(quiet.state?.status).toBe("resolved");
  });

  test("a silence records the start and the end of a firing instead of sending them, skips repeats, and the alert notifies once it ends", () => {
    const a = driver(timing);
    a.silence(true);
    expect(a.step(obs)).toEqual({ kind: "silenced", seq: 0 });
    expect(a.state).toMatchObject({ status: "firing", notified: 0, last_notified_at: null });
    a.clock.advance(7200);
    expect(a.step(obs)).toBeNull();
    a.silence(false);
    expect(a.step(obs)).toEqual({ kind: "firing", seq: 0 });
    a.silence(true);
    a.clock.advance(60);
    expect(a.step(null)).toEqual({ kind: "silenced", seq: 1 });
    expect(a.state?.status).toBe("resolved");
  });

  test("a firing alert whose value and details do not change writes nothing", () => {
    const a = driver(timing);
    a.step(obs);
    a.clock.advance(10);
    expect(transition(a.state, obs, timing, a.clock.now(), false, "rule", "policy=anime")).toEqual({ next: null, notify: null });
  });
});

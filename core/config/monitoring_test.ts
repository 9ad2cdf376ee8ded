import { describe, expect, test } from "bun:test";
import { VpoError } from "../errors.ts";
import { dataDirWith } from "./_test_dir.ts";
import { loadConfig, parseDuration, parseFreeSpace } from "./mod.ts";

function problem(toml: string, files: Record<string, string> = {}): string {
  const { env } = dataDirWith({ "config.toml": toml, ...files });
  try {
    loadConfig({ env });
  } catch (error) {
    if (error instanceof VpoError && error.code === "INVALID_CONFIG") return error.message;
    throw error;
  }
  throw new Error("expected the config to be refused");
}

const hook = `[channels.ops]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n`;

describe("alert rules and channels are checked like every other key", () => {
  test("a valid rule and channel load with their values", () => {
    const { env } = dataDirWith({
      "config.toml": `${hook}[[alerts.rules]]\nname = "failures"\nkind = "failure_rate"\nthreshold = 20\nwindow = "1h"\nmin_runs = 3\nchannels = ["ops"]\npolicy = ["anime", "tv"]\n`,
    });
    const { config } = loadConfig({ env });
    expect(config.alerts.rules).toEqual([{ name: "failures", kind: "failure_rate", threshold: 20, window: "1h", min_runs: 3, channels: ["ops"], policy: ["anime", "tv"] }]);
    expect(config.alerts.evaluate_every).toBe("30s");
    expect(config.channels.ops).toEqual({ type: "webhook", url: "http://127.0.0.1:9/hook" });
  });

  const cases: [string, string, RegExp][] = [
    ["a misspelt rule key, with a suggestion", `[[alerts.rules]]\nname = "a"\nkind = "run_failed"\ncooldwn = "1h"\n`, /alerts\.rules\.0\.cooldwn: unknown key "cooldwn" \(did you mean "cooldown"\?\)/],
    ["an unknown kind", `[[alerts.rules]]\nname = "a"\nkind = "run_fail"\n`, /alerts\.rules\.0\.kind: expected one of run_failed, failure_rate/],
    ["a key of another kind", `[[alerts.rules]]\nname = "a"\nkind = "run_failed"\nthreshold = 5\n`, /alerts\.rules\.0\.threshold: "threshold" does not apply to kind "run_failed"/],
    ["a key the kind needs", `[[alerts.rules]]\nname = "a"\nkind = "failure_rate"\n`, /alerts\.rules\.0\.threshold: kind "failure_rate" needs "threshold"/],
    ["a bad duration", `[[alerts.rules]]\nname = "a"\nkind = "run_failed"\ncooldown = "1 hour"\n`, /alerts\.rules\.0\.cooldown: expected a duration such as 30s/],
    ["a duration past the calendar", `[[alerts.rules]]\nname = "a"\nkind = "failure_rate"\nthreshold = 5\nwindow = "99999999999999999999d"\n`, /alerts\.rules\.0\.window: expected a duration of at most 3650d \(10 years\)$/],
    ["an empty window", `[[alerts.rules]]\nname = "a"\nkind = "failure_rate"\nthreshold = 5\nwindow = "0s"\n`, /alerts\.rules\.0\.window: expected a duration longer than 0s$/],
    ["evaluation without pause", `[alerts]\nevaluate_every = "0m"\n`, /alerts\.evaluate_every: expected a duration longer than 0s$/],
    ["an interval no timer can wait (it would evaluate without pause)", `[alerts]\nevaluate_every = "30d"\n`, /alerts\.evaluate_every: expected a duration of at most 24d \(a timer cannot wait longer\)$/],
    ["history kept past the calendar", `[alerts]\nhistory_days = 99999999999\n`, /alerts\.history_days: expected at most 36500 days \(100 years\)$/],
    ["a percentage over 100", `[[alerts.rules]]\nname = "a"\nkind = "savings_low"\nthreshold = 150\n`, /alerts\.rules\.0\.threshold: expected a percentage/],
    ["two rules of one name", `[[alerts.rules]]\nname = "a"\nkind = "run_failed"\n[[alerts.rules]]\nname = "a"\nkind = "run_failed"\n`, /alerts\.rules\.1: duplicate rule name "a"/],
    ["a rule naming an unknown channel", `${hook}[[alerts.rules]]\nname = "a"\nkind = "run_failed"\nchannels = ["opz"]\n`, /alerts\.rules\.0\.channels: unknown channel "opz" \(did you mean "ops"\?\)/],
    ["a channel key of another type", `[channels.mail]\ntype = "webhook"\nurl = "http://x"\nusername = "me"\n`, /channels\.mail\.username: "username" does not apply to a webhook channel/],
    ["a channel without what its type needs", `[channels.mail]\ntype = "email"\nhost = "smtp.lan"\n`, /channels\.mail\.from: an email channel needs "from"/],
    ["a misspelt channel key", `[channels.ops]\ntype = "webhook"\nurl = "http://x"\nsecert = "s"\n`, /channels\.ops\.secert: unknown key "secert" \(did you mean "secret"\?\)/],
    ["a webhook preset that does not exist", `[channels.ops]\ntype = "webhook"\nurl = "http://x"\npreset = "teams"\n`, /channels\.ops\.preset: expected one of json, discord, slack, apprise/],
    ["a report schedule naming an unknown channel", `${hook}[[reports.schedule]]\nname = "weekly"\ncron = "0 6 * * 1"\nperiod = "week"\nchannels = ["file:/srv/reports", "opz"]\n`, /reports\.schedule\.0\.channels: unknown channel "opz" \(did you mean "ops"\?\); define it as \[channels\.opz\] or write "file:\/folder"/],
    ["a bad public_url", `[server]\npublic_url = "vpo.lan"\n`, /server\.public_url: expected an http/],
    ["a bad store level", `[logging]\nstore_level = "all"\n`, /logging\.store_level: expected one of debug, info, warning, error, off/],
  ];
  for (const [name, toml, message] of cases) {
    test(`refused: ${name}`, () => expect(problem(toml)).toMatch(message));
  }

  test("a rule may name a channel that the profile defines", () => {
    const { env } = dataDirWith({
      "config.toml": `[[alerts.rules]]\nname = "a"\nkind = "run_failed"\nchannels = ["ops"]\n`,
      "profiles/night.toml": hook,
    });
    expect(loadConfig({ env, profile: "night" }).config.alerts.rules?.[0]?.channels).toEqual(["ops"]);
    expect(() => loadConfig({ env })).toThrow(/unknown channel "ops"/);
  });
});

describe("config units", () => {
  test("durations are read in seconds", () => {
    expect([parseDuration("30s"), parseDuration("10m"), parseDuration("1.5h"), parseDuration("7d"), parseDuration("2w")]).toEqual([30, 600, 5400, 604_800, 1_209_600]);
    expect(() => parseDuration("10")).toThrow(/Invalid duration "10"/);
  });
  test("free space is bytes or a percentage", () => {
    expect(parseFreeSpace("50GiB")).toEqual({ bytes: 50 * 1024 ** 3 });
    expect(parseFreeSpace("500 MB")).toEqual({ bytes: 500e6 });
    expect(parseFreeSpace("10%")).toEqual({ percent: 10 });
  });
});

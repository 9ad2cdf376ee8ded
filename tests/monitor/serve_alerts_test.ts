/**
 * Monitoring as a user meets it: the real `vpo serve` with a webhook and an SMTP receiver
 * configured, the real `vpo process` on a truncated file, config.toml edited while the server
 * runs, and `vpo logs` / `--log-level debug` telling why a file failed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir, vpo } from "../cli/_cli.ts";
import { copyFixture, type Fixtures, makeFixtures } from "../fixtures/media.ts";
import { type ServeProcess, startServe } from "../server/_serve.ts";
import { type SmtpReceiver, smtpReceiver, until, type WebhookReceiver, webhookReceiver } from "./_receivers.ts";

let fixtures: Fixtures;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;
let serve: ServeProcess;
const dataDir = tempDir("vpo-serve-alerts-");
const configPath = join(dataDir, "config.toml");

function config(threshold: number | string, extra = ""): string {
  return `[server]
token = "s3cret"
${extra}
[node]
name = "nas-1"

[channels.hook]
type = "webhook"
url = "${hook.url}"
secret = "hmac-secret"

[channels.mail]
type = "email"
host = "127.0.0.1"
port = ${smtp.port}
tls = "starttls"
username = "vpo"
password = "secret"
ca_file = "${smtp.certFile}"
from = "vpo@example.org"
to = "ops@example.org"

[[alerts.rules]]
name = "run-failed"
kind = "run_failed"
channels = ["hook", "mail"]
severity = "critical"
cooldown = "1h"

[[alerts.rules]]
name = "failure-rate"
kind = "failure_rate"
threshold = ${typeof threshold === "number" ? threshold : `"${threshold}"`}
min_runs = 2
window = "1h"
channels = ["hook"]
`;
}

const health = async () => (await fetch(`${serve.url}/health`)).json() as Promise<{ config: { version: number; loaded_at: string } }>;
/** A mail's text with quoted-printable soft line breaks undone. */
const mailText = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");

beforeAll(async () => {
  fixtures = await makeFixtures();
  hook = webhookReceiver();
  smtp = await smtpReceiver();
  mkdirSync(join(dataDir, "policies"), { recursive: true });
  writeFileSync(join(dataDir, "policies", "anime.yaml"), readFileSync(join(ROOT, "cli/templates/policies/anime.yaml")));
  writeFileSync(configPath, config(100));
  serve = await startServe(["--port", "0"], { dataDir });
});
afterAll(async () => {
  await serve?.stop();
  hook.stop();
  await smtp.stop();
});

/** `vpo process` of a copy of a fixture; returns its run id (from the NDJSON events) and when it ended. */
async function processCopy(name: "truncated" | "multi", dir: string, extra: string[] = []) {
  const file = await copyFixture(fixtures, name, join(dataDir, "media", dir));
  const result = await vpo([...extra, "process", file, "--policy", "anime", "--json"], { dataDir });
  const finished = result.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event === "file.finished");
  return { file, runId: finished.run_id as string, endedAt: Date.now(), result };
}

describe("vpo serve with a webhook and an SMTP receiver", () => {
  let first: Awaited<ReturnType<typeof processCopy>>;

  test("a truncated file: one run-failed notification to each within 5 s, with the file, policy, error, node and a link to the run", async () => {
    first = await processCopy("truncated", "a");
    expect(first.result.code).toBe(1);
    const [request] = await hook.waitFor(1, 10_000);
    const [mail] = await smtp.waitFor(1, 10_000);
    expect(request!.at - first.endedAt).toBeLessThan(5_000);
    expect(mail).toBeDefined();
    const link = `${serve.url}/#range=all&run=${first.runId}`;
    const body = request!.json;
    expect(body.subject).toBe("[vpo] Run failed: truncated.mkv (anime) on nas-1");
    expect(body.link).toBe(link);
    expect(body.text).toContain(`File: ${first.file}`);
    expect(body.text).toContain("Policy: anime");
    expect(body.text).toContain("Node: nas-1");
    expect(body.text).toMatch(/Error: Cannot read media file ".*truncated\.mkv"/);
    expect(request!.headers["x-vpo-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const text = mailText(mail!.raw);
    expect(mail!.secure).toBe(true);
    expect(text).toContain("Subject: [vpo] Run failed: truncated.mkv (anime) on nas-1");
    expect(text).toContain(link);
    expect(text).toContain("Policy: anime");
  });

  test("a second failure inside the cooldown sends nothing", async () => {
    await processCopy("truncated", "b");
    await Bun.sleep(4_000);
    expect(hook.received.map((r) => r.json.subject).filter((s) => s.includes("Run failed"))).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);
  });

  test("a lower threshold written to config.toml takes effect without a restart", async () => {
    const pid = serve.proc.pid;
    expect((await health()).config.version).toBe(1);
    writeFileSync(configPath, config(50));
    await until(() => hook.received.some((r) => r.json.data?.rule === "failure-rate"), 15_000, "the failure-rate notification");
    expect(hook.received.find((r) => r.json.data?.rule === "failure-rate")!.json.subject).toBe("[vpo] 100 % of runs failed");
    expect((await health()).config.version).toBe(2);
    expect(serve.proc.pid).toBe(pid);
    expect(serve.proc.exitCode).toBeNull();
  });

  test("an invalid edit is refused with a logged error naming the key; the config in force stays", async () => {
    writeFileSync(configPath, config("lots"));
    await until(() => serve.output().includes("alerts.rules.1.threshold"), 15_000, "the refusal in the log");
    expect(serve.output()).toMatch(/Config reload \(config\.toml changed\) refused, version 2 stays in force: Invalid config ".*config\.toml": alerts\.rules\.1\.threshold/);
    expect((await health()).config.version).toBe(2);
    const api = await fetch(`${serve.url}/api/config/reload`, { method: "POST", headers: { authorization: "Bearer s3cret" } });
    expect(api.status).toBe(422);
    expect((await api.json()).error).toContain("alerts.rules.1.threshold");
  });

  test("SIGHUP reloads too; a setting read only at start is named in the log", async () => {
    // Written while the watcher may still fire: SIGHUP or the watcher, either reloads it once.
    writeFileSync(configPath, config(60, "port = 9999"));
    serve.proc.kill("SIGHUP");
    await until(async () => (await health()).config.version === 3, 15_000, "version 3");
    expect(serve.output()).toContain("server.port changed in the config: it takes effect only when vpo is restarted");
    const alerts = await (await fetch(`${serve.url}/api/alerts`)).json();
    expect(alerts.map((r: { rule: string; state: string }) => [r.rule, r.state])).toEqual([["run-failed", "firing"], ["failure-rate", "firing"]]);
  });

  test("vpo logs --run ID says why the file failed, with ffprobe's own words", async () => {
    // A prefix past the UUIDv7's timestamp: runs made within the same minute share their first 8 characters.
    const logs = await vpo(["logs", "--run", first.runId.slice(0, 18)], { dataDir });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\[ERR\] vpo\.engine\.runs: Failed .*truncated\.mkv after .* s: Cannot read media file/);
    expect(logs.stdout).toContain("ffprobe said (last lines of stderr):");
    expect(logs.stdout).toContain("    /tmp/");
    const json = await vpo(["logs", "--run", first.runId, "--json", "--level", "error"], { dataDir });
    const records = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(records.every((r) => r.run_id === first.runId && r.level === "error" && r.node === "nas-1")).toBe(true);
    expect(records[0].job_id).toBeString();
    const history = await vpo(["alerts", "history", "--json"], { dataDir });
    expect(JSON.parse(history.stdout).map((e: { rule: string; kind: string }) => `${e.rule} ${e.kind}`)).toContain("run-failed firing");
  });

  test("vpo --log-level debug process shows the ffprobe and ffmpeg command lines", async () => {
    const { result } = await processCopy("multi", "c", ["--log-level", "debug"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\[DBG\] vpo\.engine\.probe: Running ffprobe: \S*ffprobe -v error -print_format json -show_format -show_streams \S*multi\.mkv/);
    expect(result.stderr).toMatch(/\[DBG\] vpo\.engine\.child: Running ffmpeg: \S*ffmpeg .*-i \S*multi\.mkv/);
    expect(result.stderr).toMatch(/\[INF\] vpo\.engine\.runs: Finished \S*multi\.mkv: rewritten/);
    expect(result.stderr).toMatch(/\(job_id=\S+ run_id=\S+ .*node=nas-1\)/);
  });
});

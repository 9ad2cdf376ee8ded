import { expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "../cli/_cli.ts";
import { asNdjson, perfHistory } from "../fixtures/perf_history.ts";
import { until, webhookReceiver } from "../monitor/_receivers.ts";
import { startServe } from "./_serve.ts";

test("vpo serve makes a scheduled report, delivers it to a folder, stores it and serves it at /api/reports/{id} with its content type", async () => {
  const dataDir = tempDir("vpo-serve-reports-");
  const folder = join(dataDir, "out");
  writeFileSync(join(dataDir, "h.ndjson"), asNdjson(perfHistory({ runs: 200, seed: 51, start: new Date(Date.now() - 12 * 86_400_000).toISOString() })));
  expect((await vpo(["stats", "import", "h.ndjson"], { dataDir })).code).toBe(0);
  // Every two seconds: the first tick at start already catches up the last fire time.
  writeFileSync(join(dataDir, "config.toml"), `[[reports.schedule]]\nname = "daily"\ncron = "*/2 * * * * *"\nperiod = "day"\nformat = "pdf"\nchannels = ["file:${folder}"]\n`);
  const server = await startServe(["--port", "0"], { dataDir });
  try {
    const deadline = Date.now() + 30_000;
    let list: { id: string; status: string; schedule: string; period_key: string; deliveries: { channel: string; ok: boolean; detail: string }[] | null }[] = [];
    while (Date.now() < deadline) {
      list = await (await fetch(`${server.url}/api/reports`)).json();
      if (list.some((r) => r.status === "done" && r.deliveries)) break;
      await Bun.sleep(200);
    }
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect(list.map((r) => [r.schedule, r.period_key, r.status])).toEqual([["daily", `day ${yesterday}`, "done"]]);
    expect(list[0]!.deliveries).toEqual([{ channel: `file:${folder}`, ok: true, detail: join(folder, `vpo-report-daily-${yesterday}.pdf`) }]);
    const res = await fetch(`${server.url}/api/reports/${list[0]!.id}`);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    const body = new Uint8Array(await res.arrayBuffer());
    expect(Buffer.compare(Buffer.from(body), readFileSync(join(folder, `vpo-report-daily-${yesterday}.pdf`)))).toBe(0);
    // More ticks pass: the same period is never made twice.
    await Bun.sleep(4_500);
    expect((await (await fetch(`${server.url}/api/reports`)).json()).length).toBe(1);
    expect(readdirSync(folder)).toEqual([`vpo-report-daily-${yesterday}.pdf`]);
    expect((await fetch(`${server.url}/api/reports/not-an-id`)).status).toBe(400);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  expect(existsSync(folder)).toBe(true);
}, 90_000);

test("a schedule added to config.toml while vpo serve runs is made without a restart and delivered through a named webhook channel with the report's link", async () => {
  const hook = webhookReceiver();
  const dataDir = tempDir("vpo-serve-reports-reload-");
  writeFileSync(join(dataDir, "h.ndjson"), asNdjson(perfHistory({ runs: 50, seed: 52, start: new Date(Date.now() - 3 * 86_400_000).toISOString() })));
  expect((await vpo(["stats", "import", "h.ndjson"], { dataDir })).code).toBe(0);
  const channel = `[channels.hook]\ntype = "webhook"\nurl = "${hook.url}"\n`;
  writeFileSync(join(dataDir, "config.toml"), channel);
  const server = await startServe(["--port", "0"], { dataDir });
  try {
    writeFileSync(join(dataDir, "config.toml"), `${channel}\n[[reports.schedule]]\nname = "daily"\ncron = "*/2 * * * * *"\nperiod = "day"\nformat = "html"\nchannels = ["hook"]\n`);
    const [post] = await hook.waitFor(1, 30_000);
    // The delivery is the dispatcher's: the report shows it sent once the attempt is recorded.
    let report: { id: string; deliveries: Record<string, unknown>[] } | undefined;
    await until(async () => {
      [report] = await (await fetch(`${server.url}/api/reports`)).json();
      return report?.deliveries?.[0]?.ok === true;
    }, 10_000, "the report's delivery recorded as sent");
    expect(post!.json).toMatchObject({ subject: expect.stringContaining("vpo daily report"), link: `${server.url}/api/reports/${report!.id}`, attachments: [] });
    expect(report!.deliveries).toEqual([{ channel: "hook", ok: true, status: "sent", attempts: 1, delivery_id: expect.any(Number), detail: hook.url }]);
    const linked = await fetch(post!.json.link);
    expect([linked.status, linked.headers.get("content-type")]).toEqual([200, expect.stringContaining("text/html")]);
  } finally {
    expect(await server.stop()).toBe(0);
    hook.stop();
  }
}, 90_000);

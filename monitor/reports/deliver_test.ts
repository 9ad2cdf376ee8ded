import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelConfig } from "../../core/mod.ts";
import { type SmtpReceiver, smtpReceiver, type WebhookReceiver, webhookReceiver } from "../../tests/monitor/_receivers.ts";
import { type DeliverableReport, deliverReport } from "./deliver.ts";

const pdf = new Uint8Array(Buffer.from("%PDF-1.7\n% a weekly report\n%%EOF\n"));
const report: DeliverableReport = {
  id: "0193aaaa-report", schedule: "weekly", period_key: "week 2026-W09", title: "vpo weekly report: 2026-W09",
  since: "2026-02-23T00:00:00.000Z", until: "2026-03-02T00:00:00.000Z", format: "pdf", content_type: "application/pdf",
  filename: "vpo-report-weekly-2026-W09.pdf", body: pdf, link: "http://vpo.lan:8321/api/reports/0193aaaa-report",
};

describe("a scheduled report goes through the alert channels by name", () => {
  let hook: WebhookReceiver;
  let smtp: SmtpReceiver;
  let channels: Record<string, ChannelConfig>;
  const dir = mkdtempSync(join(tmpdir(), "vpo-report-deliver-"));
  beforeAll(async () => {
    hook = webhookReceiver();
    smtp = await smtpReceiver();
    channels = {
      hook: { type: "webhook", url: hook.url },
      mail: { type: "email", host: "127.0.0.1", port: smtp.port, tls: "starttls", username: "vpo", password: "secret", ca_file: smtp.certFile, from: "vpo@example.org", to: "ops@example.org" },
      log: { type: "file", path: join(dir, "notifications.ndjson") },
    };
  });
  afterAll(async () => {
    hook.stop();
    await smtp.stop();
  });

  test("email carries the document, the webhook and the file channel the link to /api/reports/{id}, a folder gets the file", async () => {
    const folder = join(dir, "reports");
    const deliveries = await deliverReport(report, ["mail", "hook", "log", `file:${folder}`], channels);
    expect(deliveries.map((d) => [d.channel, d.ok])).toEqual([["mail", true], ["hook", true], ["log", true], [`file:${folder}`, true]]);

    const [mail] = await smtp.waitFor(1);
    expect(mail!.raw).toContain("Subject: vpo weekly report: 2026-W09");
    expect(mail!.raw).toContain("filename=vpo-report-weekly-2026-W09.pdf");
    expect(mail!.raw).toContain(Buffer.from(pdf).toString("base64").slice(0, 40));

    const [post] = await hook.waitFor(1);
    expect(post!.json).toMatchObject({ subject: report.title, link: report.link, attachments: [], data: { report_id: report.id, schedule: "weekly", format: "pdf" } });

    const line = JSON.parse(readFileSync(join(dir, "notifications.ndjson"), "utf8").trim());
    expect(line).toMatchObject({ subject: report.title, link: report.link });
    expect(readFileSync(join(folder, report.filename))).toEqual(Buffer.from(pdf));
  });

  test("a channel that is down or not configured is recorded as not delivered, saying why; the others still get it", async () => {
    hook.answer(503);
    hook.received.length = 0;
    const deliveries = await deliverReport(report, ["hook", "nowhere", "log"], channels);
    hook.answer(200);
    expect(deliveries[0]).toMatchObject({ channel: "hook", ok: false, detail: expect.stringContaining("answered HTTP 503") });
    expect(deliveries[1]).toEqual({ channel: "nowhere", ok: false, detail: 'no channel "nowhere" in the config (add [channels.nowhere])' });
    expect(deliveries[2]).toMatchObject({ channel: "log", ok: true });
  });
});

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelConfig } from "../../core/mod.ts";
import { closedPort, type SmtpReceiver, smtpReceiver, type WebhookReceiver, webhookReceiver } from "../../tests/monitor/_receivers.ts";
import { decodeMessage, deliver, encodeMessage, type Message, signature } from "./mod.ts";

const message: Message = {
  subject: "Run failed: movie.mkv",
  text: "File: /media/movie.mkv\nPolicy: anime\nError: ffmpeg exited with code 1",
  html: "<p><b>movie.mkv</b> failed</p>",
  link: "http://vpo.lan:8321/#range=all&run=0193",
  severity: "critical",
  data: { rule: "failures", file: "/media/movie.mkv" },
  attachments: [{ filename: "report.csv", content: "a,b\n1,2\n", contentType: "text/csv" }],
};

describe("webhook channel", () => {
  let receiver: WebhookReceiver;
  beforeAll(() => (receiver = webhookReceiver()));
  afterAll(() => receiver.stop());

  test("posts the documented JSON body, signed with HMAC-SHA256 when a secret is set", async () => {
    const now = new Date("2026-03-01T12:00:00.000Z");
    await deliver({ type: "webhook", url: receiver.url, secret: "s3cret", headers: { "x-team": "media" } }, message, { now });
    const [req] = await receiver.waitFor(1);
    expect(req!.json).toEqual({
      source: "vpo", version: 1, subject: message.subject, text: message.text, link: message.link, severity: "critical",
      data: { rule: "failures", file: "/media/movie.mkv" },
      attachments: [{ filename: "report.csv", content_type: "text/csv", content_base64: Buffer.from("a,b\n1,2\n").toString("base64") }],
      sent_at: "2026-03-01T12:00:00.000Z",
    });
    expect(req!.headers["x-vpo-signature"]).toBe(signature("s3cret", req!.body));
    expect(req!.headers["x-vpo-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers["x-team"]).toBe("media");
  });

  test("Discord, Slack and Apprise presets post those services' formats, unsigned without a secret", async () => {
    receiver.received.length = 0;
    for (const preset of ["discord", "slack", "apprise"] as const) await deliver({ type: "webhook", url: receiver.url, preset }, message);
    const [discord, slack, apprise] = await receiver.waitFor(3);
    expect(discord!.json.embeds[0]).toMatchObject({ title: message.subject, description: message.text, url: message.link, color: 0xc0392b });
    expect(slack!.json).toEqual({ text: `*${message.subject}*\n${message.text}\n<${message.link}|Open in vpo>` });
    expect(apprise!.json).toEqual({ title: message.subject, body: `${message.text}\n\n${message.link}`, type: "failure", format: "text" });
    expect(discord!.headers["x-vpo-signature"]).toBeUndefined();
  });

  test("an error answer, a closed port and a receiver that never answers each fail with what happened", async () => {
    receiver.answer(503);
    await expect(deliver({ type: "webhook", url: receiver.url }, message)).rejects.toThrow(/answered HTTP 503: receiver is down for maintenance/);
    const port = await closedPort();
    await expect(deliver({ type: "webhook", url: `http://127.0.0.1:${port}/x` }, message)).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:\d+\/x/);
    receiver.answer("hang");
    const started = performance.now();
    await expect(deliver({ type: "webhook", url: receiver.url, timeout: "1s" }, message)).rejects.toThrow(/no answer from .* within 1 s/);
    expect(performance.now() - started).toBeLessThan(4_000);
    receiver.answer(200);
  });
});

describe("email channel", () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => (smtp = await smtpReceiver()));
  afterAll(() => smtp.stop());

  const channel = (): ChannelConfig => ({
    type: "email", host: "127.0.0.1", port: smtp.port, tls: "starttls", username: "vpo", password: "secret", ca_file: smtp.certFile,
    from: "vpo@example.org", to: ["ops@example.org", "me@example.org"],
  });

  test("sends over STARTTLS with authentication, with text and HTML parts and attachments", async () => {
    await deliver(channel(), message);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.secure).toBe(true);
    expect(mail!.user).toBe("vpo");
    expect(mail!.from).toBe("vpo@example.org");
    expect(mail!.to).toEqual(["ops@example.org", "me@example.org"]);
    expect(mail!.raw).toContain("Subject: Run failed: movie.mkv");
    expect(mail!.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail!.raw).toMatch(/Content-Type: text\/html/);
    expect(mail!.raw).toContain("Policy: anime");
    expect(mail!.raw).toContain("<b>movie.mkv</b>");
    expect(mail!.raw).toContain('filename=report.csv');
  });

  test("a wrong password and an untrusted certificate are refused with the reason", async () => {
    await expect(deliver({ ...channel(), password: "wrong" }, message)).rejects.toThrow(/SMTP 127\.0\.0\.1: .*Invalid username or password/);
    await expect(deliver({ ...channel(), ca_file: undefined }, message)).rejects.toThrow(/SMTP 127\.0\.0\.1: .*(self.signed|certificate)/i);
  });
});

describe("file channel", () => {
  test("appends one NDJSON line per message and rotates past max_bytes", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "vpo-file-channel-")), "alerts", "alerts.ndjson");
    const channel: ChannelConfig = { type: "file", path, max_bytes: 1000, backup_count: 2 };
    for (let i = 0; i < 6; i++) await deliver(channel, { ...message, subject: `message ${i}` }, { now: new Date(Date.UTC(2026, 2, 1, 0, 0, i)) });
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ at: "2026-03-01T00:00:05.000Z", subject: "message 5", link: message.link, severity: "critical", attachments: ["report.csv"] });
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    const all = [`${path}.2`, `${path}.1`, path].filter(existsSync).flatMap((p) => readFileSync(p, "utf8").trim().split("\n").map((l) => JSON.parse(l).subject));
    expect(all.at(-1)).toBe("message 5");
    expect(all).toEqual([...all].sort());
  });
});

test("a message survives the database: bytes of attachments as base64", () => {
  const bytes: Message = { ...message, attachments: [{ filename: "x.bin", content: new Uint8Array([0, 255, 7]) }] };
  expect(decodeMessage(encodeMessage(bytes))).toEqual(bytes);
  expect(decodeMessage(encodeMessage(message))).toEqual(message);
});

/**
 * The webhook channel: an HTTP POST of vpo's JSON body (the README documents it), or of a
 * service's own format (Discord, Slack, Apprise). With a secret, the body is signed:
 * `X-Vpo-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`.
 */
import { createHmac } from "node:crypto";
import pkg from "../../package.json" with { type: "json" };
import type { ChannelConfig } from "../../core/mod.ts";
import { type Message, textWithLink } from "./message.ts";

const COLORS = { info: 0x3557a8, warning: 0xd98e04, critical: 0xc0392b, resolved: 0x2e8b57 } as const;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** vpo's own body, version 1. */
export function jsonBody(message: Message, now: Date): Record<string, unknown> {
  return {
    source: "vpo",
    version: 1,
    subject: message.subject,
    text: message.text,
    link: message.link ?? null,
    severity: message.severity ?? "info",
    data: message.data ?? {},
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      content_type: a.contentType ?? "application/octet-stream",
      content_base64: Buffer.from(typeof a.content === "string" ? Buffer.from(a.content) : a.content).toString("base64"),
    })),
    sent_at: now.toISOString(),
  };
}

/** The body for a preset. */
export function webhookBody(preset: ChannelConfig["preset"], message: Message, now: Date): unknown {
  switch (preset) {
    case "discord":
      return {
        username: "vpo",
        embeds: [{
          title: clip(message.subject, 256),
          description: clip(message.text, 4096),
          ...(message.link ? { url: message.link } : {}),
          color: COLORS[message.severity ?? "info"],
          timestamp: now.toISOString(),
        }],
      };
    case "slack":
      return { text: clip(`*${message.subject}*\n${message.text}${message.link ? `\n<${message.link}|Open in vpo>` : ""}`, 39_000) };
    case "apprise": {
      const type = { info: "info", warning: "warning", critical: "failure", resolved: "success" }[message.severity ?? "info"];
      return { title: message.subject, body: textWithLink(message), type, format: "text" };
    }
    default:
      return jsonBody(message, now);
  }
}

/** `sha256=<hex>` of the body with the secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** One POST; throws with the status and the start of the answer on anything but 2xx. */
export async function sendWebhook(channel: ChannelConfig, message: Message, o: { timeoutMs: number; now: Date }): Promise<void> {
  const body = JSON.stringify(webhookBody(channel.preset, message, o.now));
  const headers: Record<string, string> = {
    ...channel.headers,
    "content-type": "application/json",
    "user-agent": `vpo/${pkg.version}`,
  };
  if (channel.secret) headers["x-vpo-signature"] = signature(channel.secret, body);
  let response: Response;
  try {
    response = await fetch(channel.url!, { method: "POST", headers, body, signal: AbortSignal.timeout(o.timeoutMs), redirect: "follow" });
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") throw new Error(`no answer from ${channel.url} within ${o.timeoutMs / 1000} s`);
    throw new Error(`cannot reach ${channel.url}: ${(error as Error)?.message ?? String(error)}`);
  }
  if (!response.ok) {
    const answer = (await response.text().catch(() => "")).trim().slice(0, 200);
    throw new Error(`${channel.url} answered HTTP ${response.status}${answer ? `: ${answer}` : ""}`);
  }
  await response.body?.cancel().catch(() => {});
}

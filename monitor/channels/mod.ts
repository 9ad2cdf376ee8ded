/**
 * Notification channels: one `deliver(channel, message)` path for alerts, tests and scheduled
 * reports. A delivery is one attempt, bounded by the channel's timeout; retries, their backoff
 * and the record of each attempt belong to the dispatcher (monitor/dispatcher.ts), which calls this.
 *
 * @example
 * await deliver(config.channels.ops, { subject: "Weekly report", text: "…", html: "<h1>…</h1>", link: "http://vpo.lan/" });
 */
import { isAbsolute, join } from "node:path";
import { type ChannelConfig, dataDir, parseDuration } from "../../core/mod.ts";
import { sendEmail } from "./email.ts";
import { appendToFile } from "./file.ts";
import type { Message } from "./message.ts";
import { sendWebhook } from "./webhook.ts";

export { decodeMessage, encodeMessage, escapeHtml, htmlOf, textWithLink, type Attachment, type Message } from "./message.ts";
export { jsonBody, signature, webhookBody } from "./webhook.ts";
export { fileLine } from "./file.ts";

/** How a channel is tried: the longest one attempt may take, how many retries, the first retry's wait (doubling after). */
export interface RetryPolicy {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/** A channel's retry policy: defaults 10 s timeout, 3 retries, 5 s first backoff. */
export function retryPolicy(channel: ChannelConfig): RetryPolicy {
  return {
    timeoutMs: parseDuration(channel.timeout ?? "10s") * 1000,
    retries: channel.retries ?? 3,
    backoffMs: parseDuration(channel.backoff ?? "5s") * 1000,
  };
}

/** The wait before retry `n` (1-based): backoff, doubling each time, at most an hour. */
export const retryDelayMs = (policy: RetryPolicy, n: number): number => Math.min(policy.backoffMs * 2 ** (n - 1), 3_600_000);

/** Relative paths of file channels and CA files are taken from the data dir. */
export function resolveChannelPaths(channels: Record<string, ChannelConfig>, dir = dataDir()): Record<string, ChannelConfig> {
  const at = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : join(dir, p));
  return Object.fromEntries(Object.entries(channels).map(([name, c]) => [name, { ...c, path: at(c.path), ca_file: at(c.ca_file) }]));
}

/**
 * Sends `message` once through `channel`. Throws an Error whose message says what went wrong
 * (unreachable, timed out, refused with the server's answer); never hangs past the timeout.
 */
export async function deliver(channel: ChannelConfig, message: Message, o: { now?: Date } = {}): Promise<void> {
  const { timeoutMs } = retryPolicy(channel);
  const now = o.now ?? new Date();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = (async () => {
    switch (channel.type) {
      case "webhook": return sendWebhook(channel, message, { timeoutMs, now });
      case "email": return sendEmail(channel, message, { timeoutMs });
      case "file": return appendToFile(channel, message, { now });
    }
  })();
  attempt.catch(() => {}); // its failure is reported through the race below
  try {
    // A backstop over each transport's own timeouts: one attempt never outlives its budget by much.
    await Promise.race([
      attempt,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gave up after ${timeoutMs / 1000} s`)), timeoutMs + 2_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

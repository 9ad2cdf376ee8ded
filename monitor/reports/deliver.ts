import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { getLogger } from "@logtape/logtape";
import type { ChannelConfig } from "../../core/mod.ts";
import { deliver, type Message, resolveChannelPaths } from "../channels/mod.ts";

const log = getLogger(["vpo", "reports"]);

/** A finished report as channels receive it. */
export interface DeliverableReport {
  id: string;
  schedule: string;
  /** "week 2026-W05" */
  period_key: string;
  title: string;
  since: string;
  until: string;
  format: string;
  content_type: string;
  /** e.g. "vpo-report-weekly-2026-W05.pdf" */
  filename: string;
  body: Uint8Array;
  /** Where the server serves it (`/api/reports/{id}` on the server's URL), when known: for a webhook's link. */
  link: string | null;
}

/** What became of one channel. */
export interface Delivery {
  channel: string;
  /** Delivered; null while a queued delivery is still being tried. */
  ok: boolean | null;
  /** Where it went (a file path, a URL) or why it did not. */
  detail: string;
  /** The dispatcher's delivery, when it was queued (its status is read back with the report). */
  delivery_id?: number;
  status?: string;
}

/** Hands a message for a named channel to the dispatcher (recorded, retried, taken over); its delivery id. */
export type DeliveryQueue = (channel: string, message: Message) => Promise<number>;

/** The message a named channel gets: email carries the document, a webhook and the NDJSON file the link. */
export function reportMessage(report: DeliverableReport, channel: ChannelConfig): Message {
  const text = `${report.title} (${report.since} to ${report.until}), ${report.format.toUpperCase()}${report.link ? "" : ` — stored as report ${report.id}`}`;
  return {
    subject: report.title,
    text,
    link: report.link,
    severity: "info",
    data: { report_id: report.id, schedule: report.schedule, period: report.period_key, since: report.since, until: report.until, format: report.format, filename: report.filename },
    // Only email carries the document: a webhook (and a log line) points at /api/reports/{id}.
    attachments: channel.type === "email" ? [{ filename: report.filename, content: report.body, contentType: report.content_type }] : undefined,
  };
}

/**
 * Delivers a report to each channel; a channel that fails never stops the others or the report.
 *
 * - `file:/dir` writes the document into that folder (via a temp file, renamed when complete).
 * - Any other entry names a `[channels.<name>]`: email with the document attached, webhook with the
 *   link, file channel a line. With a `queue` (a server's dispatcher, the one path alerts take) the
 *   message is recorded as a delivery and retried with the channel's backoff, by any server, until
 *   it is sent or its retries are spent; without one (no server running) it gets one attempt,
 *   bounded by the channel's timeout. Either way its outcome is kept with the report.
 */
export async function deliverReport(report: DeliverableReport, channels: readonly string[], named: Record<string, ChannelConfig> = {}, queue?: DeliveryQueue): Promise<Delivery[]> {
  const out: Delivery[] = [];
  const configured = resolveChannelPaths(named);
  for (const channel of channels) {
    try {
      if (channel.startsWith("file:")) {
        const dir = channel.slice("file:".length).replace(/^\/\/(?=\/)/, "");
        if (!isAbsolute(dir)) throw new Error(`"${channel}" must name an absolute folder (file:/path)`);
        mkdirSync(dir, { recursive: true });
        const path = join(dir, report.filename);
        writeFileSync(`${path}.tmp`, report.body);
        renameSync(`${path}.tmp`, path);
        out.push({ channel, ok: true, detail: path });
      } else {
        const target = configured[channel];
        if (!target) throw new Error(`no channel "${channel}" in the config (add [channels.${channel}])`);
        const where = target.type === "webhook" ? target.url! : target.type === "email" ? [target.to ?? []].flat().join(", ") : target.path!;
        if (queue) {
          out.push({ channel, ok: null, status: "pending", detail: where, delivery_id: await queue(channel, reportMessage(report, target)) });
          continue;
        }
        await deliver(target, reportMessage(report, target));
        out.push({ channel, ok: true, detail: where });
      }
    } catch (error) {
      out.push({ channel, ok: false, detail: (error as Error).message });
    }
  }
  for (const d of out.filter((d) => !d.ok)) log.warning("Report {id} was not delivered to {channel}: {detail}", { id: report.id, ...d });
  return out;
}

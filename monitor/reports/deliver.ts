import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { getLogger } from "@logtape/logtape";

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
  ok: boolean;
  /** Where it went (a file path, a URL) or why it did not. */
  detail: string;
}

/**
 * Delivers a report to each channel; a channel that fails never stops the others or the report.
 *
 * - `file:/dir` writes the document into that folder (via a temp file, renamed when complete).
 * - Any other entry names an alert channel (webhook with the link, email with the document
 *   attached): those are built in monitor/channels and are connected here when both are merged —
 *   until then such a delivery is recorded as not made, saying why.
 */
export async function deliverReport(report: DeliverableReport, channels: readonly string[]): Promise<Delivery[]> {
  const out: Delivery[] = [];
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
        out.push({ channel, ok: false, detail: `no alert channel named "${channel}" in this build (only file:/folder channels deliver)` });
      }
    } catch (error) {
      out.push({ channel, ok: false, detail: (error as Error).message });
    }
  }
  for (const d of out.filter((d) => !d.ok)) log.warning("Report {id} was not delivered to {channel}: {detail}", { id: report.id, ...d });
  return out;
}

/**
 * A message as every channel takes it: alerts, tests and scheduled reports all send these.
 * Webhooks post it as JSON (or a service's format), email sends `text` and `html` parts, the file
 * channel writes it as one NDJSON line.
 */

export interface Attachment {
  filename: string;
  /** Text, or bytes (base64 in webhook bodies and in the database). */
  content: string | Uint8Array;
  contentType?: string;
}

export interface Message {
  subject: string;
  /** Plain text; the link is added by each channel where it fits. */
  text: string;
  /** HTML for email (default: the text, escaped). */
  html?: string;
  /** Where to look: the run or view on the dashboard. */
  link?: string | null;
  /** How it is shown where a service colours messages: info, warning, critical, or resolved. */
  severity?: "info" | "warning" | "critical" | "resolved";
  /** Structured fields for machines (the webhook body's `data`, the file line's `data`). */
  data?: Record<string, unknown>;
  attachments?: Attachment[];
}

type Stored = Omit<Message, "attachments"> & { attachments?: { filename: string; contentType?: string; text?: string; base64?: string }[] };

/** The message as JSON text (bytes of attachments as base64), for the deliveries table. */
export function encodeMessage(message: Message): string {
  const stored: Stored = {
    ...message,
    attachments: message.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      ...(typeof a.content === "string" ? { text: a.content } : { base64: Buffer.from(a.content).toString("base64") }),
    })),
  };
  return JSON.stringify(stored);
}

/** The inverse of encodeMessage. */
export function decodeMessage(text: string): Message {
  const stored = JSON.parse(text) as Stored;
  return {
    ...stored,
    attachments: stored.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.text ?? new Uint8Array(Buffer.from(a.base64 ?? "", "base64")),
    })),
  };
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The text with the link under it: what channels without a link field show. */
export function textWithLink(message: Message): string {
  return message.link ? `${message.text}\n\n${message.link}` : message.text;
}

/** The HTML part: the message's own, else its text escaped, with the link as a link. */
export function htmlOf(message: Message): string {
  if (message.html) return message.html;
  const body = `<pre style="font-family: inherit; white-space: pre-wrap">${escapeHtml(message.text)}</pre>`;
  return message.link ? `${body}\n<p><a href="${escapeHtml(message.link)}">${escapeHtml(message.link)}</a></p>` : body;
}

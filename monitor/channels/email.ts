/**
 * The email channel: SMTP through nodemailer, with STARTTLS (required), TLS from the start or
 * none, optional authentication, and text and HTML parts.
 */
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import type { ChannelConfig } from "../../core/mod.ts";
import { htmlOf, type Message, textWithLink } from "./message.ts";

const DEFAULT_PORTS = { starttls: 587, tls: 465, none: 25 } as const;

/** One email; throws with the server's answer when it is refused. */
export async function sendEmail(channel: ChannelConfig, message: Message, o: { timeoutMs: number }): Promise<void> {
  const tls = channel.tls ?? "starttls";
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port ?? DEFAULT_PORTS[tls],
    secure: tls === "tls",
    requireTLS: tls === "starttls",
    ignoreTLS: tls === "none",
    auth: channel.username ? { user: channel.username, pass: channel.password ?? "" } : undefined,
    tls: channel.ca_file ? { ca: readFileSync(channel.ca_file) } : undefined,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: [channel.to ?? []].flat(),
      subject: message.subject,
      text: textWithLink(message),
      html: htmlOf(message),
      attachments: message.attachments?.map((a) => ({
        filename: a.filename,
        content: typeof a.content === "string" ? a.content : Buffer.from(a.content),
        contentType: a.contentType,
      })),
    });
  } catch (error) {
    throw new Error(`SMTP ${channel.host}: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    transport.close();
  }
}

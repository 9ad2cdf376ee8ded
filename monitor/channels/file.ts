/**
 * The file channel: one NDJSON line per message, appended; the file is rotated when it would grow
 * past `max_bytes` (`alerts.ndjson.1` … `.N`, keeping `backup_count`).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ChannelConfig } from "../../core/mod.ts";
import type { Message } from "./message.ts";

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_BACKUPS = 3;

/** The line a message becomes. */
export function fileLine(message: Message, now: Date): string {
  const { attachments, ...rest } = message;
  return `${JSON.stringify({ at: now.toISOString(), ...rest, link: message.link ?? null, attachments: attachments?.map((a) => a.filename) })}\n`;
}

function rotate(path: string, backups: number): void {
  if (backups === 0) return rmSync(path, { force: true });
  rmSync(`${path}.${backups}`, { force: true });
  for (let i = backups - 1; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  renameSync(path, `${path}.1`);
}

export async function appendToFile(channel: ChannelConfig, message: Message, o: { now: Date }): Promise<void> {
  const path = channel.path!;
  const line = fileLine(message, o.now);
  mkdirSync(dirname(path), { recursive: true });
  const size = existsSync(path) ? statSync(path).size : 0;
  if (size > 0 && size + Buffer.byteLength(line) > (channel.max_bytes ?? DEFAULT_MAX_BYTES)) rotate(path, channel.backup_count ?? DEFAULT_BACKUPS);
  await appendFile(path, line);
}

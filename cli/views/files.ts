/**
 * `vpo files`: what the last scan (or processing run) learnt about each file — container,
 * duration, size, scan status, and every stream as ffprobe saw it.
 */
import type { FileEntry, MediaStream } from "../../core/mod.ts";
import { colors, formatBytes, formatDuration, formatInstant, renderTable } from "../format.ts";

/** A stream in the JSON output: snake_case like every other view. */
function streamJson(s: MediaStream) {
  return {
    index: s.index, type: s.type, codec: s.codec, language: s.language, title: s.title, default: s.isDefault, forced: s.isForced,
    width: s.width ?? null, height: s.height ?? null, channels: s.channels ?? null, bit_rate: s.bitRate ?? null,
  };
}

/** The `--json` form of one file: the `files` row, streams decoded. */
export function fileJson(f: FileEntry) {
  return {
    path: f.path, scan_status: f.scan_status, scan_error: f.scan_error, container: f.container, duration: f.duration,
    size_bytes: f.size_bytes, bitrate: f.bitrate, modified_at: f.modified_at, scanned_at: f.scanned_at, content_hash: f.content_hash,
    streams: f.streams?.map(streamJson) ?? null,
  };
}

function details(s: MediaStream): string {
  if (s.width && s.height) return `${s.width}×${s.height}`;
  if (s.channels) return `${s.channels} ch`;
  return "";
}

const flags = (s: MediaStream) => [s.isDefault ? "default" : "", s.isForced ? "forced" : ""].filter(Boolean).join(", ");

function status(f: FileEntry): string {
  if (f.scan_status === "ok") return colors.green("ok");
  if (f.scan_status === "missing") return colors.yellow("missing from disk");
  return colors.red("unreadable");
}

/** One file: its path, a line of facts (and ffprobe's error), then its streams as a table. */
function renderFile(f: FileEntry): string {
  const facts = [f.container ?? "unknown container", formatDuration(f.duration), formatBytes(f.size_bytes), status(f), `scanned ${formatInstant(f.scanned_at)}`];
  let heading = `${colors.bold(f.path)}\n  ${facts.join(" · ")}`;
  if (f.scan_status === "error") heading += `\n  ${colors.red(`error: ${f.scan_error ?? "ffprobe could not read it"}`)}`;
  if (!f.streams?.length) return heading;
  const table = renderTable(
    ["#", "Type", "Codec", "Language", "Title", "Flags", "Size / channels"],
    f.streams.map((s) => [s.index, s.type, s.codec ?? "?", s.language ?? "—", s.title ?? "", flags(s), details(s)]),
    ["right", "left", "left", "left", "left", "left", "left"],
  );
  return `${heading}\n${table.split("\n").map((line) => `  ${line}`).join("\n")}`;
}

/** Every file, then a count by scan status. */
export function renderFiles(files: FileEntry[]): string {
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.scan_status, (counts.get(f.scan_status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  return `${files.map(renderFile).join("\n\n")}\n\n${files.length} ${files.length === 1 ? "file" : "files"} (${summary})`;
}

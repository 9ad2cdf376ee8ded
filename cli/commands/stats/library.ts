import { defineCommand } from "citty";
import { parseTimeRange, VpoError } from "../../../core/mod.ts";
import { getLibraryComposition, type LibraryComposition } from "../../../monitor/library/mod.ts";
import { globalArgs } from "../../context.ts";
import { formatBytes, formatNumber, renderCsv, renderJson, renderTable } from "../../format.ts";
import { formatArg, withDatabase } from "./_shared.ts";

const LABELS: Record<string, string> = {
  container: "Container", video_codec: "Video codec", resolution: "Resolution", hdr: "HDR", audio_codec: "Audio codec", audio_language: "Audio language", subtitle_language: "Subtitle language",
};

function renderLatest(c: LibraryComposition): string {
  const s = c.snapshots.at(-1)!;
  const parts = [`${c.library || "Every file"} on ${s.day}: ${formatNumber(s.files)} files, ${formatBytes(s.bytes)}`];
  for (const [dimension, shares] of Object.entries(s.dimensions)) {
    parts.push(renderTable([LABELS[dimension] ?? dimension, "Files", "%", "Size"], shares.map((x) => [x.value, formatNumber(x.files), `${((x.files / Math.max(1, s.files)) * 100).toFixed(1)}%`, formatBytes(x.bytes)]), ["left", "right", "right", "right"]));
  }
  return parts.join("\n\n");
}

function renderTrend(c: LibraryComposition): string {
  const codecs = [...new Set(c.snapshots.flatMap((s) => s.dimensions.video_codec?.map((x) => x.value) ?? []))].slice(0, 4);
  const buckets = ["SD", "720p", "1080p", "2160p"];
  const count = (s: LibraryComposition["snapshots"][number], dim: string, value: string) => s.dimensions[dim]?.find((x) => x.value === value)?.files ?? 0;
  return renderTable(
    ["Day", "Files", "Size", ...codecs, ...buckets, "HDR"],
    c.snapshots.map((s) => [
      s.day, formatNumber(s.files), formatBytes(s.bytes), ...codecs.map((v) => formatNumber(count(s, "video_codec", v))), ...buckets.map((b) => formatNumber(count(s, "resolution", b))),
      formatNumber((s.dimensions.hdr ?? []).filter((x) => x.value !== "SDR" && x.value !== "unknown" && x.value !== "no video").reduce((n, x) => n + x.files, 0)),
    ]),
    ["left", "right", "right", ...codecs.map(() => "right" as const), ...buckets.map(() => "right" as const), "right"],
  );
}

export const libraryCommand = defineCommand({
  meta: { name: "library", description: "What the library is made of (containers, codecs, resolutions, HDR, languages), now or over time (--trend)" },
  args: {
    library: { type: "string", description: "A library from [libraries] (default: every file scanned)" },
    trend: { type: "boolean", description: "One row per day a scan took a snapshot" },
    since: { type: "string", description: "With --trend: from this day" },
    until: { type: "string", description: "With --trend: up to this day" },
    format: formatArg(["table", "json", "csv"]),
    ...globalArgs,
  },
  async run({ args, rawArgs }) {
    const range = parseTimeRange(args);
    await withDatabase(args, rawArgs, async (db) => {
      const c = await getLibraryComposition(db, { library: args.library, trend: args.trend, ...range });
      if (c.snapshots.length === 0) throw new VpoError("NO_STATS", `No library snapshot${args.trend ? " in this window" : " yet"}: a scan takes one (vpo scan DIR).`);
      if (args.format === "json") process.stdout.write(`${renderJson(c)}\n`);
      else if (args.format === "csv") {
        const rows = c.snapshots.flatMap((s) => [{ day: s.day, dimension: "total", value: "", files: s.files, bytes: s.bytes }, ...Object.entries(s.dimensions).flatMap(([dimension, shares]) => shares.map((x) => ({ day: s.day, dimension, ...x })))]);
        process.stdout.write(renderCsv(rows, ["day", "dimension", "value", "files", "bytes"]));
      } else process.stdout.write(`${args.trend ? renderTrend(c) : renderLatest(c)}\n`);
    });
  },
});

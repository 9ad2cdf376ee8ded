// Renders the summary cards, the policy table, the codec table and the recent runs.
import { basename, bytes, count, duration, el, percent, ratio, when } from "./format.js";

function setField(root, name, text, raw) {
  const node = root.querySelector(`[data-field="${name}"]`);
  if (!node) return;
  node.textContent = text;
  if (raw !== undefined) node.dataset.value = String(raw);
}

/** Fills the summary cards from a StatsSummary. */
export function renderSummary(root, s) {
  setField(root, "total_files_processed", count(s.total_files_processed), s.total_files_processed);
  setField(root, "outcomes", `${count(s.total_successful)} succeeded · ${count(s.total_failed)} failed`);
  setField(root, "success_rate", s.total_files_processed ? ratio(s.success_rate) : "–", s.success_rate);
  setField(root, "total_failed", s.total_failed ? `${count(s.total_failed)} failed or interrupted` : "no failures");
  setField(root, "total_size_saved", bytes(s.total_size_saved), s.total_size_saved);
  setField(root, "avg_savings_percent", `${percent(s.avg_savings_percent)} of ${bytes(s.total_size_before)}`, s.avg_savings_percent);
  for (const f of ["total_audio_removed", "total_subtitles_removed", "total_attachments_removed", "total_videos_transcoded", "total_videos_skipped", "total_audio_transcoded"]) {
    setField(root, f, count(s[f]), s[f]);
  }
  setField(root, "avg_processing_time", duration(s.avg_processing_time), s.avg_processing_time ?? "");
  setField(root, "encoders", `${count(s.hardware_encodes)} hardware · ${count(s.software_encodes)} software encodes`);
  root.setAttribute("aria-busy", "false");
}

const SORT_VALUE = {
  tracks_removed: (p) => p.audio_tracks_removed + p.subtitle_tracks_removed + p.attachments_removed,
  avg_processing_time: (p) => p.avg_processing_time ?? -1,
};

/** Sorts policy rows by a column; text ascending by default, numbers descending. */
export function sortPolicies(rows, key, direction) {
  const value = SORT_VALUE[key] ?? ((p) => p[key] ?? "");
  const sign = direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === "string" ? x.localeCompare(y) : x - y;
    return order * sign || a.policy_name.localeCompare(b.policy_name);
  });
}

/** Fills the policy comparison table. */
export function renderPolicies(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(
    ...rows.map((p) =>
      el("tr", { "data-policy": p.policy_name },
        el("th", { scope: "row" }, p.policy_name),
        el("td", { class: "num", "data-value": p.files_processed }, count(p.files_processed)),
        el("td", { class: "num" }, ratio(p.success_rate)),
        el("td", { class: "num", "data-value": p.total_size_saved }, bytes(p.total_size_saved)),
        el("td", { class: "num" }, percent(p.avg_savings_percent)),
        el("td", { class: "num", title: `audio ${p.audio_tracks_removed} · subtitles ${p.subtitle_tracks_removed} · attachments ${p.attachments_removed}` }, count(SORT_VALUE.tracks_removed(p))),
        el("td", { class: "num" }, count(p.videos_transcoded)),
        el("td", { class: "num" }, duration(p.avg_processing_time)),
        el("td", {}, when(p.last_used)),
      ),
    ),
  );
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 9, class: "empty" }, "No runs in this range")));
}

/** Fills the codec table with proportional bars (the numbers stay readable as text). */
export function renderCodecs(table, rows) {
  const max = Math.max(1, ...rows.flatMap((r) => [r.before, r.after]));
  const bar = (n, kind) =>
    el("td", { "data-value": n }, el("span", { class: `bar ${kind}`, style: `--w:${(n / max).toFixed(3)}`, "aria-hidden": "true" }), el("span", { class: "bar-n" }, count(n)));
  table.tBodies[0].replaceChildren(...rows.map((r) => el("tr", { "data-codec": r.codec }, el("th", { scope: "row" }, r.codec), bar(r.before, "before"), bar(r.after, "after"))));
  if (!rows.length) table.tBodies[0].append(el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No video codecs reported in this range")));
}

const STATUS_TEXT = { success: "✓ success", failed: "✗ failed", interrupted: "■ interrupted" };

function videoText(r) {
  if (!r.video_source_codec) return "–";
  if (r.video_transcode_skipped === false) return `${r.video_source_codec} → ${r.video_target_codec ?? "?"}`;
  return `${r.video_source_codec} (kept)`;
}

/** Fills the recent runs table; each file name is a button that opens the run's details. */
export function renderRecent(table, runs, onOpen, highlight = new Set()) {
  table.tBodies[0].replaceChildren(
    ...runs.map((r) => {
      const open = el("button", { type: "button", class: "link", "data-run": r.stats_id, title: r.file_path }, basename(r.file_path));
      open.addEventListener("click", () => onOpen(r.stats_id, open));
      return el("tr", { "data-run-row": r.stats_id, class: highlight.has(r.stats_id) ? "new" : null },
        el("td", {}, el("time", { datetime: r.processed_at }, when(r.processed_at))),
        el("td", { class: "file" }, open),
        el("td", {}, r.policy_name),
        el("td", { class: `status ${r.status}` }, STATUS_TEXT[r.status] ?? r.status),
        el("td", { class: "num" }, bytes(r.size_change)),
        el("td", {}, videoText(r)),
        el("td", { class: "num" }, duration(r.duration_seconds)),
      );
    }),
  );
  if (!runs.length) table.tBodies[0].append(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No runs recorded yet")));
}

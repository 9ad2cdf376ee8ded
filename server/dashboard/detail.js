// The run detail dialog: outcome, track changes, transcode, hashes, per-action and per-phase timings.
import { getJson } from "./api.js";
import { bitrate, bytes, count, duration, el, when } from "./format.js";

const dash = (v) => (v === null || v === undefined || v === "" ? "–" : String(v));

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([k, v, field]) => [el("dt", {}, k), el("dd", field ? { "data-detail": field } : {}, v)]));
}

function table(caption, head, rows, empty) {
  if (!rows.length) return el("p", { class: "empty" }, empty);
  return el("div", { class: "table-wrap" },
    el("table", {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
    ),
  );
}

const state = (s) => (s === null || s === undefined ? "–" : typeof s === "object" ? Object.entries(s).map(([k, v]) => `${k}: ${v}`).join(", ") : String(s));

/** Renders a RunDetail into `body` and returns the dialog title. */
export function renderDetail(body, run) {
  const tracks = [
    ["Audio", run.audio_tracks_before, run.audio_tracks_after, run.audio_tracks_removed],
    ["Subtitles", run.subtitle_tracks_before, run.subtitle_tracks_after, run.subtitle_tracks_removed],
    ["Attachments", run.attachments_before, run.attachments_after, run.attachments_removed],
  ];
  const transcode = run.video_source_codec
    ? run.video_transcode_skipped
      ? `${run.video_source_codec} kept${run.video_skip_reason ? ` (${run.video_skip_reason})` : ""}`
      : `${run.video_source_codec} → ${dash(run.video_target_codec)}${run.encoder_type ? `, ${run.encoder_type} encoder` : ""}`
    : "no video reported";
  body.replaceChildren(
    el("section", { "aria-label": "Outcome" },
      el("p", { class: `status ${run.status}`, "data-detail": "status" }, run.status, run.error_message ? ` — ${run.error_message}` : ""),
      facts([
        ["File", run.file_path, "file_path"],
        ["Policy", run.policy_name],
        ["When", when(run.processed_at)],
        ["Id", run.id, "id"],
        ["Size", `${bytes(run.size_before)} → ${bytes(run.size_after)}`],
        ["Saved", bytes(run.size_change), "size_change"],
        ["Time", duration(run.duration_seconds)],
        ["Phases", `${run.phases_completed} of ${run.phases_total} completed`],
        ["Job", dash(run.job_id)],
      ]),
    ),
    run.failure_command || run.failure_output
      ? el("section", { "aria-label": "Why it failed", class: "failure" },
        el("h3", {}, "Why it failed"),
        facts([["Command", el("code", {}, dash(run.failure_command)), "failure_command"]]),
        run.failure_output ? el("pre", { class: "failure-output", "data-detail": "failure_output" }, run.failure_output) : null)
      : null,
    el("h3", {}, "Track changes"),
    table("Tracks before and after", ["Type", "Before", "After", "Removed"], tracks.map(([t, b, a, r]) => [t, dash(b), dash(a), dash(r)]), ""),
    el("h3", {}, "Transcode"),
    facts([
      ["Video", transcode, "transcode"],
      ["Audio tracks", `${dash(run.audio_tracks_transcoded)} transcoded · ${dash(run.audio_tracks_preserved)} preserved`],
    ]),
    el("h3", {}, "Integrity"),
    facts([
      ["Hash before", el("code", {}, dash(run.hash_before)), "hash_before"],
      ["Hash after", el("code", {}, dash(run.hash_after)), "hash_after"],
    ]),
    el("h3", {}, `Actions (${run.actions.length})`),
    table("Actions in order, with their timings", ["#", "Action", "Track", "Before", "After", "Time", "Rule", "Result"],
      run.actions.map((a) => [String(a.seq + 1), a.action_type, a.track_type ? `${a.track_type} ${dash(a.track_index)}` : "–", state(a.before_state), state(a.after_state),
        a.duration_ms === null ? "–" : `${count(a.duration_ms)} ms`, dash(a.rule_reference), a.success ? dash(a.message === null ? "ok" : a.message) : `failed${a.message ? `: ${a.message}` : ""}`]),
      "No actions recorded."),
    el("h3", {}, `Phases (${run.phases.length})`),
    table("Phases in order, with their timings", ["#", "Phase", "Wall time", "Read", "Written", "FPS", "Bitrate"],
      run.phases.map((p) => [String(p.seq + 1), p.phase_name, duration(p.wall_time_seconds), bytes(p.bytes_read), bytes(p.bytes_written), dash(p.encoding_fps), bitrate(p.encoding_bitrate)]),
      "No phases recorded."),
    el("h3", {}, "Plugin metrics"),
    table("Metrics contributed by plugins", ["Plugin", "Key", "Value"],
      Object.entries(run.plugin_metrics).flatMap(([plugin, m]) => Object.entries(m).map(([k, v]) => [plugin, k, dash(v)])), "No plugin metrics."),
    run.plugin_errors.length
      ? el("div", {}, el("h3", {}, "Plugin errors"), table("Plugin hooks that failed", ["Plugin", "Hook", "Code", "Message"], run.plugin_errors.map((e) => [e.plugin, e.hook, e.code, e.message]), ""))
      : null,
  );
  return `Run of ${run.file_path.split(/[\\/]/).pop()}`;
}

/** Opens the dialog for a run id, loading its detail; focus returns to `opener` on close. */
export async function openDetail(dialog, id, opener) {
  const body = dialog.querySelector("#detail-body");
  const title = dialog.querySelector("#detail-title");
  title.textContent = "Loading…";
  body.replaceChildren();
  if (!dialog.open) dialog.showModal();
  dialog.addEventListener("close", () => opener?.focus(), { once: true });
  try {
    title.textContent = renderDetail(body, await getJson(`/api/stats/${encodeURIComponent(id)}`));
  } catch (error) {
    title.textContent = "Could not load the run";
    body.replaceChildren(el("p", { role: "alert" }, error.message));
  }
}

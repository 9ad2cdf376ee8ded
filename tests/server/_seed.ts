import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestDialect } from "../dialects.ts";
import {
  createEventBus, createJob, createRegistry, type EventBus, openDatabase, type OpenedDatabase, type PluginRegistry, recordRuns,
  type RunRecordInput,
} from "../../core/mod.ts";
import { builtinPlugins } from "../../plugins/mod.ts";
import { type AppOptions, createApp, type VpoApp } from "../../server/app.ts";

/** A fresh temp dir. */
export const tempDir = (prefix = "vpo-server-") => mkdtempSync(join(tmpdir(), prefix));

/**
 * Six runs over 2026-01-10 … 2026-01-12, three policies, every outcome:
 *
 *  id    when (UTC)          policy     outcome      size        dur   video          file
 *  S1    01-10 08:00         strip      success      1000→800    10    hevc skipped   /m/a.mkv
 *  S2    01-10 20:00         transcode  success      4000→1000   300   h264→hevc hw   /m/b.mkv
 *  S3    01-11 09:00         transcode  failed       2000→?      5     h264→hevc sw   /m/c.mkv
 *  S4    01-11 12:00         strip      success      500→600     2     –              /m/a.mkv
 *  S5    01-12 10:00         remux      interrupted  ?→?         –     –              /m/d.mkv
 *  S6    01-12 15:00         strip      success      1200→1000   15    h264 skipped   /m/e.mkv
 */
export const SID = {
  S1: "0a000001-0000-4000-8000-000000000001",
  S2: "0a000002-0000-4000-8000-000000000002",
  S3: "0b000003-0000-4000-8000-000000000003",
  S4: "0b000004-0000-4000-8000-000000000004",
  S5: "0c000005-0000-4000-8000-000000000005",
  S6: "0c000006-0000-4000-8000-000000000006",
} as const;

const HASH = (c: string) => `sha256:${c.repeat(64)}`;

export const SEED_RUNS: RunRecordInput[] = [
  {
    id: SID.S1, processed_at: "2026-01-10T08:00:00Z", policy_name: "strip", file_path: "/m/a.mkv", success: true,
    size_before: 1000, size_after: 800, audio_tracks_before: 3, audio_tracks_after: 1, subtitle_tracks_before: 4, subtitle_tracks_after: 1,
    attachments_before: 2, attachments_after: 0, duration_seconds: 10, video_source_codec: "hevc", video_target_codec: "hevc",
    video_transcode_skipped: true, video_skip_reason: "already hevc", audio_tracks_transcoded: 0, hash_before: HASH("a"), hash_after: HASH("b"),
    actions: [
      { action_type: "remove", track_type: "audio", track_index: 2, before_state: { codec: "ac3", language: "fre" }, rule_reference: "keep_audio.languages", duration_ms: 3 },
      { action_type: "remove", track_type: "subtitle", track_index: 4, before_state: { language: "ger" } },
    ],
    phases: [{ phase_name: "remux", wall_time_seconds: 9.5, bytes_read: 1000, bytes_written: 800 }],
    plugin_metrics: { size: { bytes_saved: 200 } },
  },
  {
    id: SID.S2, processed_at: "2026-01-10T20:00:00Z", policy_name: "transcode", file_path: "/m/b.mkv", success: true,
    size_before: 4000, size_after: 1000, audio_tracks_before: 2, audio_tracks_after: 2, subtitle_tracks_before: 1, subtitle_tracks_after: 1,
    attachments_before: 0, attachments_after: 0, duration_seconds: 300, video_source_codec: "h264", video_target_codec: "hevc",
    video_transcode_skipped: false, encoder_type: "hardware", audio_tracks_transcoded: 1,
    actions: [{ action_type: "transcode", track_type: "video", track_index: 0, before_state: { codec: "h264" }, after_state: { codec: "hevc" }, duration_ms: 290000 }],
    phases: [
      { phase_name: "transcode", wall_time_seconds: 290, encoding_fps: 48.5, encoding_bitrate: 2_500_000 },
      { phase_name: "remux", wall_time_seconds: 10 },
    ],
    plugin_metrics: { size: { bytes_saved: 3000 } },
  },
  {
    id: SID.S3, processed_at: "2026-01-11T09:00:00Z", policy_name: "transcode", file_path: "/m/c.mkv", success: false,
    error_message: "ffmpeg exited with code 1", size_before: 2000, audio_tracks_before: 2, duration_seconds: 5,
    video_source_codec: "h264", video_target_codec: "hevc", video_transcode_skipped: false, encoder_type: "software",
    phases: [{ phase_name: "transcode", wall_time_seconds: 5 }], phases_completed: 0,
    plugin_errors: [{ plugin: "transcode", hook: "afterRun", code: "PLUGIN_HOOK_FAILED", message: "no output file" }],
  },
  {
    id: SID.S4, processed_at: "2026-01-11T12:00:00Z", policy_name: "strip", file_path: "/m/a.mkv", success: true,
    size_before: 500, size_after: 600, audio_tracks_before: 1, audio_tracks_after: 1, duration_seconds: 2,
  },
  {
    id: SID.S5, processed_at: "2026-01-12T10:00:00Z", policy_name: "remux", file_path: "/m/d.mkv", success: false, status: "interrupted",
    error_message: "interrupted by SIGINT",
  },
  {
    id: SID.S6, processed_at: "2026-01-12T15:00:00Z", policy_name: "strip", file_path: "/m/e.mkv", success: true,
    size_before: 1200, size_after: 1000, subtitle_tracks_before: 2, subtitle_tracks_after: 0, duration_seconds: 15,
    video_source_codec: "h264", video_transcode_skipped: true, video_skip_reason: "policy keeps h264",
  },
];

/** A valid new run in the import format, as another tool would POST it. */
export function newRun(overrides: Partial<RunRecordInput> = {}): RunRecordInput {
  return {
    file_path: "/m/posted.mkv", processed_at: "2026-01-12T18:00:00Z", policy_name: "strip", success: true,
    size_before: 3000, size_after: 2000, duration_seconds: 7, ...overrides,
  };
}

export interface Seeded {
  dir: string;
  opened: OpenedDatabase;
  bus: EventBus;
  registry: PluginRegistry;
  server: VpoApp;
  /** GET (or any method) through app.handle. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** A real database (a SQLite file unless `dialect` says otherwise) seeded with SEED_RUNS and a job, and the app over it (no socket). */
export async function seededServer(options: Partial<AppOptions> & { seed?: boolean; dialect?: TestDialect } = {}): Promise<Seeded> {
  const dir = tempDir();
  const opened = await openDatabase(options.dialect ? await options.dialect.newLocation() : join(dir, "library.db"));
  if (options.seed !== false) {
    await recordRuns(opened.db, SEED_RUNS);
    await createJob(opened.db, { type: "import", policy_name: null });
  }
  const bus = createEventBus();
  const registry = createRegistry();
  for (const plugin of builtinPlugins()) registry.register(plugin);
  const { dialect: _dialect, seed: _seed, ...appOptions } = options;
  const server = createApp({ database: opened, bus, registry, token: "s3cret", pollMs: 50, ...appOptions });
  await server.ready;
  return {
    dir,
    opened,
    bus,
    registry,
    server,
    request: (path, init) => server.handle(new Request(`http://localhost${path}`, init)),
    async close() {
      await server.close();
      await opened.close();
    },
  };
}

/** Bearer header for the seeded server's token. */
export const AUTH = { authorization: "Bearer s3cret" };

/**
 * The planner: follows a file through a policy's phases, without touching it. Each phase's
 * rules apply in a fixed order — keep_audio, keep_subtitles, filter_attachments, container,
 * transcode — to the state the previous phase leaves behind.
 */
import { extname, join, dirname, basename } from "node:path";
import type { MediaInfo, RunIntent } from "../../core/mod.ts";
import type { Policy } from "../policy/schema.ts";
import { planContainer } from "./container.ts";
import { type LanguageRule, selectAttachments, selectAudio, selectSubtitles } from "./select_tracks.ts";
import { planAudio, planVideo } from "./transcode.ts";
import type { EncodeSpec, FilePlan, MediaState, PhasePlan, PlannedAction } from "./types.ts";

const CHANGES = new Set(["remove", "transcode", "container"]);

/** The state of a probed file, as the first phase sees it. */
export function sourceState(info: MediaInfo): MediaState {
  return {
    container: info.container,
    ext: extname(info.path).toLowerCase(),
    durationSeconds: info.durationSeconds,
    bitRate: info.bitRate,
    tracks: info.streams.map((s) => ({ ...s, sourceIndex: s.index })),
  };
}

function languages(own: readonly string[] | undefined, fallback: readonly string[] | undefined, base: string, config: string): LanguageRule | null {
  if (own) return { languages: own, rule: `${base}.languages` };
  return fallback ? { languages: fallback, rule: config } : null;
}

/** Plans phase `index` of `policy` on a file in state `input`. */
export function planPhase(policy: Policy, index: number, input: MediaState): PhasePlan {
  const phase = policy.phases[index]!;
  const base = `phases[${index}]`;
  const actions: PlannedAction[] = [];
  const encodes = new Map<number, EncodeSpec>();
  let tracks = input.tracks;

  if (phase.keep_audio) {
    const langs = languages(phase.keep_audio.languages, policy.config.audio_languages, `${base}.keep_audio`, "config.audio_languages")!;
    const s = selectAudio(tracks, phase.keep_audio, langs, `${base}.keep_audio`);
    tracks = s.tracks;
    actions.push(...s.actions);
  }
  if (phase.keep_subtitles) {
    const langs = languages(phase.keep_subtitles.languages, policy.config.subtitle_languages, `${base}.keep_subtitles`, "config.subtitle_languages");
    const s = selectSubtitles(tracks, phase.keep_subtitles, langs, `${base}.keep_subtitles`);
    tracks = s.tracks;
    actions.push(...s.actions);
  }
  if (phase.filter_attachments) {
    const s = selectAttachments(tracks, phase.filter_attachments, `${base}.filter_attachments`);
    tracks = s.tracks;
    actions.push(...s.actions);
  }
  let ext = input.ext;
  let container = input.container;
  const containerActions: PlannedAction[] = [];
  if (phase.container) {
    const c = planContainer(input, tracks, phase.container.target, `${base}.container`);
    ({ tracks, ext, container } = c);
    containerActions.push(...c.actions);
    for (const [i, spec] of c.encodes) encodes.set(i, spec);
  }
  let intent: RunIntent = {};
  if (phase.transcode?.video) {
    const v = planVideo(tracks, phase.transcode.video, `${base}.transcode.video`, ext, input.bitRate);
    tracks = v.tracks;
    actions.push(...v.actions);
    for (const [i, spec] of v.encodes) encodes.set(i, spec);
    intent = v.intent;
  }
  if (phase.transcode?.audio) {
    const a = planAudio(tracks, phase.transcode.audio, `${base}.transcode.audio`, ext);
    tracks = a.tracks;
    actions.push(...a.actions);
    for (const [i, spec] of a.encodes) encodes.set(i, spec);
  }
  actions.push(...containerActions);
  const output: MediaState = { container, ext, durationSeconds: input.durationSeconds, bitRate: null, tracks };
  return { index, name: phase.name, actions, changes: actions.some((a) => CHANGES.has(a.type)), input, output, encodes, intent };
}

/** Plans phases `from`… on `state`: the whole policy, or what remains after a failed phase. */
export function planPhases(policy: Policy, state: MediaState, from = 0): PhasePlan[] {
  const phases: PhasePlan[] = [];
  for (let i = from; i < policy.phases.length; i++) {
    const phase = planPhase(policy, i, state);
    phases.push(phase);
    if (phase.changes) state = phase.output;
  }
  return phases;
}

/** The run intent: the last phase that plans a video transcode (or skip) decides. */
export function intentOf(phases: readonly PhasePlan[]): RunIntent {
  let intent: RunIntent = {};
  for (const phase of phases) if (Object.keys(phase.intent).length > 0) intent = phase.intent;
  return intent;
}

/**
 * Plans a whole file. `finalPath` differs from the file's path when a container change gives it
 * another extension.
 *
 * @example
 * const plan = planFile(await probe("/media/a.mkv"), policy);
 * plan.phases[0].actions // [{ type: "remove", trackType: "audio", rule: "phases[0].keep_audio.languages", … }]
 */
export function planFile(info: MediaInfo, policy: Policy): FilePlan {
  const source = sourceState(info);
  const phases = planPhases(policy, source);
  const changes = phases.some((p) => p.changes);
  const last = [...phases].reverse().find((p) => p.changes)?.output ?? source;
  const finalPath = last.ext === source.ext ? info.path : join(dirname(info.path), basename(info.path, extname(info.path)) + last.ext);
  return { path: info.path, finalPath, source, phases, changes, intent: intentOf(phases) };
}

/**
 * Track selection rules: keep_audio, keep_subtitles, filter_attachments. Each takes the tracks a
 * phase sees and returns the ones that stay, plus one keep/remove action per track it judged.
 */
import type { StreamType } from "../../core/mod.ts";
import { normalizeLanguage } from "../policy/units.ts";
import type { PolicyPhase } from "../policy/schema.ts";
import { type PlannedAction, type PlannedTrack, trackState } from "./types.ts";

export interface Selection {
  tracks: PlannedTrack[];
  actions: PlannedAction[];
}

/** Where a language list came from: the phase itself or the policy's config defaults. */
export interface LanguageRule {
  languages: readonly string[];
  rule: string;
}

const list = (languages: readonly string[]) => `[${languages.join(", ")}]`;
const languageOf = (track: PlannedTrack) => normalizeLanguage(track.language);

function action(type: "keep" | "remove", track: PlannedTrack, rule: string, message: string): PlannedAction {
  const state = trackState(track);
  return { type, trackType: track.type, trackIndex: track.sourceIndex, before: state, after: type === "keep" ? state : null, rule, message };
}

/** Applies per-track decisions of one type; tracks of other types pass through untouched. */
function apply(tracks: PlannedTrack[], type: StreamType, decide: (track: PlannedTrack) => PlannedAction | null): Selection {
  const actions: PlannedAction[] = [];
  const removed = new Set<number>();
  for (const track of tracks) {
    if (track.type !== type) continue;
    const decision = decide(track);
    if (!decision) continue;
    actions.push(decision);
    if (decision.type === "remove") removed.add(track.sourceIndex);
  }
  return { tracks: tracks.filter((t) => !removed.has(t.sourceIndex)), actions };
}

/**
 * keep_audio: keeps audio tracks whose language is listed ("und" matches untagged tracks).
 * `minimum` is never violated: when too few match, the default track and then the first ones
 * are kept as well, so a file never loses its last audio track to a language rule.
 */
export function selectAudio(tracks: PlannedTrack[], keep: NonNullable<PolicyPhase["keep_audio"]>, langs: LanguageRule, base: string): Selection {
  const wanted = new Set(langs.languages.map(normalizeLanguage));
  const audio = tracks.filter((t) => t.type === "audio");
  const matching = new Set(audio.filter((t) => wanted.has(languageOf(t))).map((t) => t.sourceIndex));
  const rescued = new Set<number>();
  const shortBy = Math.min(keep.minimum, audio.length) - matching.size;
  if (shortBy > 0) {
    const candidates = audio.filter((t) => !matching.has(t.sourceIndex)).sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
    for (const track of candidates.slice(0, shortBy)) rescued.add(track.sourceIndex);
  }
  return apply(tracks, "audio", (track) => {
    const lang = languageOf(track);
    if (matching.has(track.sourceIndex)) return action("keep", track, langs.rule, `language "${lang}" is in ${list(langs.languages)}`);
    if (rescued.has(track.sourceIndex)) {
      return action("keep", track, `${base}.minimum`, `language "${lang}" is not in ${list(langs.languages)}, kept because at least ${keep.minimum} audio track(s) must stay`);
    }
    return action("remove", track, langs.rule, `language "${lang}" is not in ${list(langs.languages)}`);
  });
}

/** keep_subtitles: listed languages stay; forced ones too with preserve_forced; remove_all drops the rest. */
export function selectSubtitles(tracks: PlannedTrack[], keep: NonNullable<PolicyPhase["keep_subtitles"]>, langs: LanguageRule | null, base: string): Selection {
  const wanted = new Set((langs?.languages ?? []).map(normalizeLanguage));
  return apply(tracks, "subtitle", (track) => {
    const lang = languageOf(track);
    if (track.isForced && keep.preserve_forced) return action("keep", track, `${base}.preserve_forced`, `forced subtitle ("${lang}") kept`);
    if (keep.remove_all) return action("remove", track, `${base}.remove_all`, "all subtitles are removed");
    if (wanted.has(lang)) return action("keep", track, langs!.rule, `language "${lang}" is in ${list(langs!.languages)}`);
    return action("remove", track, langs!.rule, `language "${lang}" is not in ${list(langs!.languages)}`);
  });
}

/** filter_attachments: remove_all drops fonts, cover art and any other attachment. */
export function selectAttachments(tracks: PlannedTrack[], filter: NonNullable<PolicyPhase["filter_attachments"]>, base: string): Selection {
  if (!filter.remove_all) return { tracks, actions: [] };
  return apply(tracks, "attachment", (track) =>
    action("remove", track, `${base}.remove_all`, `attachment${track.title ? ` "${track.title}"` : ""} (${track.codec ?? "unknown type"}) removed`),
  );
}

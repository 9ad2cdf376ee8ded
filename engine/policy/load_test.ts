import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VpoError } from "../../core/mod.ts";
import { loadPolicy, parsePolicy, resolvePolicyPath } from "./load.ts";

const FULL = `schema_version: 13
name: anime
description: the brief's example
config: { audio_languages: [jpn, eng], subtitle_languages: [eng], on_error: continue }
phases:
  - name: filter
    keep_audio: { languages: [jpn, eng, und], minimum: 1 }
    keep_subtitles: { languages: [eng], preserve_forced: true, remove_all: false }
    filter_attachments: { remove_all: true }
  - name: compress
    transcode:
      video: { to: hevc, crf: 22, preset: medium, max_resolution: 1080p, skip_if: { codec_matches: [hevc], resolution_within: 1080p, bitrate_under: 15M } }
      audio: { preserve: [truehd, dts, flac], to: aac, bitrate: 192k }
    container: { target: mkv }
`;

function problem(text: string): string {
  try {
    parsePolicy(text, "p.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(VpoError);
    expect((error as VpoError).code).toBe("INVALID_CONFIG");
    return (error as VpoError).message;
  }
  throw new Error("expected the policy to be refused");
}

describe("policy files", () => {
  test("the full V13 subset parses, with units converted and defaults filled", () => {
    const p = parsePolicy(FULL, "p.yaml");
    expect(p.config).toEqual({ audio_languages: ["jpn", "eng"], subtitle_languages: ["eng"], on_error: "continue" });
    expect(p.phases[1]!.transcode!.video).toMatchObject({ to: "hevc", max_resolution: 1080, skip_if: { codec_matches: ["hevc"], resolution_within: 1080, bitrate_under: 15_000_000 } });
    expect(p.phases[1]!.transcode!.audio).toEqual({ preserve: ["truehd", "dts", "flac"], to: "aac", bitrate: 192_000 });
    expect(parsePolicy("schema_version: 13\nphases: [{ name: a, filter_attachments: { remove_all: true } }]\n", "x").config.on_error).toBe("skip");
  });

  test("an unknown key names the file and the key path, with a did-you-mean", () => {
    expect(problem(FULL.replace("keep_audio:", "keep_audoi:"))).toBe('Cannot read policy "p.yaml": phases[0].keep_audoi: unknown key "keep_audoi" (did you mean "keep_audio"?)');
    expect(problem(FULL.replace("minimum: 1", "minimun: 1"))).toContain('phases[0].keep_audio.minimun: unknown key "minimun" (did you mean "minimum"?)');
  });

  test("bad values say what was expected and quote what was found", () => {
    expect(problem(FULL.replace("[jpn, eng, und]", "[jpn, english]"))).toContain('phases[0].keep_audio.languages[1]: Expected an ISO 639-2 language code like "eng" but received "english"');
    expect(problem(FULL.replace("bitrate_under: 15M", "bitrate_under: fast"))).toContain('phases[1].transcode.video.skip_if.bitrate_under: Expected a bitrate like "15M" or "192k" but received "fast"');
    expect(problem(FULL.replace("to: hevc", "to: h266"))).toContain("phases[1].transcode.video.to: Expected one of hevc, h264, av1, vp9");
    expect(problem(FULL.replace("on_error: continue", "on_error: retry"))).toContain("config.on_error: Expected one of skip, continue, fail");
    expect(problem(FULL.replace("schema_version: 13", "schema_version: 12"))).toContain("schema_version: Expected 13");
    expect(problem("schema_version: 13\nphases: [{ name: a }, { name: a }]\n")).toContain("Expected every phase to have its own name");
  });

  test("languages must come from the phase or from config", () => {
    expect(problem("schema_version: 13\nphases:\n  - name: f\n    keep_audio: { minimum: 1 }\n")).toContain("phases[0].keep_audio.languages: required, because config.audio_languages is not set");
    expect(() => parsePolicy("schema_version: 13\nphases:\n  - name: f\n    keep_subtitles: { remove_all: true }\n", "x")).not.toThrow();
  });

  test("YAML syntax errors and empty files are reported, not thrown raw", () => {
    expect(problem("phases: [")).toContain("YAML syntax error");
    expect(problem("")).toContain("the file is empty");
    // Aliases of aliases expand beyond the parser's limit: a problem of the file (exit 2), not an unexpected error.
    const laughs = ["schema_version: 13", 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (const [name, previous] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"]]) laughs.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
    expect(problem(laughs.join("\n"))).toBe('Cannot read policy "p.yaml": YAML: Excessive alias count indicates a resource exhaustion attack');
  });

  test("a policy is found by path or by name in the policies dir; a wrong name suggests the right one", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-policies-"));
    mkdirSync(join(dir, "policies"));
    writeFileSync(join(dir, "policies", "anime.yaml"), FULL);
    writeFileSync(join(dir, "own.yml"), FULL.replace("name: anime\n", ""));
    expect(loadPolicy("anime", join(dir, "policies"))).toMatchObject({ name: "anime", path: join(dir, "policies", "anime.yaml") });
    expect(loadPolicy(join(dir, "own.yml")).name).toBe("own");
    expect(() => resolvePolicyPath("anme", join(dir, "policies"))).toThrow('No policy named "anme"');
    expect(() => resolvePolicyPath("anme", join(dir, "policies"))).toThrow('(did you mean "anime"?)');
    expect(() => resolvePolicyPath(join(dir, "nope.yaml"))).toThrow("No such policy file");
  });

  test("a name runs cannot be recorded under is refused with the policy (a NUL, past the record's length)", () => {
    expect(problem(FULL.replace("name: anime", 'name: "an\\0ime"'))).toBe('Cannot read policy "p.yaml": name: Expected text without NUL characters');
    expect(problem(FULL.replace("name: anime", `name: ${"a".repeat(16_385)}`))).toBe('Cannot read policy "p.yaml": name: Expected at most 16384 characters');
  });

  test("a directory given as the policy is refused as bad input (exit 2), not read (EISDIR, exit 64)", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpo-policies-"));
    mkdirSync(join(dir, "rules.yaml"));
    for (const ref of [dir, `${dir}/`, join(dir, "rules.yaml")]) {
      const refusal = (() => {
        try {
          loadPolicy(ref);
        } catch (error) {
          return error as VpoError;
        }
      })();
      expect([refusal?.code, refusal?.message]).toEqual(["INVALID_ARGUMENT", `Policy "${ref.replace(/\/$/, "")}" is a directory: give a policy file (.yaml) or the name of one`]);
    }
  });
});

/**
 * Units a policy writes as text: bitrates ("15M", "192k") and resolutions ("1080p", "4k"),
 * plus language-code equivalences (ISO 639-2 B and T forms).
 */

const BITRATE = /^(\d+(?:\.\d+)?)\s*([kmg])?(?:bps|b\/s|b)?$/i;
const SCALE: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

/** "15M" → 15000000, "192k" → 192000, 8000 → 8000 (bits per second); null when unreadable. */
export function parseBitrate(value: string | number): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? value : null;
  const match = value.trim().match(BITRATE);
  if (!match) return null;
  const bps = Number(match[1]) * SCALE[(match[2] ?? "").toLowerCase()]!;
  return bps > 0 ? Math.round(bps) : null;
}

const NAMED_RESOLUTIONS: Record<string, number> = { "4k": 2160, uhd: 2160, "8k": 4320, "2k": 1440, hd: 720, fhd: 1080, sd: 480 };

/** "1080p" → 1080, "4k" → 2160 (lines of picture height); null when unreadable. */
export function parseResolution(value: string | number): number | null {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : null;
  const text = value.trim().toLowerCase();
  if (text in NAMED_RESOLUTIONS) return NAMED_RESOLUTIONS[text]!;
  const match = text.match(/^(\d{3,4})p?$/);
  return match ? Number(match[1]) : null;
}

/** ISO 639-2 bibliographic codes and their terminology twins: a policy saying "fre" matches a "fra" track. */
const TWINS: Record<string, string> = {
  fre: "fra", ger: "deu", dut: "nld", chi: "zho", cze: "ces", gre: "ell", per: "fas", rum: "ron",
  slo: "slk", wel: "cym", alb: "sqi", arm: "hye", baq: "eus", bur: "mya", geo: "kat", ice: "isl",
  mac: "mkd", mao: "mri", may: "msa", tib: "bod",
};
const CANONICAL = new Map<string, string>(Object.entries(TWINS).flatMap(([b, t]) => [[b, b], [t, b]]));

/** Lower-cased, with the terminology form mapped to the bibliographic one; missing → "und". */
export function normalizeLanguage(language: string | null | undefined): string {
  const code = language?.trim().toLowerCase() || "und";
  return CANONICAL.get(code) ?? code;
}

/** Codec names people write for the same thing. */
const CODEC_ALIASES: Record<string, string> = { h265: "hevc", x265: "hevc", hvc1: "hevc", avc: "h264", x264: "h264", avc1: "h264", vp09: "vp9", av01: "av1" };

/** "h265" → "hevc"; other names lower-cased. */
export function normalizeCodec(codec: string | null | undefined): string | null {
  if (!codec) return null;
  const name = codec.trim().toLowerCase();
  return CODEC_ALIASES[name] ?? name;
}

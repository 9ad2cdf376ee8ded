/**
 * The five built-in collectors. Each is a plain plugin written against the public contract
 * in core/mod.ts, exactly as a third-party plugin would be.
 */
import type { VpoPlugin } from "../core/mod.ts";
import { createHashPlugin, type HashOptions } from "./hash/mod.ts";
import { createSizePlugin } from "./size/mod.ts";
import { createTimingPlugin } from "./timing/mod.ts";
import { createTracksPlugin } from "./tracks/mod.ts";
import { createTranscodePlugin } from "./transcode/mod.ts";

export { createHashPlugin, fullHash, partialHash, PARTIAL_WINDOW_BYTES } from "./hash/mod.ts";
export type { HashMetrics, HashOptions } from "./hash/mod.ts";
export { createSizePlugin } from "./size/mod.ts";
export type { SizeMetrics } from "./size/mod.ts";
export { createTimingPlugin } from "./timing/mod.ts";
export type { TimingMetrics } from "./timing/mod.ts";
export { createTracksPlugin } from "./tracks/mod.ts";
export type { TracksMetrics } from "./tracks/mod.ts";
export { createTranscodePlugin, encoderType } from "./transcode/mod.ts";
export type { TranscodeMetrics } from "./transcode/mod.ts";

export interface BuiltinPluginOptions {
  /** Options of the hash plugin; validated, so an unknown key is an INVALID_CONFIG error. */
  hash?: HashOptions | Record<string, unknown>;
}

/**
 * Fresh instances of the built-in plugins, in the order size, hash, tracks, transcode, timing.
 *
 * @example
 * const registry = createRegistry();
 * for (const plugin of builtinPlugins({ hash: { full: true } })) registry.register(plugin);
 */
export function builtinPlugins(options: BuiltinPluginOptions = {}): VpoPlugin[] {
  return [
    createSizePlugin(),
    createHashPlugin((options.hash ?? {}) as HashOptions),
    createTracksPlugin(),
    createTranscodePlugin(),
    createTimingPlugin(),
  ];
}

/**
 * hash: a content hash of the file before and after a run (→ hash_before, hash_after as
 * "sha256:<64 hex digits>"), so a later run can tell whether a file was touched in between:
 * the partial hash by default, the full hash with `{ full: true }` — both defined in
 * core/content_hash.ts, which scans and the engine use too.
 */
import * as v from "valibot";
import { definePlugin, fullHash, PARTIAL_WINDOW_BYTES, parseOrThrow, partialHash, type RunContext, type VpoPlugin } from "../../core/mod.ts";

const hash = v.nullable(v.pipe(v.string(), v.regex(/^sha256:[0-9a-f]{64}$/)));

/** What the hash plugin returns from afterRun; hash_before/hash_after fill typed columns. */
export const HashMetricsSchema = v.object({
  hash_before: hash,
  hash_after: hash,
  mode: v.picklist(["partial", "full"]),
});
/** Output of the hash plugin. */
export type HashMetrics = v.InferOutput<typeof HashMetricsSchema>;

/** Options of the hash plugin, as they may appear in configuration. */
export const HashOptionsSchema = v.strictObject({
  /** Hash the whole file instead of its size and its first and last MiB. */
  full: v.optional(v.boolean()),
});
/** Options of `createHashPlugin`. */
export type HashOptions = v.InferInput<typeof HashOptionsSchema>;

// The hash definitions live in core so the engine's scan can use them too.
export { fullHash, PARTIAL_WINDOW_BYTES, partialHash };

/** Hash of the file, or null when it does not exist (a failed run may leave nothing behind). */
async function hashOrNull(path: string, full: boolean): Promise<string | null> {
  if (!(await Bun.file(path).exists())) return null;
  return full ? fullHash(path) : partialHash(path);
}

/**
 * Creates the hash plugin.
 *
 * @example
 * registry.register(createHashPlugin({ full: true })); // whole-file sha256, slower on large files
 */
export function createHashPlugin(options: HashOptions = {}): VpoPlugin<HashMetrics> {
  // Options often come from a config file: check them rather than trust the type.
  const full = parseOrThrow(HashOptionsSchema, options, 'Invalid options for plugin "hash"', "INVALID_CONFIG").full === true;
  const before = new WeakMap<RunContext, string | null>();
  return definePlugin({
    name: "hash",
    version: "1.0.0",
    description: full ? "sha256 of the whole file before and after the run" : "sha256 of the file's size, first and last MiB before and after the run",
    metrics: HashMetricsSchema,
    facts: ["hash_before", "hash_after"],
    async beforeRun(run) {
      before.set(run, await hashOrNull(run.filePath, full));
    },
    async afterRun(run) {
      return {
        hash_before: before.get(run) ?? null,
        hash_after: await hashOrNull(run.filePath, full),
        mode: full ? "full" : "partial",
      };
    },
  });
}

/** The hash plugin in partial mode. */
export default createHashPlugin();

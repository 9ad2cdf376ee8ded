import { toJson } from "../core/mod.ts";
/**
 * Serialised view responses keyed by route + normalised query. Views only change when runs or
 * jobs are written, so entries live until `invalidate()` (run.recorded, job.updated, purge, a
 * write by another process); a query with a relative bound (`since=7d`) also expires after
 * `relativeTtlMs`, since its window moves with the clock. Concurrent misses share one load.
 */
export interface ViewCache {
  /** The stored body for a key, if fresh. */
  peek(key: string): string | undefined;
  /** The body for a key, loading and serialising it on a miss. */
  through(key: string, load: () => Promise<unknown>): Promise<string>;
  /** Drops every entry; loads in flight are not stored. */
  invalidate(): void;
  readonly size: number;
}

interface Entry {
  body: string;
  expires: number;
}

const RELATIVE_VALUE = /=\d+[mhdw](&|$)/;

/** The cache key of a request URL: path plus its query parameters sorted by name. */
export function cacheKey(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const path = url.slice(start);
  const q = path.indexOf("?");
  if (q === -1) return path;
  const params = path.slice(q + 1).split("&").filter(Boolean).sort();
  return params.length ? `${path.slice(0, q)}?${params.join("&")}` : path.slice(0, q);
}

/** Creates an empty cache holding at most `maxEntries` bodies (oldest evicted first). */
export function createViewCache(options: { maxEntries?: number; relativeTtlMs?: number; now?: () => number } = {}): ViewCache {
  const maxEntries = options.maxEntries ?? 500;
  const relativeTtl = options.relativeTtlMs ?? 5_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<string>>();
  let generation = 0;

  const peek = (key: string): string | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires < now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.body;
  };

  return {
    peek,
    through(key, load) {
      const hit = peek(key);
      if (hit !== undefined) return Promise.resolve(hit);
      const inFlight = loading.get(key);
      if (inFlight) return inFlight;
      const started = generation;
      const promise = load()
        .then((value) => {
          const body = toJson(value);
          if (generation === started) {
            if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
            entries.set(key, { body, expires: RELATIVE_VALUE.test(key) ? now() + relativeTtl : Number.POSITIVE_INFINITY });
          }
          return body;
        })
        .finally(() => {
          if (loading.get(key) === promise) loading.delete(key);
        });
      loading.set(key, promise);
      return promise;
    },
    invalidate() {
      generation++;
      entries.clear();
      loading.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

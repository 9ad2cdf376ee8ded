import type { Db, EventBus, PluginRegistry } from "../core/mod.ts";
import type { ViewCache } from "./cache.ts";
import type { Reader } from "./reads/ops.ts";

/** What the routes share: the write connection, the readers, the cache and the event bus. */
export interface RouteDeps {
  /** The main-thread connection: every write goes through it. */
  db: Db;
  /** Reads, possibly on worker threads. */
  reader: Reader;
  cache: ViewCache;
  bus: EventBus;
  registry: PluginRegistry;
  /** Bearer token for writes; null disables writes (403). */
  token: string | null;
  bodyLimit: number;
  version: string;
  /** The job queue (PostgreSQL only): what POST /api/queue/{id}/retry does. */
  queue?: QueueControl;
  /** Called after this server wrote (runs recorded, runs purged): drop caches, read the feed now. */
  onWrite(): void;
}

/** Changes of queue jobs the server may make (through pg-boss, engine/queue/control.ts). */
export interface QueueControl {
  /** Retries one failed job (id or 8+ character prefix); the ids retried. */
  retry(id: string): Promise<string[]>;
  close(): Promise<void>;
}

export const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/** A JSON response from an already-serialised body. */
export function jsonBody(body: string, status = 200): Response {
  return new Response(body, { status, headers: JSON_HEADERS });
}

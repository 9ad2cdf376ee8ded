/// <reference lib="webworker" />
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { type Db, openDatabase, storageError, VpoError } from "../../core/mod.ts";
import { READ_OPS, type ReadOp } from "./ops.ts";

/**
 * Worker thread of the read pool: one SQLite connection opened for reading only (WAL lets it read
 * while the main thread writes) running READ_OPS, so a long aggregate never blocks the server's event loop.
 * Protocol: { init: path } first, then { id, op, args } → { id, ok, value } | { id, ok: false, error }.
 */
declare const self: Worker;

let db: Db | undefined;

/**
 * Lowers this thread's CPU priority (nice 10) on Linux, where a thread id is a valid target of
 * setpriority: when cores are scarce, the event loop answering /health and cached views runs
 * first, and the long aggregates take what is left. Best effort elsewhere.
 */
function yieldToEventLoop(): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid !== process.pid) setPriority(tid, 10);
  } catch {}
}
let openError: unknown;

let opening: Promise<void> | undefined;

function open(path: string): void {
  yieldToEventLoop();
  opening = openDatabase(path, { access: "read" }).then(
    (handle) => {
      handle.sqlite?.exec("PRAGMA mmap_size = 268435456");
      handle.sqlite?.exec("PRAGMA cache_size = -65536");
      db = handle.db;
    },
    (error) => {
      openError = error;
    },
  );
}

function serialiseError(thrown: unknown) {
  const error = storageError(thrown); // a damaged file, a full disk: in the domain's words
  if (error instanceof VpoError) return { vpo: true, code: error.code, message: error.message, details: error.details };
  return { vpo: false, code: "DB_ERROR", message: error instanceof Error ? error.message : String(error) };
}

self.onmessage = async (event: MessageEvent) => {
  const msg = event.data as { init?: string; id?: number; op?: ReadOp; args?: unknown };
  if (msg.init !== undefined) return open(msg.init);
  try {
    await opening;
    if (!db) throw openError ?? new Error("read worker is not initialised");
    const value = await (READ_OPS[msg.op!] as (db: Db, a: unknown) => Promise<unknown>)(db, msg.args);
    self.postMessage({ id: msg.id, ok: true, value });
  } catch (error) {
    self.postMessage({ id: msg.id, ok: false, error: serialiseError(error) });
  }
};

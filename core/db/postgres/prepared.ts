import type pg from "pg";
import { GENERIC_PLAN, sendGenerically } from "./generic_plan.ts";
import { pipelineWhenBusy } from "./pipeline.ts";

/**
 * Reads as named prepared statements, per pooled connection. PostgreSQL then parses and analyses
 * each distinct SELECT once per connection and can keep its plan, instead of doing so on every
 * call: a view's few small queries were spending more time there than executing.
 *
 * Generic over every query Kysely sends: a statement starting with SELECT or WITH is named by its
 * text; others (writes, DDL, transaction control, cursors) go as before. The names of a connection
 * are a bounded LRU: past `max` distinct texts the least recently used is DEALLOCATEd. Names are
 * never reused, so a name always means the same text. The server replans a statement itself when
 * a table it reads changes or search_path differs; a result shape changed by a migration in
 * another process ("cached plan must not change result type") drops the name and runs the read
 * once more unnamed.
 */
export const MAX_PREPARED_PER_CONNECTION = 256;

/** A SELECT or WITH, maybe after a leading comment (a read marked by generic_plan.ts). */
const READ = /^\s*(\/\*[^*]*\*\/\s*)?(select|with)\b/i;

/** Error code of "cached plan must not change result type" (and other unsupported-feature errors). */
const FEATURE_NOT_SUPPORTED = "0A000";
/** "prepared statement … does not exist": the server lost it (DISCARD ALL, DEALLOCATE ALL). */
const INVALID_STATEMENT_NAME = "26000";

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;
type Parsed = { parsedStatements: Record<string, string>; submittedNamedStatements: Record<string, string> };

let counter = 0;

/** Makes `client` send its reads as named prepared statements (call once, on the pool's "connect"). */
export function prepareReads(client: pg.Client, max = MAX_PREPARED_PER_CONNECTION): void {
  const names = new Map<string, string>(); // text → name, least recently used first
  const query = client.query.bind(client) as Query;
  const send = pipelineWhenBusy(client, query);
  // Awaited before the next query: pg is moving away from queueing queries on a busy client.
  const forget = async (text: string, name: string) => {
    names.delete(text);
    await send(`deallocate ${name}`).catch(() => {});
    // pg remembers every name it prepared, in fields of its own: forgotten here so a long-lived
    // connection does not keep them all. Only hygiene (names are never reused), so a pg that keeps
    // them elsewhere loses nothing but that.
    const connection = (client as unknown as { connection?: Partial<Parsed> }).connection;
    if (connection?.parsedStatements) delete connection.parsedStatements[name];
    if (connection?.submittedNamedStatements) delete connection.submittedNamedStatements[name];
  };
  const nameOf = async (text: string): Promise<string> => {
    let name = names.get(text);
    if (name !== undefined) {
      names.delete(text);
      names.set(text, name);
      return name;
    }
    name = `vpo_${++counter}`;
    names.set(text, name);
    if (names.size > max) {
      const [oldText, oldName] = names.entries().next().value!;
      await forget(oldText, oldName);
    }
    return name;
  };
  const read = async (text: string, values: unknown[]) => {
    const name = await nameOf(text);
    try {
      return text.startsWith(GENERIC_PLAN) ? await sendGenerically(client, send, { name, text, values }) : await send({ name, text, values });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== FEATURE_NOT_SUPPORTED && code !== INVALID_STATEMENT_NAME) throw error;
      if (names.get(text) === name) await forget(text, name);
      return await send({ text, values });
    }
  };
  (client as unknown as { query: Query }).query = (config, values, callback) => {
    if (typeof config !== "string" || callback !== undefined) return query(config, values, callback); // a cursor, or a caller of pg's own
    if (READ.test(config) && Array.isArray(values)) return read(config, values);
    return send(values === undefined ? config : { text: config, values });
  };
}

import { sql } from "kysely";

/**
 * PostgreSQL advisory locks vpo takes, each for the rest of its transaction. Any two-integer keys
 * will do; they only have to be the same in every vpo.
 */
/** One process migrates at a time. */
export const MIGRATION_LOCK = sql`pg_advisory_xact_lock(7661, 1)`;
/** One writer of runs (and of what is derived from them) at a time, as SQLite's write lock gives. */
export const RUN_WRITE_LOCK = sql`pg_advisory_xact_lock(7661, 2)`;

import { VpoError } from "../errors.ts";

/** Where a database lives: a SQLite file (or ":memory:") or a PostgreSQL server. */
export type DatabaseLocation = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string };

/**
 * Reads `[database] url`, `VPO_DATABASE_URL` or `--db`: a file path, `sqlite:PATH`
 * (`sqlite:///abs/path`, `sqlite::memory:`), or `postgres://…` / `postgresql://…`.
 *
 * @example parseDatabaseLocation("postgres://vpo@db.lan/vpo") // { dialect: "postgres", url: "postgres://vpo@db.lan/vpo" }
 */
export function parseDatabaseLocation(value: string): DatabaseLocation {
  const text = value.trim();
  if (text === "") throw new VpoError("INVALID_ARGUMENT", "Empty database location: give a file path, sqlite:PATH or postgres://…");
  if (/^postgres(ql)?:\/\//i.test(text)) {
    // A URL the driver cannot read was "Cannot connect to PostgreSQL …: Invalid URL" (exit 1): it is bad input.
    if (!URL.canParse(text)) {
      throw new VpoError("INVALID_ARGUMENT", `Invalid database URL "${redact(text)}": expected postgres://user:password@host:port/database (a port from 1 to 65535; special characters in the password %-encoded)`);
    }
    return { dialect: "postgres", url: text };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme && scheme.toLowerCase() !== "sqlite") {
    throw new VpoError("INVALID_ARGUMENT", `Unsupported database "${redact(text)}": expected a file path, sqlite:PATH or postgres://…`);
  }
  if (/^sqlite:/i.test(text)) {
    const rest = text.slice("sqlite:".length).replace(/^\/\//, "");
    if (rest === "") throw new VpoError("INVALID_ARGUMENT", `Database "${text}" names no file: use sqlite:/path/to/library.db`);
    return { dialect: "sqlite", path: rest };
  }
  return { dialect: "sqlite", path: text };
}

/** A URL fit for messages and logs: the password replaced by "***" (all of it, up to the last "@" of the authority). */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^/]*@/i, "$1:***@");
}

/**
 * One test body per behaviour, run on every database vpo supports (Kysely's test-setup.ts is the
 * model): `forEachDialect((d) => describe(...))`. PostgreSQL needs the server binaries; without
 * them its tests are skipped, saying why — and under CI=true that skip is a failure.
 */
import { afterAll, beforeAll, describe, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../core/db/handle.ts";
import { openDatabase } from "../core/db/open.ts";
import { pgCluster, pgUnavailable } from "./pg_cluster.ts";

export type DialectName = "sqlite" | "postgres";

export interface TestDialect {
  name: DialectName;
  /** A new, empty database: a SQLite file path or a PostgreSQL URL. */
  newLocation(): Promise<string>;
}

const sqlite: TestDialect = {
  name: "sqlite",
  newLocation: async () => join(mkdtempSync(join(tmpdir(), "vpo-test-")), "library.db"),
};

const postgres: TestDialect = {
  name: "postgres",
  newLocation: () => pgCluster().createDatabase(),
};

const warned = new Set<string>();

/**
 * Calls `body` once per dialect, inside a describe named after it. An unavailable dialect gets
 * one skipped (or, under CI=true, failing) test that says why.
 */
export function forEachDialect(title: string, body: (dialect: TestDialect) => void): void {
  for (const dialect of [sqlite, postgres]) {
    const why = dialect.name === "postgres" ? pgUnavailable() : null;
    if (!why) {
      describe(`${title} [${dialect.name}]`, () => body(dialect));
      continue;
    }
    if (process.env.CI === "true") {
      test(`${title} [${dialect.name}] needs ${dialect.name}`, () => {
        throw new Error(`${dialect.name} is not available under CI=true: ${why}`);
      });
    } else {
      if (!warned.has(why)) process.stderr.write(`skipping ${dialect.name} tests: ${why}\n`);
      warned.add(why);
      test.skip(`${title} [${dialect.name}] (skipped: ${why})`, () => {});
    }
  }
}

/** A new database of `dialect`, opened before the tests of the describe it is called in and closed after them: the getter gives it. */
export function databaseOf(dialect: TestDialect): () => Db {
  let handle: Awaited<ReturnType<typeof openDatabase>> | undefined;
  beforeAll(async () => {
    handle = await openDatabase(await dialect.newLocation());
  });
  afterAll(() => handle?.close());
  return () => handle!.db;
}

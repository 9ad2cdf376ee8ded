import { expect, test } from "bun:test";
import { VpoError } from "../errors.ts";
import { parseDatabaseLocation, redact } from "./location.ts";

test("a PostgreSQL URL the driver cannot read is bad input (it was a connection failure, exit 1)", () => {
  for (const url of ["postgres://[bad", "postgres://vpo:secret@db.lan:99999/vpo"]) {
    let refusal: unknown;
    try {
      parseDatabaseLocation(url);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(VpoError);
    expect((refusal as VpoError).code).toBe("INVALID_ARGUMENT");
    expect((refusal as VpoError).message).toStartWith(`Invalid database URL "${redact(url)}": expected postgres://user:password@host:port/database`);
    expect((refusal as VpoError).message).not.toContain("secret");
  }
  expect(parseDatabaseLocation("postgres://vpo@db.lan/vpo")).toEqual({ dialect: "postgres", url: "postgres://vpo@db.lan/vpo" });
});

test("redact hides the whole password, an unencoded @ in it included (its tail was shown)", () => {
  expect(redact("postgres://vpo:p@ss@db.lan/vpo")).toBe("postgres://vpo:***@db.lan/vpo");
  expect(redact("postgres://vpo:secret@db.lan:5432/vpo?sslmode=require")).toBe("postgres://vpo:***@db.lan:5432/vpo?sslmode=require");
  expect(redact("postgres://db.lan/vpo")).toBe("postgres://db.lan/vpo");
});

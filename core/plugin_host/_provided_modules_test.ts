import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as valibot from "valibot";
import * as core from "../mod.ts";
import * as testing from "../../kit/mod.ts";
import { provideModules, providedModules } from "./_provided_modules.ts";

const dir = mkdtempSync(join(tmpdir(), "vpo-provided-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("vpo, vpo/testing (also under the package's own name) and valibot are vpo's own files", () => {
  const root = join(import.meta.dir, "../..");
  expect(Object.fromEntries(providedModules())).toEqual({
    vpo: join(root, "core/mod.ts"),
    "vpo/testing": join(root, "kit/mod.ts"),
    "@vpo-media/vpo": join(root, "core/mod.ts"),
    "@vpo-media/vpo/testing": join(root, "kit/mod.ts"),
    valibot: Bun.resolveSync("valibot", root),
  });
});

test("a module outside the repository that imports them gets the very modules vpo runs on", async () => {
  provideModules();
  provideModules(); // idempotent
  const file = join(dir, "imports.ts");
  writeFileSync(
    file,
    `export * as core from "vpo";\nexport * as scoped from "@vpo-media/vpo";\nexport * as testing from "vpo/testing";\nexport * as v from "valibot";\n`,
  );
  const mod = await import(file);
  expect(mod.core.VpoError).toBe(core.VpoError);
  expect(mod.core.definePlugin).toBe(core.definePlugin);
  expect(mod.scoped.VpoError).toBe(core.VpoError);
  expect(mod.testing.describePlugin).toBe(testing.describePlugin);
  expect(mod.v.object).toBe(valibot.object);
});

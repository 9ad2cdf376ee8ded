import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

test("the kit reaches vpo only through its public faces, core/mod.ts and engine/mod.ts", () => {
  const outside: string[] = [];
  for (const file of readdirSync(import.meta.dir).filter((f) => f.endsWith(".ts") && !f.endsWith("_test.ts"))) {
    const source = readFileSync(join(import.meta.dir, file), "utf8");
    for (const [, specifier] of source.matchAll(/^(?:import|export)[^;]*?from "([^"]+)"/gms)) {
      const allowed = specifier!.startsWith("./") || ["../core/mod.ts", "../engine/mod.ts", "bun:test", "valibot"].includes(specifier!) || specifier!.startsWith("node:");
      if (!allowed) outside.push(`${file}: ${specifier}`);
    }
  }
  expect(outside).toEqual([]);
});

import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { createRegistry, definePlugin, VpoError } from "./mod.ts";

function refusal(plugin: unknown): string {
  try {
    createRegistry().register(plugin);
  } catch (error) {
    expect(error).toBeInstanceOf(VpoError);
    expect((error as VpoError).code).toBe("INVALID_PLUGIN");
    return (error as Error).message;
  }
  throw new Error("registration was accepted");
}

describe("plugin registry", () => {
  test("refuses a bad name and says which plugin and why", () => {
    expect(refusal({ name: "Bad_Name", version: "1.0.0" })).toBe(
      'Plugin "Bad_Name" is invalid: name must match /^[a-z][a-z0-9-]*$/, got "Bad_Name"',
    );
    expect(refusal({ version: "1.0.0" })).toContain("Plugin (unnamed) is invalid: name must match");
  });

  test("refuses a duplicate name", () => {
    const registry = createRegistry();
    registry.register({ name: "size", version: "1.0.0" });
    expect(() => registry.register({ name: "size", version: "2.0.0" })).toThrow(
      'Plugin "size" is invalid: the name "size" is already registered',
    );
  });

  test("refuses a missing or empty version", () => {
    expect(refusal({ name: "x" })).toBe('Plugin "x" is invalid: version is missing');
    expect(refusal({ name: "x", version: " " })).toBe('Plugin "x" is invalid: version is missing');
  });

  test("refuses a hook that is not a function", () => {
    expect(refusal({ name: "x", version: "1", afterRun: 42 })).toBe('Plugin "x" is invalid: hook "afterRun" is not a function');
    expect(refusal({ name: "x", version: "1", beforeRun: { order: "pre", handler: "no" } })).toBe(
      'Plugin "x" is invalid: hook "beforeRun" has a handler that is not a function',
    );
    expect(refusal({ name: "x", version: "1", onPhase: { order: "first", handler() {} } })).toContain('order "first"');
  });

  test("refuses unknown properties with a suggestion", () => {
    expect(refusal({ name: "x", version: "1", afterrun() {} })).toBe(
      'Plugin "x" is invalid: unknown property "afterrun" (did you mean "afterRun"?)',
    );
  });

  test("refuses metrics that are not a valibot schema", () => {
    expect(refusal({ name: "x", version: "1", metrics: { words: "number" } })).toBe(
      'Plugin "x" is invalid: metrics must be a valibot schema',
    );
  });

  test("describes hooks with their order and the declared metric keys", () => {
    const registry = createRegistry();
    registry.register(
      definePlugin({
        name: "words",
        version: "0.1.0",
        metrics: v.object({ words: v.number(), lines: v.number(), duration_seconds: v.number() }),
        facts: ["duration_seconds"],
        beforeRun: { order: "pre", handler() {} },
        afterRun: () => ({ words: 1, lines: 2, duration_seconds: 3 }),
      }),
      "./words.ts",
    );
    expect(registry.describe()).toEqual([
      {
        name: "words",
        version: "0.1.0",
        description: null,
        source: "./words.ts",
        hooks: [
          { name: "beforeRun", order: "pre" },
          { name: "afterRun", order: null },
        ],
        metrics: ["words", "lines", "duration_seconds"],
        facts: ["duration_seconds"],
      },
    ]);
  });

  test("gives each run fact at most one owner, and refuses unknown or undeclared facts", () => {
    const metrics = v.object({ size_before: v.number(), size_after: v.number() });
    const registry = createRegistry();
    const size = registry.register({ name: "size", version: "1", metrics, facts: ["size_before", "size_after"] });
    expect(registry.factOwner("size_before")).toBe(size);
    expect(registry.factOwner("hash_before")).toBeUndefined();
    expect(() => registry.register({ name: "forger", version: "1", metrics, facts: ["size_before"] })).toThrow(
      'Plugin "forger" is invalid: facts names "size_before", which plugin "size" already owns',
    );
    // The refused plugin took nothing: the owner stays and its name is free.
    expect(registry.factOwner("size_before")).toBe(size);
    expect(registry.plugins.map((p) => p.name)).toEqual(["size"]);
    expect(refusal({ name: "x", version: "1", metrics, facts: ["size_befor"] })).toBe(
      'Plugin "x" is invalid: facts names "size_befor", which is not a run fact (did you mean "size_before"?)',
    );
    expect(refusal({ name: "x", version: "1", metrics, facts: ["size_before", "size_before"] })).toBe('Plugin "x" is invalid: facts names "size_before" twice');
    expect(refusal({ name: "x", version: "1", metrics, facts: ["hash_after"] })).toBe(
      'Plugin "x" is invalid: facts names "hash_after", which its metrics schema does not declare',
    );
    expect(refusal({ name: "x", version: "1", metrics, facts: "size_before" })).toBe('Plugin "x" is invalid: facts must be a list of run fact names');
  });

  test("keeps the call order of a hook until the next registration", () => {
    const registry = createRegistry();
    registry.register({ name: "a", version: "1", onPhase: { order: "post", handler() {} } });
    registry.register({ name: "b", version: "1", onPhase() {} });
    const first = registry.hooks("onPhase");
    expect(first.map((h) => h.plugin.name)).toEqual(["b", "a"]);
    expect(registry.hooks("onPhase")).toBe(first);
    registry.register({ name: "c", version: "1", onPhase: { order: "pre", handler() {} } });
    expect(registry.hooks("onPhase").map((h) => h.plugin.name)).toEqual(["c", "b", "a"]);
  });
});

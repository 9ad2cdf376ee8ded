import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCapture, createRegistry, loadPluginModule, runCapture, VpoError } from "./mod.ts";
import { pluginLoadName } from "./plugin_loader.ts";

const dir = mkdtempSync(join(tmpdir(), "vpo-loader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CORE = JSON.stringify(join(import.meta.dir, "mod.ts"));
const VALIBOT = JSON.stringify(Bun.resolveSync("valibot", import.meta.dir));

/** A plugin module in a temp dir, importing the core by path. */
function moduleFile(file: string, body: string): string {
  const path = join(dir, file);
  writeFileSync(path, `import * as v from ${VALIBOT};\nimport { definePlugin } from ${CORE};\n${body}\n`);
  return path;
}

async function refusal(path: string, options: Parameters<typeof loadPluginModule>[1] = {}) {
  try {
    await loadPluginModule(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(VpoError);
    return { code: (error as VpoError).code, message: (error as Error).message };
  }
  throw new Error("the module loaded");
}

const noProbe = async () => {
  throw new Error("not used");
};

describe("loadPluginModule", () => {
  test("calls a factory once, with the options under the name the module is loaded under", async () => {
    const path = moduleFile("words.ts", `let calls = 0;
export default (options: { level?: number }) => {
  calls++;
  return definePlugin({
    name: "words", version: "1.0.0",
    metrics: v.object({ calls: v.number(), level: v.nullable(v.number()) }),
    afterRun: () => ({ calls, level: options.level ?? null }),
  });
};`);
    const registry = createRegistry();
    registry.register(await loadPluginModule(path, { optionsByName: { words: { level: 3 }, other: { level: 9 } } }));
    const record = await runCapture(createCapture({ registry, probe: noProbe }), { filePath: "/m/a.mkv", policyName: "p" }, async () => {});
    expect(record.plugin_errors).toEqual([]);
    expect(record.plugin_metrics.words).toEqual({ calls: 1, level: 3 });
  });

  test("options under the plugin's own name, when it is loaded under another, are a clear config error", async () => {
    const path = moduleFile("vpo-words.ts", `export default (o: Record<string, unknown>) => definePlugin({ name: "words", version: "1.0.0" });`);
    expect(await refusal(path, { optionsByName: { words: { level: 3 } } })).toEqual({
      code: "INVALID_CONFIG",
      message: `Options for plugin "words" belong under [plugins.options.vpo-words], the name "${path}" is loaded under; [plugins.options.words] does not reach it`,
    });
  });

  test("the load name is the file's base name or the package's name", () => {
    expect(pluginLoadName("./subtitle-size.ts")).toBe("subtitle-size");
    expect(pluginLoadName("/opt/plugins/words.mjs")).toBe("words");
    expect(pluginLoadName("vpo-words")).toBe("vpo-words");
    expect(pluginLoadName("vpo-words/extra")).toBe("vpo-words");
    expect(pluginLoadName("@acme/words")).toBe("@acme/words");
    expect(pluginLoadName("@acme/words/extra")).toBe("@acme/words");
  });

  test("a module that cannot be loaded says which and why", async () => {
    expect(await refusal(join(dir, "nope.ts"))).toEqual({ code: "PLUGIN_LOAD_FAILED", message: `Cannot load plugin "${join(dir, "nope.ts")}": no file at ${join(dir, "nope.ts")}` });
    const empty = moduleFile("empty.ts", "export const x = 1;");
    expect((await refusal(empty)).message).toBe(`Cannot load plugin "${empty}": the module has no default export (export default definePlugin({ ... }))`);
    const throwing = moduleFile("throwing.ts", `export default () => { throw new Error("no licence key"); };`);
    expect(await refusal(throwing)).toEqual({ code: "PLUGIN_LOAD_FAILED", message: `Cannot load plugin "${throwing}": its factory threw: no licence key` });
    const syntax = moduleFile("syntax.ts", "export default {");
    expect((await refusal(syntax)).code).toBe("PLUGIN_LOAD_FAILED");
    const invalid = moduleFile("invalid.ts", `export default { name: "Bad", version: "1" };`);
    expect(await refusal(invalid)).toEqual({ code: "INVALID_PLUGIN", message: 'Plugin "Bad" is invalid: name must match /^[a-z][a-z0-9-]*$/, got "Bad"' });
  });

  test("what is not a plugin object names the file, and a syntax error says where it is", async () => {
    // A text file imports as a string: it was "Plugin (unnamed) is invalid: expected an object, got string".
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a plugin\n");
    expect((await refusal(text)).message).toBe(`Cannot load plugin "${text}": its default export is a string, not a plugin (export default definePlugin({ ... }))`);
    const factory = moduleFile("factory.ts", "export default () => 3;");
    expect((await refusal(factory)).message).toBe(`Cannot load plugin "${factory}": its factory returned a number, not a plugin (export default definePlugin({ ... }))`);
    const unnamed = moduleFile("unnamed.ts", "export default { version: \"1.0.0\" };");
    expect((await refusal(unnamed)).message).toBe(`Plugin loaded from "${unnamed}" is invalid: name must match /^[a-z][a-z0-9-]*$/, got undefined`);
    // It was "2 errors building …" without the errors.
    const syntax = join(dir, "broken.ts");
    writeFileSync(syntax, "syntax error here (\n");
    expect((await refusal(syntax)).message).toBe(`Cannot load plugin "${syntax}": ${syntax}:1:8: Expected ";" but found "error"; ${syntax}:1:20: Unexpected end of file`);
  });

  test("a module that hangs or exits while loading is refused within the load budget, and vpo goes on", async () => {
    const hanging = moduleFile("hanging.ts", "for (;;) {}\nexport default {};");
    const started = performance.now();
    expect(await refusal(hanging, { loadTimeoutMs: 300 })).toEqual({ code: "PLUGIN_LOAD_FAILED", message: `Cannot load plugin "${hanging}": it did not finish loading within 300 ms` });
    expect(performance.now() - started).toBeLessThan(3_000);
    const exiting = moduleFile("exiting.ts", "process.exit(0);\nexport default {};");
    expect((await refusal(exiting)).message).toContain("process.exit(0) was called; a plugin cannot end vpo");
  });
});

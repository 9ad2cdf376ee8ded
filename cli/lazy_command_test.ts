import { expect, test } from "bun:test";
import type { CommandDef } from "citty";
import { main } from "./main.ts";

test("every lazily loaded command is listed with its own description, and groups and commands are told apart", async () => {
  const subCommands = main.subCommands as Record<string, CommandDef>;
  for (const [name, wrapper] of Object.entries(subCommands)) {
    const loaded = await (wrapper.args as () => Promise<unknown>)().then(async () => {
      const sub = await (typeof wrapper.subCommands === "function" ? wrapper.subCommands() : undefined);
      return sub;
    });
    const description = (wrapper.meta as { description: string }).description;
    // The module's own command, loaded through the table's import.
    const source = await Bun.file(new URL("./main.ts", import.meta.url)).text();
    const path = new RegExp(`^    ${name}: lazyCommand\\("\\w+", "(command|group)", .*?import\\("([^"]+)"\\)\\.then\\(\\(m\\) => m\\.(\\w+)\\)`, "m").exec(source);
    expect(path).not.toBeNull();
    const own = (await import(new URL(path![2]!, import.meta.url).href))[path![3]!] as CommandDef;
    expect((own.meta as { name: string; description: string }).description).toBe(description);
    expect(path![1] === "group").toBe(own.run === undefined);
    if (path![1] === "group") expect(Object.keys(loaded ?? {})).toEqual(Object.keys((own.subCommands as object) ?? {}));
  }
});

import { defineCommand } from "citty";
import { createContext, globalArgs } from "../context.ts";
import { renderJson, renderTable } from "../format.ts";

const listCommand = defineCommand({
  meta: { name: "list", description: "Registered plugins: name, version, hooks and declared metrics" },
  args: { json: { type: "boolean", description: "Print JSON" }, ...globalArgs },
  async run({ args, rawArgs }) {
    const ctx = await createContext(args, rawArgs);
    const plugins = ctx.registry.describe();
    if (args.json) return void process.stdout.write(`${renderJson(plugins)}\n`);
    const rows = plugins.map((p) => [
      p.name,
      p.version,
      p.hooks.map((h) => (h.order ? `${h.name}(${h.order})` : h.name)).join(", "),
      p.metrics.join(", "),
      p.source,
    ]);
    process.stdout.write(`${renderTable(["Name", "Version", "Hooks", "Metrics", "Source"], rows)}\n`);
  },
});

export const pluginsCommand = defineCommand({
  meta: { name: "plugins", description: "Built-in and third-party capture plugins" },
  subCommands: { list: listCommand },
});

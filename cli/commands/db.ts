import { defineCommand } from "citty";
export const dbCommand = defineCommand({ meta: { name: "db", description: "Database maintenance" }, subCommands: {} });

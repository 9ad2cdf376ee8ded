import { defineCommand } from "citty";
import { copyCommand } from "./db_copy.ts";

export const dbCommand = defineCommand({
  meta: { name: "db", description: "The database itself: copy it elsewhere" },
  subCommands: { copy: copyCommand },
});

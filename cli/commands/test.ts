import { join } from "node:path";
import { defineCommand } from "citty";
import { variadic } from "../argv_check.ts";

/** Registers `vpo`, `vpo/testing` and `valibot` as this vpo's modules before any test file loads. */
const PRELOAD = join(import.meta.dir, "../../kit/preload.ts");

export const testCommand = defineCommand({
  meta: {
    name: "test",
    description: "Run a plugin's tests (bun test) in this folder, on vpo's own Bun, with `vpo`, `vpo/testing` and `valibot` answered by this vpo",
  },
  args: {
    paths: variadic({ type: "positional", required: false, description: "Test files or name filters, as bun test takes them (default: every *_test.ts here and below)" }),
  },
  async run({ args, rawArgs }) {
    // After --, bun test's own flags: vpo test -- --timeout 60000
    const separator = rawArgs.indexOf("--");
    const passed = separator < 0 ? [] : rawArgs.slice(separator + 1);
    const paths = ((args._ as string[] | undefined) ?? []).slice(0, ((args._ as string[] | undefined) ?? []).length - passed.length);
    // --no-install: a package the tests lack is an error naming it, never a download.
    const child = Bun.spawn([process.execPath, "--no-install", "test", "--preload", PRELOAD, ...paths, ...passed], {
      cwd: process.cwd(),
      stdio: ["inherit", "inherit", "inherit"],
    });
    process.exitCode = await child.exited;
  },
});

import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";

test("alerts silence --for past the calendar is refused as bad input (was \"unexpected error: Invalid Date\")", async () => {
  const dataDir = tempDir();
  writeFileSync(join(dataDir, "config.toml"), '[[alerts.rules]]\nname = "run-failed"\nkind = "run_failed"\n');
  for (const length of ["99999999d", "3651d"]) {
    const refused = await vpo(["alerts", "silence", "run-failed", "--for", length], { dataDir });
    expect([refused.code, refused.stderr]).toEqual([2, `vpo: Invalid --for "${length}": expected at most 3650d (10 years)\n`]);
  }
  const ok = await vpo(["alerts", "silence", "run-failed", "--for", "2h", "--json"], { dataDir });
  expect(ok.code).toBe(0);
  expect(Date.parse(JSON.parse(ok.stdout).until) - Date.now()).toBeGreaterThan(7_000_000);
});

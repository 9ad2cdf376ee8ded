import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, vpo } from "./_cli.ts";

test("db retention without [retention] periods says what is kept, not \"before —\"", async () => {
  const dataDir = tempDir();
  const none = await vpo(["db", "retention"], { dataDir });
  expect([none.code, none.stdout]).toEqual([0, "No runs deleted (no [retention] period: kept for ever), no details deleted (no [retention] period: kept for ever), 0 reports; daily totals kept\n"]);
  writeFileSync(join(dataDir, "config.toml"), "[retention]\nruns_days = 30\n");
  const some = await vpo(["db", "retention"], { dataDir });
  expect(some.stdout).toMatch(/^Deleted 0 runs \(before \d{4}-\d{2}-\d{2}T00:00:00\.000Z\), no details deleted \(no \[retention\] period: kept for ever\), 0 reports; daily totals kept\n$/);
});

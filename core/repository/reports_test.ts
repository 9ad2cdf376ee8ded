import { expect, test } from "bun:test";
import { forEachDialect } from "../../tests/dialects.ts";
import { openDatabase } from "../db/open.ts";
import { claimReport, completeReport, getReport, listReports } from "./reports.ts";
import { applyRetention } from "./retention.ts";

const claim = (claimed_by: string, now: string) => ({
  schedule: "weekly", period_key: "week 2026-W05", period: "week", since: "2026-01-26T00:00:00.000Z", until: "2026-02-02T00:00:00.000Z",
  format: "pdf", content_type: "application/pdf", claimed_by, now: new Date(now),
});

forEachDialect("stored reports", (dialect) => {
  test("a period is claimed once; a claim abandoned while building is taken over only once it is stale; retention drops old reports", async () => {
    const { db, close } = await openDatabase(await dialect.newLocation());
    try {
      const id = await claimReport(db, claim("a", "2026-02-02T06:00:00Z"));
      expect(id).toBeString();
      expect(await claimReport(db, claim("b", "2026-02-02T06:00:01Z"))).toBeNull();
      expect(await claimReport(db, claim("b", "2026-02-02T06:14:00Z"))).toBeNull(); // not stale yet (15 min)
      const taken = await claimReport(db, claim("b", "2026-02-02T06:16:00Z"));
      expect(taken).toBe(id);
      expect(await claimReport(db, claim("c", "2026-02-02T06:16:01Z"))).toBeNull();
      await completeReport(db, id!, new Uint8Array([37, 80, 68, 70]), new Date("2026-02-02T06:17:00Z"));
      expect(await claimReport(db, claim("c", "2026-02-02T09:00:00Z"))).toBeNull(); // done is never taken over
      const stored = await getReport(db, id!);
      expect(stored).toMatchObject({ status: "done", claimed_by: "b", size_bytes: 4 });
      expect([...stored.body!]).toEqual([37, 80, 68, 70]);
      expect((await listReports(db)).length).toBe(1);
      expect((await applyRetention(db, { reportsBefore: "2026-02-01T00:00:00.000Z" })).reports).toBe(0);
      expect((await applyRetention(db, { reportsBefore: "2026-03-01T00:00:00.000Z" })).reports).toBe(1);
      await expect(getReport(db, id!)).rejects.toThrow("No report with id");
    } finally {
      await close();
    }
  });
});

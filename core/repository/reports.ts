import type { Db } from "../db/handle.ts";
import type { ReportsTable } from "../db/schema.ts";
import { VpoError } from "../errors.ts";
import { num, numOrNull } from "./_filters.ts";
import { deliveriesById } from "./alerts.ts";

/**
 * Stored reports. A scheduled report is claimed by inserting its row under the unique key
 * (schedule, period_key): with several servers on one database exactly one insert succeeds, and
 * only that server builds it. A claim left "building" by a process that died is taken over once
 * it is older than `staleAfterMs`.
 */

/** A stored report without its document. */
export interface ReportInfo extends Omit<ReportsTable, "body" | "deliveries"> {
  /** Where it was delivered, per channel (parsed). */
  deliveries: unknown;
}

/** A stored report with its document. */
export interface StoredReport extends ReportInfo {
  body: Uint8Array | null;
}

export interface ReportClaim extends Pick<ReportsTable, "schedule" | "period_key" | "period" | "since" | "until" | "format" | "content_type"> {
  /** Who builds it (node and process), for `vpo db info` and the dashboard. */
  claimed_by: string;
  now: Date;
  /** A "building" claim older than this is taken over (default 15 minutes). */
  staleAfterMs?: number;
}

const INFO_COLUMNS = [
  "id", "schedule", "period_key", "period", "since", "until", "format", "content_type", "status", "claimed_by", "claimed_at", "created_at", "size_bytes", "error", "deliveries",
] as const;

/** Claims (schedule, period_key); returns the new report's id, or null when another process has it. */
export async function claimReport(db: Db, claim: ReportClaim): Promise<string | null> {
  const { staleAfterMs = 15 * 60_000, now, ...row } = claim;
  const id = Bun.randomUUIDv7();
  const at = now.toISOString();
  const inserted = await db
    .insertInto("reports")
    .values({ id, ...row, status: "building", claimed_at: at, created_at: null, body: null, size_bytes: null, error: null, deliveries: null })
    .onConflict((oc) => oc.columns(["schedule", "period_key"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return inserted.id;
  // A claim abandoned by a dead process: take it over, in one conditional update (one taker wins).
  const stale = new Date(now.getTime() - staleAfterMs).toISOString();
  const taken = await db
    .updateTable("reports")
    .set({ claimed_by: row.claimed_by, claimed_at: at })
    .where("schedule", "=", row.schedule)
    .where("period_key", "=", row.period_key)
    .where("status", "=", "building")
    .where("claimed_at", "<", stale)
    .returning("id")
    .executeTakeFirst();
  return taken?.id ?? null;
}

/** Stores the finished document of a claimed report. */
export async function completeReport(db: Db, id: string, body: Uint8Array, now = new Date()): Promise<void> {
  await db.updateTable("reports").set({ status: "done", body, size_bytes: body.byteLength, created_at: now.toISOString(), error: null }).where("id", "=", id).execute();
}

/** Marks a claimed report as failed, with why (it is not retried for that period). */
export async function failReport(db: Db, id: string, error: string, now = new Date()): Promise<void> {
  await db.updateTable("reports").set({ status: "failed", error, created_at: now.toISOString() }).where("id", "=", id).execute();
}

/** Records where a report was delivered (JSON, per channel). */
export async function setReportDeliveries(db: Db, id: string, deliveries: unknown): Promise<void> {
  await db.updateTable("reports").set({ deliveries: JSON.stringify(deliveries) }).where("id", "=", id).execute();
}

function toInfo(row: Record<string, unknown>): ReportInfo {
  return {
    ...(row as unknown as ReportInfo),
    size_bytes: numOrNull(row.size_bytes),
    deliveries: typeof row.deliveries === "string" ? JSON.parse(row.deliveries) : null,
  };
}

/**
 * A report's deliveries as they stand now: an entry handed to the dispatcher is stored with its
 * `delivery_id` only, and its outcome (sent, retrying, failed, attempts, last error) is read from
 * that delivery, which changes after the report was made.
 */
async function withDeliveryOutcomes(db: Db, reports: ReportInfo[]): Promise<ReportInfo[]> {
  const entries = reports.flatMap((r) => (Array.isArray(r.deliveries) ? (r.deliveries as Record<string, unknown>[]) : []));
  const ids = entries.map((d) => d.delivery_id).filter((id): id is number => typeof id === "number");
  if (ids.length === 0) return reports;
  const byId = new Map((await deliveriesById(db, ids)).map((d) => [d.id, d]));
  for (const entry of entries) {
    if (typeof entry.delivery_id !== "number") continue;
    const d = byId.get(entry.delivery_id);
    if (!d) {
      Object.assign(entry, { ok: null, status: "unknown", detail: "its delivery record was pruned" });
      continue;
    }
    Object.assign(entry, {
      ok: d.status === "sent" ? true : d.status === "failed" ? false : null,
      status: d.status,
      attempts: d.attempts,
      ...(d.last_error !== null && d.status !== "sent" ? { detail: d.last_error } : {}),
    });
  }
  return reports;
}

/** Stored reports, newest claim first. */
export async function listReports(db: Db, options: { limit?: number; schedule?: string } = {}): Promise<ReportInfo[]> {
  const rows = await db
    .selectFrom("reports")
    .select([...INFO_COLUMNS])
    .$if(options.schedule !== undefined, (qb) => qb.where("schedule", "=", options.schedule!))
    .orderBy("claimed_at", "desc")
    .orderBy("id", "desc")
    .limit(options.limit ?? 100)
    .execute();
  return withDeliveryOutcomes(db, rows.map(toInfo));
}

/** One stored report with its document; NOT_FOUND when there is none with that id. */
export async function getReport(db: Db, id: string): Promise<StoredReport> {
  const row = await db.selectFrom("reports").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new VpoError("NOT_FOUND", `No report with id "${id}"`);
  const body = row.body === null ? null : new Uint8Array(row.body as Uint8Array);
  const [info] = await withDeliveryOutcomes(db, [toInfo(row as unknown as Record<string, unknown>)]);
  return { ...info!, body };
}

/** How many reports are stored. */
export async function countReports(db: Db): Promise<number> {
  const row = await db.selectFrom("reports").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
  return num(row?.n);
}

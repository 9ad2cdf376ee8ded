/**
 * Alert state, notification history, deliveries and silences. Every change of an alert's state is
 * a compare-and-set on its version, made in one transaction with the notification it causes: with
 * several servers evaluating the same rules on one database, exactly one of them wins each
 * change, and only the winner's notification exists (the unique claim on alert_events backs that
 * up). Deliveries are rows any server may take once due, under a lease.
 */
import type { Transaction } from "kysely";
import type { Db } from "../db/handle.ts";
import type { AlertDeliveriesTable, AlertEventsTable, AlertStateTable } from "../db/monitoring_schema.ts";
import type { Database } from "../db/schema.ts";

export type AlertState = AlertStateTable;
export type AlertEvent = Omit<AlertEventsTable, "id"> & { id: number };
export type AlertDelivery = Omit<AlertDeliveriesTable, "id"> & { id: number };
export type NewAlertEvent = Omit<AlertEventsTable, "id">;
export type NewDelivery = Omit<AlertDeliveriesTable, "id" | "event_id">;

/** Every alert state of the given rules (all rules when omitted). */
export async function alertStates(db: Db, rules?: readonly string[]): Promise<AlertState[]> {
  let query = db.selectFrom("alert_state").selectAll().orderBy("rule").orderBy("fingerprint");
  if (rules) {
    if (rules.length === 0) return [];
    query = query.where("rule", "in", [...rules]);
  }
  return query.execute();
}

export interface AlertChange {
  /** The state as it should be after the change. */
  state: Omit<AlertState, "version">;
  /** The version read before deciding; null when there was no row. */
  expectedVersion: number | null;
  /** The notification this change makes, if any, and what it goes to. */
  event?: NewAlertEvent;
  deliveries?: NewDelivery[];
}

/**
 * Applies one change if nobody changed the alert since it was read: returns the event id (or 0
 * when the change made none), or null when another server got there first — then it made the
 * notification, and this one must not.
 */
export async function applyAlertChange(db: Db, change: AlertChange): Promise<{ eventId: number | null; deliveryIds: number[] } | null> {
  return db.transaction().execute(async (trx) => {
    const written = change.expectedVersion === null
      ? await trx.insertInto("alert_state").values({ ...change.state, version: 1 }).onConflict((oc) => oc.columns(["rule", "fingerprint"]).doNothing()).executeTakeFirst()
      : await trx
        .updateTable("alert_state")
        .set({ ...change.state, version: change.expectedVersion + 1 })
        .where("rule", "=", change.state.rule)
        .where("fingerprint", "=", change.state.fingerprint)
        .where("version", "=", change.expectedVersion)
        .executeTakeFirst();
    const rows = "numInsertedOrUpdatedRows" in written ? written.numInsertedOrUpdatedRows : (written as { numUpdatedRows: bigint }).numUpdatedRows;
    if (Number(rows ?? 0) !== 1) return null;
    if (!change.event) return { eventId: null, deliveryIds: [] };
    return insertEvent(trx, change.event, change.deliveries ?? []);
  });
}

/** Records a notification and its deliveries (one per channel); used for changes and for tests. */
async function insertEvent(trx: Transaction<Database> | Db, event: NewAlertEvent, deliveries: NewDelivery[]) {
  const inserted = await trx
    .insertInto("alert_events")
    .values(event)
    .onConflict((oc) => oc.columns(["rule", "fingerprint", "epoch", "kind", "seq"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!inserted) return null;
  const eventId = Number(inserted.id);
  return { eventId, deliveryIds: await insertDeliveries(trx, deliveries, eventId) };
}

/** Inserts deliveries (of a notification, or of none); their ids in order. */
async function insertDeliveries(db: Transaction<Database> | Db, deliveries: NewDelivery[], eventId: number | null): Promise<number[]> {
  const ids: number[] = [];
  for (const d of deliveries) {
    const row = await db.insertInto("alert_deliveries").values({ ...d, event_id: eventId }).returning("id").executeTakeFirstOrThrow();
    ids.push(Number(row.id));
  }
  return ids;
}

/** Records a notification outside any alert's state (`vpo alerts test`): always a new one. */
export async function recordEvent(db: Db, event: NewAlertEvent, deliveries: NewDelivery[]): Promise<{ eventId: number; deliveryIds: number[] }> {
  const result = await db.transaction().execute((trx) => insertEvent(trx, event, deliveries));
  if (!result) throw new Error(`Notification ${event.rule} ${event.kind} #${event.seq} is already recorded`);
  return result;
}

/**
 * Records deliveries that belong to no alert (a scheduled report's): the same rows, retried and
 * taken over by the same dispatcher as an alert's.
 */
export async function queueDeliveries(db: Db, deliveries: NewDelivery[]): Promise<number[]> {
  return insertDeliveries(db, deliveries, null);
}

/** The deliveries with these ids (those that still exist). */
export async function deliveriesById(db: Db, ids: readonly number[]): Promise<AlertDelivery[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("alert_deliveries").selectAll().where("id", "in", [...ids]).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), event_id: r.event_id === null ? null : Number(r.event_id) }));
}

/** Deliveries waiting for an attempt whose time has come and that no live server holds. */
export async function dueDeliveries(db: Db, now: string, limit = 50): Promise<AlertDelivery[]> {
  const rows = await db
    .selectFrom("alert_deliveries")
    .selectAll()
    .where("status", "in", ["pending", "retrying"])
    .where("next_attempt_at", "<=", now)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
    .orderBy("next_attempt_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), event_id: r.event_id === null ? null : Number(r.event_id) }));
}

/**
 * Takes a delivery for one attempt: only if it is still as it was read (same attempts, not held
 * by someone else). Returns false when another server took it.
 */
export async function leaseDelivery(db: Db, id: number, o: { attempts: number; now: string; leaseUntil: string }): Promise<boolean> {
  const result = await db
    .updateTable("alert_deliveries")
    .set({ lease_until: o.leaseUntil, updated_at: o.now })
    .where("id", "=", id)
    .where("attempts", "=", o.attempts)
    .where("status", "in", ["pending", "retrying"])
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", o.now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Writes an attempt's outcome and releases the lease. */
export async function finishAttempt(
  db: Db,
  id: number,
  o: { status: AlertDelivery["status"]; attempts: number; error: string | null; now: string; nextAttemptAt: string | null },
): Promise<void> {
  await db
    .updateTable("alert_deliveries")
    .set({
      status: o.status, attempts: o.attempts, last_error: o.error, updated_at: o.now, next_attempt_at: o.nextAttemptAt, lease_until: null,
      delivered_at: o.status === "sent" ? o.now : null,
    })
    .where("id", "=", id)
    .execute();
}

export async function getDelivery(db: Db, id: number): Promise<AlertDelivery | null> {
  return (await deliveriesById(db, [id]))[0] ?? null;
}

/** A notification with the outcome of each of its deliveries. */
export interface AlertHistoryEntry extends AlertEvent {
  deliveries: Pick<AlertDelivery, "id" | "channel" | "status" | "attempts" | "last_error" | "delivered_at" | "updated_at">[];
}

/** Notifications newest first (since a time, of some rules), each with its deliveries. */
export async function alertHistory(db: Db, o: { since?: string; rule?: string; limit?: number } = {}): Promise<AlertHistoryEntry[]> {
  let query = db.selectFrom("alert_events").selectAll().orderBy("at", "desc").orderBy("id", "desc").limit(o.limit ?? 100);
  if (o.since) query = query.where("at", ">=", o.since);
  if (o.rule) query = query.where("rule", "=", o.rule);
  const events = (await query.execute()).map((e) => ({ ...e, id: Number(e.id) }));
  if (events.length === 0) return [];
  const deliveries = await db
    .selectFrom("alert_deliveries")
    .select(["id", "event_id", "channel", "status", "attempts", "last_error", "delivered_at", "updated_at"])
    .where("event_id", "in", events.map((e) => e.id))
    .orderBy("id")
    .execute();
  return events.map((e) => ({
    ...e,
    deliveries: deliveries.filter((d) => Number(d.event_id) === e.id).map(({ event_id: _e, ...d }) => ({ ...d, id: Number(d.id) })),
  }));
}

/** Notifications recorded at or after `since` (the live stream picks up other servers' ones from here). */
export async function eventsSince(db: Db, since: string): Promise<AlertEvent[]> {
  const rows = await db.selectFrom("alert_events").selectAll().where("at", ">=", since).orderBy("at").orderBy("id").limit(1000).execute();
  return rows.map((e) => ({ ...e, id: Number(e.id) }));
}

/** Silences a rule until `until`. */
export async function addSilence(db: Db, o: { rule: string; until: string; now: string; reason?: string | null }): Promise<void> {
  await db.insertInto("alert_silences").values({ rule: o.rule, until: o.until, created_at: o.now, reason: o.reason ?? null }).execute();
}

/** The rules silenced at `now`, each with the end of its longest silence. */
export async function activeSilences(db: Db, now: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("alert_silences")
    .select((eb) => ["rule", eb.fn.max("until").as("until")])
    .where("until", ">", now)
    .groupBy("rule")
    .execute();
  return new Map(rows.map((r) => [r.rule, String(r.until)]));
}

/** Deletes notifications, deliveries, expired silences and resolved alerts older than `before`. */
export async function pruneAlertHistory(db: Db, before: string): Promise<{ events: number; deliveries: number }> {
  return db.transaction().execute(async (trx) => {
    const deliveries = await trx
      .deleteFrom("alert_deliveries")
      .where("created_at", "<", before)
      .where("status", "in", ["sent", "failed"])
      .executeTakeFirst();
    const events = await trx.deleteFrom("alert_events").where("at", "<", before).executeTakeFirst();
    await trx.deleteFrom("alert_silences").where("until", "<", before).execute();
    await trx.deleteFrom("alert_state").where("status", "=", "resolved").where("updated_at", "<", before).execute();
    return { events: Number(events.numDeletedRows), deliveries: Number(deliveries.numDeletedRows) };
  });
}

/** Delivery counts by channel and status (for `vpo alerts list` and the dashboard). */
export async function deliveryCounts(db: Db, since: string): Promise<{ channel: string; status: string; count: number }[]> {
  const rows = await db
    .selectFrom("alert_deliveries")
    .select((eb) => ["channel", "status", eb.fn.countAll<number>().as("count")])
    .where("created_at", ">=", since)
    .groupBy(["channel", "status"])
    .orderBy("channel")
    .execute();
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
}

import type { Generated } from "kysely";

/**
 * Kysely types of the monitoring tables (migration 004): alert state, notification history,
 * deliveries, silences and the log store. JSON is stored as text, flags as 0/1.
 */

/** Where one alert (a rule and a set of label values) stands; `version` makes every change a compare-and-set. */
export interface AlertStateTable {
  rule: string;
  /** The label values the alert is about (`policy=anime`), "" for a rule with no grouping. */
  fingerprint: string;
  /** JSON object of those labels. */
  labels: string;
  /** inactive: never fired or cleared while pending. */
  status: "inactive" | "pending" | "firing" | "resolved";
  /** When the condition was first seen to hold (for `for`). */
  active_since: string | null;
  fired_at: string | null;
  resolved_at: string | null;
  last_notified_at: string | null;
  /** How many times the alert has fired: each firing's notifications are claimed under it. */
  epoch: number;
  /** Notifications made in this epoch. */
  notified: number;
  value: number | null;
  summary: string | null;
  /** JSON: the fields messages are made from (the latest failed run, the rate, …). */
  details: string | null;
  updated_at: string;
  version: number;
}

/** One notification: fired (and each repeat), resolved, or a test; unique per (rule, fingerprint, epoch, kind, seq). */
export interface AlertEventsTable {
  id: Generated<number>;
  rule: string;
  fingerprint: string;
  epoch: number;
  seq: number;
  /** "silenced": a firing or resolve a silence held back (recorded, not sent). */
  kind: "firing" | "resolved" | "silenced" | "test";
  severity: string;
  labels: string;
  value: number | null;
  summary: string | null;
  details: string | null;
  /** JSON: the message as sent (subject, text, html, link). */
  message: string | null;
  /** 1 when a silence held it back (recorded, not sent). */
  silenced: number;
  at: string;
}

/** One message to one channel, with each attempt's outcome; pending and retrying rows are picked up by any server once due. */
export interface AlertDeliveriesTable {
  id: Generated<number>;
  event_id: number | null;
  /** "alert", "test", "report", …: who asked for it. */
  source: string;
  channel: string;
  /** JSON: the message (subject, text, html, link, data, attachments). */
  message: string;
  status: "pending" | "retrying" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  next_attempt_at: string | null;
  /** A server sending it holds it until then; past it, another may take it over. */
  lease_until: string | null;
  delivered_at: string | null;
}

export interface AlertSilencesTable {
  id: Generated<number>;
  rule: string;
  until: string;
  created_at: string;
  reason: string | null;
}

/** A structured log record kept in the database (`vpo logs`). */
export interface LogRecordsTable {
  id: Generated<number>;
  at: string;
  level: string;
  /** debug 0, info 1, warning 2, error 3, fatal 4: filters compare it. */
  severity: number;
  category: string;
  message: string;
  job_id: string | null;
  run_id: string | null;
  file: string | null;
  node: string | null;
  plugin: string | null;
  /** JSON of the record's other properties. */
  properties: string | null;
}

export interface MonitoringTables {
  alert_state: AlertStateTable;
  alert_events: AlertEventsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_silences: AlertSilencesTable;
  log_records: LogRecordsTable;
}

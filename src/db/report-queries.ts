/** The report's questions to the database (report/report-data.ts): planned volume, suppressions, the last runs. */
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { IsoDate } from "../domain/dates.js"
import { tableExists } from "./introspect.js"

export const VolumeRow = Schema.Struct({ date: Schema.String, email_type: Schema.String, emails: Schema.Int })
export const SkippedRow = Schema.Struct({
  contact_id: Schema.Int,
  skip_reason: Schema.NullOr(Schema.String),
  n: Schema.Int
})
export const CheckpointRow = Schema.Struct({
  run_id: Schema.String,
  as_of_date: Schema.String,
  status: Schema.String,
  started_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
  ruleset: Schema.String,
  contacts_total: Schema.NullOr(Schema.Int),
  emails_pre_scheduled: Schema.NullOr(Schema.Int),
  emails_skipped: Schema.NullOr(Schema.Int),
  rows_inserted: Schema.NullOr(Schema.Int),
  rows_updated: Schema.NullOr(Schema.Int),
  rows_deleted: Schema.NullOr(Schema.Int),
  error: Schema.NullOr(Schema.String)
})
export type CheckpointRow = typeof CheckpointRow.Type

export const ReportQueries = {
  /** Planned (pre-scheduled or scheduled) emails per day and type, from `first` to `last`. */
  plannedVolume: (first: IsoDate, last: IsoDate) =>
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql`SELECT scheduled_send_date AS date, email_type, count(*) AS emails
        FROM email_schedules WHERE status IN ('pre-scheduled', 'scheduled')
          AND scheduled_send_date BETWEEN ${first} AND ${last}
        GROUP BY scheduled_send_date, email_type`
    ).pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(VolumeRow)))),

  /** Skipped rows dated `from` or later, counted per contact and reason. */
  skippedFrom: (from: IsoDate) =>
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql`SELECT contact_id, skip_reason, count(*) AS n FROM email_schedules
        WHERE status = 'skipped' AND scheduled_send_date >= ${from}
        GROUP BY contact_id, skip_reason ORDER BY contact_id`
    ).pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(SkippedRow)))),

  /** The newest `limit` checkpoints, newest first; none in a database that never ran the scheduler. */
  recentRuns: (limit: number) =>
    Effect.gen(function* () {
      if (!(yield* tableExists("scheduler_checkpoints"))) return []
      const sql = yield* SqlClient.SqlClient
      return yield* sql`SELECT run_id, as_of_date, status, started_at, finished_at, ruleset, contacts_total,
          emails_pre_scheduled, emails_skipped, rows_inserted, rows_updated, rows_deleted, error
        FROM scheduler_checkpoints ORDER BY id DESC LIMIT ${limit}`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.Array(CheckpointRow)))
      )
    })
}

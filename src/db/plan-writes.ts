import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { PlanRecord } from "../plan/index.js"
import { DatabaseError } from "./errors.js"

/** Rows per INSERT statement: 17 values each, well under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 500
const DELETE_CHUNK = 500

const INSERT_COLUMNS = `contact_id, email_type, scheduled_send_date, scheduled_send_time, status, skip_reason, priority,
  campaign_instance_id, email_template, sms_template, event_year, event_month, event_day, scheduler_run_id, metadata,
  created_at, updated_at`
const ROW_PLACEHOLDERS = `(${new Array(17).fill("?").join(", ")})`
const insertText = (rows: number) =>
  `INSERT INTO email_schedules (${INSERT_COLUMNS}) VALUES ${new Array(rows).fill(ROW_PLACEHOLDERS).join(", ")}`
const FULL_INSERT = insertText(INSERT_CHUNK)

const UPDATE_COLUMNS = `scheduled_send_time = ?, skip_reason = ?, priority = ?, campaign_instance_id = ?,
  email_template = ?, sms_template = ?, event_year = ?, event_month = ?, event_day = ?, metadata = ?,
  scheduler_run_id = ?, updated_at = ?`
/**
 * Most updates change the explanation alone (a planned date that today overtook): leaving `status` out of the SET
 * list keeps SQLite from rewriting the row's (status, scheduled_send_date) index entry.
 */
const UPDATE_SAME_STATUS = `UPDATE email_schedules SET ${UPDATE_COLUMNS} WHERE id = ?`
const UPDATE_WITH_STATUS = `UPDATE email_schedules SET status = ?, ${UPDATE_COLUMNS} WHERE id = ?`

/** The values an insert and an update both bind, in this order: skip_reason … event_day (spec §12.1). */
const pushRowValues = (values: Array<unknown>, record: PlanRecord): void => {
  values.push(
    record.skipReason,
    record.priority,
    record.campaignInstanceId,
    record.emailTemplate,
    record.smsTemplate,
    record.eventYear,
    record.eventMonth,
    record.eventDay
  )
}

/** better-sqlite3's result of a write statement. */
const decodeChanges = Schema.decodeUnknown(Schema.Struct({ changes: Schema.Number }))

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

/**
 * The writes of the smart update (spec §12.3), inside the caller's transaction. Inserts are buffered and sent 500 rows
 * to one prepared statement, each row's values bound straight from its record (no row objects on the way).
 */
export const planWriter = (runId: string, now: string) =>
  Effect.map(SqlClient.SqlClient, (sql) => {
    let values: Array<unknown> = []
    let buffered = 0
    /** Rows this writer changed that the change counter counts (db/change-tracking.ts): deletes and enrollments. */
    let countedChanges = 0
    const countChanges = (result: unknown) =>
      Effect.map(decodeChanges(result), ({ changes }) => {
        countedChanges += changes
      })
    const flushInserts = Effect.suspend(() => {
      if (buffered === 0) return Effect.void
      const text = buffered === INSERT_CHUNK ? FULL_INSERT : insertText(buffered)
      const params = values
      values = []
      buffered = 0
      return sql.unsafe(text, params).raw.pipe(Effect.asVoid, failAs("insert into email_schedules"))
    })
    return {
      insert: (record: PlanRecord) => {
        values.push(record.contactId, record.emailType, record.date, record.time, record.status)
        pushRowValues(values, record)
        values.push(runId, record.metadata, now, now)
        buffered++
        return buffered === INSERT_CHUNK ? flushInserts : Effect.void
      },
      flushInserts,
      /** Rewrites the stored row `stored.id` as `record` (its key columns are the record's already). */
      update: (stored: { readonly id: number; readonly status: string }, record: PlanRecord) => {
        const values: Array<unknown> = [record.time]
        pushRowValues(values, record)
        values.push(record.metadata, runId, now, stored.id)
        const statement =
          stored.status === record.status
            ? sql.unsafe(UPDATE_SAME_STATUS, values)
            : sql.unsafe(UPDATE_WITH_STATUS, [record.status, ...values])
        return statement.raw.pipe(Effect.asVoid, failAs("update email_schedules"))
      },
      deleteIds: (ids: ReadonlyArray<number>) =>
        Effect.forEach(
          Array.from({ length: Math.ceil(ids.length / DELETE_CHUNK) }, (_, i) =>
            ids.slice(i * DELETE_CHUNK, (i + 1) * DELETE_CHUNK)
          ),
          (chunk) =>
            sql
              .unsafe(`DELETE FROM email_schedules WHERE id IN (${chunk.map(() => "?").join(", ")})`, chunk)
              .raw.pipe(Effect.flatMap(countChanges), failAs("delete from email_schedules")),
          { discard: true }
        ),
      /**
       * Spec §7.9: enrollment statuses, in the same transaction as the contact's rows. Written only when the value
       * changes; a status the sender set meanwhile (`sent`, or any other) is never overwritten.
       */
      updateEnrollments: (updates: ReadonlyArray<{ readonly id: number; readonly status: string }>) =>
        Effect.forEach(
          updates,
          (update) =>
            sql`UPDATE contact_campaigns SET status = ${update.status}, updated_at = ${now}
              WHERE id = ${update.id} AND status <> ${update.status} AND status IN ('pending', 'scheduled', 'skipped')`.raw.pipe(
              Effect.flatMap(countChanges)
            ),
          { discard: true }
        ).pipe(failAs("update contact_campaigns")),
      countedChanges: () => countedChanges
    }
  })

export type PlanWriter = Effect.Effect.Success<ReturnType<typeof planWriter>>

import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { PlanRecord } from "../plan/index.js"
import { DatabaseError } from "./errors.js"
import type { ValueSink } from "./value-columns.js"

/** Rows per INSERT or UPDATE statement: at most 17 values each, well under SQLite's 32,766 bound parameters. */
const INSERT_CHUNK = 500
const UPDATE_CHUNK = 500
const DELETE_CHUNK = 500

/**
 * The columns a run writes into a new row (spec §12.1), in the order `insert` binds them: the values that vary by row
 * first (`pushNewRowValues`), then the three that are the run's own (its id, and its time twice).
 */
export const WRITTEN_COLUMNS = [
  "contact_id",
  "email_type",
  "scheduled_send_date",
  "scheduled_send_time",
  "status",
  "skip_reason",
  "priority",
  "campaign_instance_id",
  "email_template",
  "sms_template",
  "event_year",
  "event_month",
  "event_day",
  "metadata",
  "scheduler_run_id",
  "created_at",
  "updated_at"
] as const
const INSERT_COLUMNS = WRITTEN_COLUMNS.join(", ")
const placeholders = (columns: number) => `(${new Array(columns).fill("?").join(", ")})`
/** An INSERT of `rows` new rows, each written as `row`. */
const insertOf = (rows: number, row: string) =>
  `INSERT INTO email_schedules (${INSERT_COLUMNS}) VALUES ${new Array(rows).fill(row).join(", ")}`
const insertText = (rows: number) => insertOf(rows, placeholders(WRITTEN_COLUMNS.length))

/** An SQL string literal. */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

/**
 * An INSERT of `rows` new rows that binds only `pushNewRowValues`' values, with the run's id and time written into
 * the statement (run/write-thread.ts: the values cross to another thread, and these three are the same for every row).
 */
export const insertOfRunText = (rows: number, runId: string, now: string) => {
  const values = placeholders(NEW_ROW_VALUES).slice(0, -1)
  return insertOf(rows, `${values}, ${literal(runId)}, ${literal(now)}, ${literal(now)})`)
}

/**
 * The columns an update rewrites besides `status`, in the order `update` binds them (spec §12.3): a row's key and its
 * creation time stay.
 */
export const UPDATED_COLUMNS = WRITTEN_COLUMNS.filter(
  (column) => !["contact_id", "email_type", "scheduled_send_date", "status", "created_at"].includes(column)
)

/**
 * Updates go `UPDATE_CHUNK` rows to one statement, each row's values in a VALUES list joined on the row id: one
 * statement per row cost about 40 µs of @effect/sql overhead each, five times SQLite's own work, and a night updates
 * hundreds of thousands of rows (issue 11). Most updates change the explanation alone (a planned date that today
 * overtook): the first form leaves `status` out of the SET list, so SQLite does not rewrite the row's (status,
 * scheduled_send_date) index entry. A row binds `pushUpdateValues`' values.
 */
const updateText = (rows: number, withStatus: boolean) => {
  const columns = updateColumns(withStatus)
  const set = columns
    .slice(0, -1)
    .map((column) => `${column} = v.${column}`)
    .join(", ")
  return `WITH v(${columns.join(", ")}) AS (VALUES ${new Array(rows).fill(placeholders(columns.length)).join(", ")})
    UPDATE email_schedules SET ${set} FROM v WHERE email_schedules.id = v.id`
}

/**
 * `updateText` for one row, as a plain UPDATE by id: with better-sqlite3 called directly (the write thread) a prepared
 * statement per row costs nothing more, and SQLite skips the VALUES table and its join (1 M night: the thread's
 * updates took 18.3 s instead of 21.2–23.9 s).
 */
export const updateOneText = (withStatus: boolean) => {
  const set = updateColumns(withStatus)
    .slice(0, -1)
    .map((column) => `${column} = ?`)
    .join(", ")
  return `UPDATE email_schedules SET ${set} WHERE id = ?`
}

/** The columns an update binds, in `pushUpdateValues`' order: the id last. */
const updateColumns = (withStatus: boolean) => [...(withStatus ? ["status"] : []), ...UPDATED_COLUMNS, "id"]

/** The values an insert and an update both bind, in this order: skip_reason … event_day (spec §12.1). */
const pushRowValues = (values: ValueSink, record: PlanRecord): void => {
  // One value to a push: a sink of columns takes values one at a time (value-columns.ts).
  values.push(record.skipReason)
  values.push(record.priority)
  values.push(record.campaignInstanceId)
  values.push(record.emailTemplate)
  values.push(record.smsTemplate)
  values.push(record.eventYear)
  values.push(record.eventMonth)
  values.push(record.eventDay)
}

/** How many values an update binds per row (`updateColumns`). */
export const updateValuesPerRow = (withStatus: boolean) => updateColumns(withStatus).length

/**
 * The values of one row of `updateText` and `updateOneText`: stored row `id` rewritten as `record` by run `runId` (the
 * status when it changes, then `UPDATED_COLUMNS`, then the id).
 */
export const pushUpdateValues = (
  values: ValueSink,
  id: number,
  withStatus: boolean,
  record: PlanRecord,
  runId: string,
  now: string
): void => {
  if (withStatus) values.push(record.status)
  values.push(record.time)
  pushRowValues(values, record)
  values.push(record.metadata)
  values.push(runId)
  values.push(now)
  values.push(id)
}

/** A DELETE of the `rows` stored rows whose ids it binds. */
export const deleteText = (rows: number) =>
  `DELETE FROM email_schedules WHERE id IN (${new Array(rows).fill("?").join(", ")})`

/** How many of a new row's values vary by row: `WRITTEN_COLUMNS` up to `metadata`. */
export const NEW_ROW_VALUES = 14

/** The values of a new row that vary by row, in `WRITTEN_COLUMNS` order (contact_id … metadata). */
export const pushNewRowValues = (values: ValueSink, record: PlanRecord): void => {
  values.push(record.contactId)
  values.push(record.emailType)
  values.push(record.date)
  values.push(record.time)
  values.push(record.status)
  pushRowValues(values, record)
  values.push(record.metadata)
}

/**
 * Spec §7.9: an enrollment's status, written only when the value changes; a status the sender set meanwhile (`sent`,
 * or any other) is never overwritten. Binds `enrollmentValues`.
 */
export const ENROLLMENT_UPDATE = `UPDATE contact_campaigns SET status = ?, updated_at = ?
  WHERE id = ? AND status <> ? AND status IN ('pending', 'scheduled', 'skipped')`

export const enrollmentValues = (update: { readonly id: number; readonly status: string }, now: string) => [
  update.status,
  now,
  update.id,
  update.status
]

/** better-sqlite3's result of a write statement. */
const decodeChanges = Schema.decodeUnknown(Schema.Struct({ changes: Schema.Number }))

const failAs = (operation: string) => Effect.mapError((cause: unknown) => new DatabaseError({ operation, cause }))

/**
 * Rows waiting for one multi-row statement: a row's values are pushed onto `values`, then `added` sends the statement
 * once `chunk` rows wait; `flush` sends what waits. `ids` holds the ids of the stored rows waiting (for updates).
 */
const pendingRows = (sql: SqlClient.SqlClient, chunk: number, text: (rows: number) => string, operation: string) => {
  const full = text(chunk)
  let values: Array<string | number | null> = []
  let rows = 0
  const ids = new Set<number>()
  const flush = Effect.suspend(() => {
    if (rows === 0) return Effect.void
    const statement = rows === chunk ? full : text(rows)
    const params = values
    values = []
    rows = 0
    ids.clear()
    return sql.unsafe(statement, params).raw.pipe(Effect.asVoid, failAs(operation))
  })
  /** Counts the row just pushed: true when the statement is full and `flush` must run. */
  const addedFull = (): boolean => ++rows === chunk
  return {
    get values() {
      return values
    },
    ids,
    added: () => (addedFull() ? flush : Effect.void),
    addedFull,
    flush
  }
}

/**
 * The writes of the smart update (spec §12.3), inside the caller's transaction. Inserts and updates are buffered and
 * sent 500 rows to one prepared statement, each row's values bound straight from its record (no row objects on the
 * way); `flush` sends what is buffered, and must run before the transaction reads the rows again or ends.
 */
export const planWriter = (runId: string, now: string) =>
  Effect.map(SqlClient.SqlClient, (sql) => {
    const inserts = pendingRows(sql, INSERT_CHUNK, insertText, "insert into email_schedules")
    const sameStatus = pendingRows(sql, UPDATE_CHUNK, (rows) => updateText(rows, false), "update email_schedules")
    const newStatus = pendingRows(sql, UPDATE_CHUNK, (rows) => updateText(rows, true), "update email_schedules")
    const flushUpdates = Effect.zipRight(sameStatus.flush, newStatus.flush)
    /** One statement must not update a row twice (SQLite does not say which values would win): send the first. */
    const updatePending = (id: number) => sameStatus.ids.has(id) || newStatus.ids.has(id)
    const flush = Effect.zipRight(inserts.flush, flushUpdates)
    const bufferUpdate = (stored: { readonly id: number; readonly status: string }, record: PlanRecord) => {
      const withStatus = stored.status !== record.status
      const pending = withStatus ? newStatus : sameStatus
      pending.ids.add(stored.id)
      pushUpdateValues(pending.values, stored.id, withStatus, record, runId, now)
      return pending.added()
    }
    /** Rows this writer changed that the change counter counts (db/change-tracking.ts): deletes and enrollments. */
    let countedChanges = 0
    const countChanges = (result: unknown) =>
      Effect.map(decodeChanges(result), ({ changes }) => {
        countedChanges += changes
      })
    const pushInsert = (record: PlanRecord): void => {
      const values = inserts.values
      pushNewRowValues(values, record)
      values.push(runId, now, now)
    }
    return {
      insert: (record: PlanRecord) => {
        pushInsert(record)
        return inserts.added()
      },
      /**
       * `insert` without an effect, for a loop over millions of rows (a first run inserts every row; an effect a row
       * cost its write 1.8 s at a million contacts): true when the statement is full and `flushInserts` must run.
       */
      bufferInsert: (record: PlanRecord): boolean => {
        pushInsert(record)
        return inserts.addedFull()
      },
      flushInserts: inserts.flush,
      flush,
      /** Rewrites the stored row `stored.id` as `record` (its key columns are the record's already). */
      update: (stored: { readonly id: number; readonly status: string }, record: PlanRecord) =>
        updatePending(stored.id)
          ? Effect.zipRight(
              flushUpdates,
              Effect.suspend(() => bufferUpdate(stored, record))
            )
          : bufferUpdate(stored, record),
      deleteIds: (ids: ReadonlyArray<number>) =>
        Effect.forEach(
          Array.from({ length: Math.ceil(ids.length / DELETE_CHUNK) }, (_, i) =>
            ids.slice(i * DELETE_CHUNK, (i + 1) * DELETE_CHUNK)
          ),
          (chunk) =>
            sql
              .unsafe(deleteText(chunk.length), chunk)
              .raw.pipe(Effect.flatMap(countChanges), failAs("delete from email_schedules")),
          { discard: true }
        ),
      /** Spec §7.9: enrollment statuses (`ENROLLMENT_UPDATE`), in the same transaction as the contact's rows. */
      updateEnrollments: (updates: ReadonlyArray<{ readonly id: number; readonly status: string }>) =>
        Effect.forEach(
          updates,
          (update) =>
            sql.unsafe(ENROLLMENT_UPDATE, enrollmentValues(update, now)).raw.pipe(Effect.flatMap(countChanges)),
          { discard: true }
        ).pipe(failAs("update contact_campaigns")),
      countedChanges: () => countedChanges
    }
  })

export type PlanWriter = Effect.Effect.Success<ReturnType<typeof planWriter>>

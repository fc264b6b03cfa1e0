import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import type { Decoded } from "../db/decode.js"
import { DatabaseError } from "../db/errors.js"
import { type EmailScheduleRow, isHandledStatus } from "../domain/email.js"
import { emailKey } from "./history.js"
import type { PlanRecord } from "./records.js"

export interface WriteCounts {
  readonly inserted: number
  readonly updated: number
  readonly deleted: number
  readonly unchanged: number
  readonly droppedHandled: number
}

export const NO_WRITES: WriteCounts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, droppedHandled: 0 }

export const addCounts = (a: WriteCounts, b: WriteCounts): WriteCounts => ({
  inserted: a.inserted + b.inserted,
  updated: a.updated + b.updated,
  deleted: a.deleted + b.deleted,
  unchanged: a.unchanged + b.unchanged,
  droppedHandled: a.droppedHandled + b.droppedHandled
})

/** The key of a row whose other columns do not decode: such a row is never touched, but its key stays taken. */
const RowKey = Schema.Struct({ contact_id: Schema.Int, email_type: Schema.String, scheduled_send_date: Schema.String })
const decodeRowKey = Schema.decodeUnknownEither(RowKey)

export const differs = (stored: EmailScheduleRow, planned: PlanRecord): boolean => {
  return (
    stored.scheduled_send_time !== planned.time ||
    stored.status !== planned.status ||
    stored.skip_reason !== planned.skipReason ||
    stored.priority !== planned.priority ||
    stored.campaign_instance_id !== planned.campaignInstanceId ||
    stored.email_template !== planned.emailTemplate ||
    stored.sms_template !== planned.smsTemplate ||
    stored.event_year !== planned.eventYear ||
    stored.event_month !== planned.eventMonth ||
    stored.event_day !== planned.eventDay ||
    stored.metadata !== planned.metadata
  )
}

const CHUNK = 500

/**
 * The smart update of spec §12.3 for one batch of contacts, inside the caller's transaction, which also read the
 * batch's rows (so a status the sender changed meanwhile is respected). Handled rows are never changed or deleted,
 * and rows of contact ids outside `contactIds` are never touched.
 */
export const writeBatch = (options: {
  readonly contactIds: ReadonlySet<number>
  readonly records: ReadonlyArray<PlanRecord>
  /** The batch's stored rows, read inside the same transaction. */
  readonly stored: Decoded<EmailScheduleRow>
  readonly runId: string
  readonly now: string
}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const { contactIds, records, runId, now, stored } = options
    const byKey = new Map<string, EmailScheduleRow | "undecodable">()
    const toDelete: Array<number> = []
    const planKeys = new Set(records.map((r) => `${r.contactId}|${emailKey(r.emailType, r.date)}`))
    for (const row of stored.rows) {
      if (!contactIds.has(row.contact_id)) continue
      const key = `${row.contact_id}|${emailKey(row.email_type, row.scheduled_send_date)}`
      byKey.set(key, row)
      if (!isHandledStatus(row.status) && !planKeys.has(key)) toDelete.push(row.id)
    }
    for (const bad of stored.malformed) {
      Either.map(decodeRowKey(bad), (row) =>
        byKey.set(`${row.contact_id}|${emailKey(row.email_type, row.scheduled_send_date)}`, "undecodable")
      )
    }

    let updated = 0
    let unchanged = 0
    let droppedHandled = 0
    const toInsert: Array<PlanRecord> = []
    for (const record of records) {
      const existing = byKey.get(`${record.contactId}|${emailKey(record.emailType, record.date)}`)
      if (existing === undefined) toInsert.push(record)
      else if (existing === "undecodable" || isHandledStatus(existing.status)) droppedHandled++
      else if (differs(existing, record)) {
        updated++
        yield* sql`UPDATE email_schedules SET scheduled_send_time = ${record.time}, status = ${record.status},
            skip_reason = ${record.skipReason}, priority = ${record.priority},
            campaign_instance_id = ${record.campaignInstanceId}, email_template = ${record.emailTemplate},
            sms_template = ${record.smsTemplate}, event_year = ${record.eventYear}, event_month = ${record.eventMonth},
            event_day = ${record.eventDay}, metadata = ${record.metadata}, scheduler_run_id = ${runId},
            updated_at = ${now}
          WHERE id = ${existing.id}`
      } else unchanged++
    }
    for (let i = 0; i < toDelete.length; i += CHUNK) {
      yield* sql`DELETE FROM email_schedules WHERE ${sql.in("id", toDelete.slice(i, i + CHUNK))}`
    }
    for (let i = 0; i < toInsert.length; i += CHUNK) {
      yield* sql`INSERT INTO email_schedules ${sql.insert(
        toInsert.slice(i, i + CHUNK).map((r) => ({
          contact_id: r.contactId,
          email_type: r.emailType,
          scheduled_send_date: r.date,
          scheduled_send_time: r.time,
          status: r.status,
          skip_reason: r.skipReason,
          priority: r.priority,
          campaign_instance_id: r.campaignInstanceId,
          email_template: r.emailTemplate,
          sms_template: r.smsTemplate,
          event_year: r.eventYear,
          event_month: r.eventMonth,
          event_day: r.eventDay,
          scheduler_run_id: runId,
          metadata: r.metadata,
          created_at: now,
          updated_at: now
        }))
      )}`
    }
    const counts: WriteCounts = {
      inserted: toInsert.length,
      updated,
      deleted: toDelete.length,
      unchanged,
      droppedHandled
    }
    return counts
  }).pipe(Effect.catchTag("SqlError", (cause) => new DatabaseError({ operation: "write email_schedules", cause })))

/**
 * Spec §7.9: enrollment statuses, in the same transaction as the contact's rows. Written only when the value changes;
 * a status the sender set meanwhile (`sent`, or any other) is never overwritten.
 */
export const updateEnrollments = (
  updates: ReadonlyArray<{ readonly id: number; readonly status: string }>,
  now: string
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    for (const update of updates) {
      yield* sql`UPDATE contact_campaigns SET status = ${update.status}, updated_at = ${now}
        WHERE id = ${update.id} AND status <> ${update.status} AND status IN ('pending', 'scheduled', 'skipped')`
    }
    return updates.length
  }).pipe(Effect.catchTag("SqlError", (cause) => new DatabaseError({ operation: "update contact_campaigns", cause })))

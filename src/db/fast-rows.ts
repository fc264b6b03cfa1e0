import type { Schema } from "effect"
import { ContactRow } from "../domain/contact.js"
import { EmailScheduleRow } from "../domain/email.js"
import { type Decoded, decodeEach, type MalformedRow } from "./decode.js"

/*
 * Row decoders for the hot paths. SQLite rows arrive as arrays of values (one per selected column); a plain type test
 * of each column accepts exactly what the row's Schema accepts (test/db/fast-rows.test.ts checks this property), and
 * only a row that fails it goes through Schema, which reports the problem with its table, id and column.
 */

const isText = (value: unknown): value is string => typeof value === "string"
const isTextOrNull = (value: unknown): value is string | null => value === null || typeof value === "string"
/** Schema.Int: a safe integer. */
const isInt = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value)
const isIntOrNull = (value: unknown): value is number | null => value === null || isInt(value)

/** Builds the decoder of one table from its column list, a fast builder (undefined when a check fails) and its Schema. */
const fastDecoder = <A, I>(
  table: string,
  columns: ReadonlyArray<string>,
  schema: Schema.Schema<A, I>,
  build: (values: ReadonlyArray<unknown>) => A | undefined
) => {
  const slow = decodeEach(table, schema)
  return (rows: ReadonlyArray<ReadonlyArray<unknown>>): Decoded<A> => {
    const decoded: Array<A> = []
    const malformed: Array<MalformedRow> = []
    for (const values of rows) {
      const row = build(values)
      if (row !== undefined) {
        decoded.push(row)
        continue
      }
      const checked = slow([Object.fromEntries(columns.map((column, i) => [column, values[i]]))])
      decoded.push(...checked.rows)
      malformed.push(...checked.malformed)
    }
    return { rows: decoded, malformed }
  }
}

export const CONTACT_COLUMNS = [
  "id",
  "email",
  "current_carrier",
  "birth_date",
  "effective_date",
  "state",
  "zip_code"
] as const

export const decodeContactValues = fastDecoder("contacts", CONTACT_COLUMNS, ContactRow, (v) => {
  const [id, email, carrier, birth, effective, state, zip] = v
  return isInt(id) &&
    isTextOrNull(email) &&
    isTextOrNull(carrier) &&
    isTextOrNull(birth) &&
    isTextOrNull(effective) &&
    isTextOrNull(state) &&
    isTextOrNull(zip)
    ? {
        id,
        email,
        current_carrier: carrier,
        birth_date: birth,
        effective_date: effective,
        state,
        zip_code: zip
      }
    : undefined
})

export const EMAIL_SCHEDULE_COLUMNS = [
  "id",
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
  "scheduler_run_id",
  "metadata",
  "actual_send_datetime"
] as const

export const decodeEmailScheduleValues = fastDecoder(
  "email_schedules",
  EMAIL_SCHEDULE_COLUMNS,
  EmailScheduleRow,
  (v) => {
    if (v.length !== EMAIL_SCHEDULE_COLUMNS.length) return undefined
    const [
      id,
      contactId,
      type,
      date,
      time,
      status,
      reason,
      priority,
      instance,
      email,
      sms,
      year,
      month,
      day,
      run,
      meta,
      sent
    ] = v
    return isInt(id) &&
      isInt(contactId) &&
      isText(type) &&
      isText(date) &&
      isTextOrNull(time) &&
      isText(status) &&
      isTextOrNull(reason) &&
      isIntOrNull(priority) &&
      isIntOrNull(instance) &&
      isTextOrNull(email) &&
      isTextOrNull(sms) &&
      isIntOrNull(year) &&
      isIntOrNull(month) &&
      isIntOrNull(day) &&
      isTextOrNull(run) &&
      isTextOrNull(meta) &&
      isTextOrNull(sent)
      ? {
          id,
          contact_id: contactId,
          email_type: type,
          scheduled_send_date: date,
          scheduled_send_time: time,
          status,
          skip_reason: reason,
          priority,
          campaign_instance_id: instance,
          email_template: email,
          sms_template: sms,
          event_year: year,
          event_month: month,
          event_day: day,
          scheduler_run_id: run,
          metadata: meta,
          actual_send_datetime: sent
        }
      : undefined
  }
)

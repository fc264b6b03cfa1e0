import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { IsoDate } from "../domain/dates.js"
import { DatabaseError } from "./errors.js"

/** What a simulated sender reads of a row that is due. */
export const DueRow = Schema.Struct({
  id: Schema.Int,
  contact_id: Schema.Int,
  email_type: Schema.String,
  status: Schema.String,
  skip_reason: Schema.NullOr(Schema.String)
})
export type DueRow = typeof DueRow.Type

const decodeDue = Schema.decodeUnknown(Schema.Array(DueRow))

/**
 * A sender that sends what is due: the rows dated `today` that the scheduler planned (`pre-scheduled`) become `sent`
 * at the organization's send time; the `skipped` ones are what the day suppresses. Returns both.
 */
export const sendDue = (today: IsoDate, sendTime: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const due = yield* sql`SELECT id, contact_id, email_type, status, skip_reason FROM email_schedules
      WHERE scheduled_send_date = ${today} AND status IN ('pre-scheduled', 'skipped') ORDER BY id`.pipe(
      Effect.flatMap(decodeDue)
    )
    yield* sql`UPDATE email_schedules SET status = 'sent', actual_send_datetime = ${`${today} ${sendTime}`}
      WHERE scheduled_send_date = ${today} AND status = 'pre-scheduled'`
    return due
  }).pipe(
    Effect.catchTags({
      SqlError: (cause) => new DatabaseError({ operation: "send due emails", cause }),
      ParseError: (cause) => new DatabaseError({ operation: "read due emails", cause })
    })
  )

import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { type RunOptions, runOnce } from "../../src/run/run.js"
import type { ExampleContact } from "./examples.js"

/** Inserts example contacts (and an organization row when settings are given) into the test database. */
export const seedContacts = (contacts: ReadonlyArray<ExampleContact>, organization?: Record<string, unknown>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    for (const c of contacts) {
      yield* sql`INSERT INTO contacts ${sql.insert({
        id: c.id,
        email: c.email ?? `c${c.id}@example.com`,
        state: c.state ?? null,
        zip_code: c.zip ?? null,
        birth_date: c.birth ?? null,
        effective_date: c.effective ?? null
      })}`
    }
    if (organization !== undefined) {
      yield* sql`INSERT INTO organizations ${sql.insert({ id: 1, name: "Test agency", ...organization })}`
    }
  })

/** The columns of an email row that tests compare. */
export const StoredRow = Schema.Struct({
  id: Schema.Int,
  contact_id: Schema.Int,
  email_type: Schema.String,
  scheduled_send_date: Schema.String,
  status: Schema.String,
  skip_reason: Schema.NullOr(Schema.String),
  priority: Schema.NullOr(Schema.Int),
  campaign_instance_id: Schema.NullOr(Schema.Int),
  event_year: Schema.NullOr(Schema.Int),
  event_month: Schema.NullOr(Schema.Int),
  event_day: Schema.NullOr(Schema.Int),
  scheduler_run_id: Schema.NullOr(Schema.String),
  metadata: Schema.NullOr(Schema.String)
})

/** Every email_schedules row, decoded, in (contact, date, type) order. */
export const storedRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT id, contact_id, email_type, scheduled_send_date, status, skip_reason, priority, campaign_instance_id,
        event_year, event_month, event_day, scheduler_run_id, metadata
      FROM email_schedules ORDER BY contact_id, scheduled_send_date, email_type`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(StoredRow)))
  )
).pipe(Effect.orDie)

/** The stored plan as `contact type date status [reason] (priority)` lines. */
export const storedPlan = Effect.map(storedRows, (rows) =>
  rows.map(
    (r) =>
      `${r.contact_id} ${r.email_type} ${r.scheduled_send_date} ${
        r.status === "pre-scheduled" ? "pre" : r.status === "skipped" ? `skipped ${r.skip_reason}` : r.status
      }`
  )
)

export const runAsOf = (asOf: string, options: Partial<RunOptions> = {}) =>
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: {}, ...options })

/** Inserts rows into any table of the test database. */
export const seedTable = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(rows, (row) => sql`INSERT INTO ${sql(table)} ${sql.insert(row)}`, { discard: true })
  ).pipe(Effect.orDie)

const EnrollmentStatusRow = Schema.Struct({ id: Schema.Int, status: Schema.String })

/** `id status` of every enrollment, by id. */
export const enrollmentStatuses = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT id, status FROM contact_campaigns ORDER BY id`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(EnrollmentStatusRow))),
    Effect.map((rows) => rows.map((r) => `${r.id} ${r.status}`))
  )
).pipe(Effect.orDie)

/** A campaign type row with the defaults of spec §2.5. */
export const campaignType = (id: number, name: string, fields: Record<string, unknown> = {}) => ({
  id,
  name,
  respect_exclusion_windows: 1,
  enable_followups: 1,
  days_before_event: 0,
  target_all_contacts: 0,
  priority: 30,
  active: 1,
  spread_evenly: 0,
  skip_failed_underwriting: 0,
  ...fields
})

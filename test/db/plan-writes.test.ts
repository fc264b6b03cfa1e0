import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { EMAIL_SCHEDULE_COLUMNS } from "../../src/db/fast-rows.js"
import { planWriter } from "../../src/db/plan-writes.js"
import { EmailScheduleRow } from "../../src/domain/email.js"
import type { PlanRecord } from "../../src/plan/records.js"
import { DatabaseTest } from "../support/layers.js"
import { planRecord } from "../support/plan-record.js"

const record = planRecord

const Row = Schema.Struct({
  id: Schema.Int,
  status: Schema.String,
  skip_reason: Schema.NullOr(Schema.String),
  metadata: Schema.String,
  scheduler_run_id: Schema.String,
  updated_at: Schema.String
})

const rowsBy = (sql: SqlClient.SqlClient, status: string) =>
  sql`SELECT id, status, skip_reason, metadata, scheduler_run_id, updated_at FROM email_schedules
    WHERE status = ${status} ORDER BY id`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(Row))))

describe("planWriter: the smart update's writes (spec §12.3)", () => {
  it.effect("an update with the same status rewrites the rest, one with a new status rewrites it too", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO contacts (id, email) VALUES (1, 'a@x.io')`
      const first = yield* planWriter("run_1", "2026-11-29 01:00:00")
      yield* first.insert(record({}))
      yield* first.insert(record({ emailType: "aep", date: "2026-12-11" }))
      yield* first.flush
      const [birthday, aep] = yield* rowsBy(sql, "pre-scheduled")

      const second = yield* planWriter("run_2", "2026-11-30 01:00:00")
      // The status index is not touched when the status stays: the statement leaves it out.
      yield* second.update(birthday!, record({ metadata: '{"v":1,"x":2}' }))
      yield* second.update(
        aep!,
        record({ emailType: "aep", status: "skipped", skipReason: "year_round:CT", metadata: '{"v":1,"y":3}' })
      )
      yield* second.flush

      const [kept] = yield* rowsBy(sql, "pre-scheduled")
      assert.deepStrictEqual(kept, {
        id: birthday!.id,
        status: "pre-scheduled",
        skip_reason: null,
        metadata: '{"v":1,"x":2}',
        scheduler_run_id: "run_2",
        updated_at: "2026-11-30 01:00:00"
      })
      const [skipped] = yield* rowsBy(sql, "skipped")
      assert.deepStrictEqual(skipped, {
        id: aep!.id,
        status: "skipped",
        skip_reason: "year_round:CT",
        metadata: '{"v":1,"y":3}',
        scheduler_run_id: "run_2",
        updated_at: "2026-11-30 01:00:00"
      })
      const byIndex = yield* sql`SELECT count(*) AS n FROM email_schedules INDEXED BY
        idx_email_schedules_status_scheduled_send_date WHERE status = 'skipped' AND scheduled_send_date = '2026-12-11'`
      assert.deepStrictEqual(byIndex, [{ n: 1 }], "the status index finds the row under its new status")
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.effect(
    "updates sent 500 to a statement write every row's own values, in both forms; a row updated twice keeps the last",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO contacts (id, email) VALUES (1, 'a@x.io')`
        const rows = 1_234
        const first = yield* planWriter("run_1", "2026-11-29 01:00:00")
        const dateOf = (i: number) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10)
        const typeOf = (i: number) => (i % 2 === 0 ? "birthday" : "aep")
        for (let i = 0; i < rows; i++) yield* first.insert(record({ emailType: typeOf(i), date: dateOf(i) }))
        yield* first.flush
        const stored = yield* sql`SELECT id, status FROM email_schedules ORDER BY id`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ id: Schema.Int, status: Schema.String }))))
        )
        assert.strictEqual(stored.length, rows)

        // Every third row changes status (the second statement form); every row gets values of its own.
        const planned = (i: number): PlanRecord =>
          record({
            emailType: typeOf(i),
            date: dateOf(i),
            status: i % 3 === 0 ? "skipped" : "pre-scheduled",
            skipReason: i % 3 === 0 ? `reason_${i}` : null,
            priority: i,
            campaignInstanceId: i % 2 === 0 ? null : i,
            emailTemplate: `template_${i}`,
            smsTemplate: i % 5 === 0 ? null : `sms_${i}`,
            eventYear: 2000 + (i % 50),
            eventMonth: 1 + (i % 12),
            eventDay: 1 + (i % 28),
            time: `0${i % 10}:15:00`,
            metadata: `{"i":${i}}`
          })
        const second = yield* planWriter("run_2", "2026-11-30 01:00:00")
        for (const [i, row] of stored.entries()) yield* second.update(row, planned(i))
        // A row updated again before its statement is sent: the later values win, as if each update ran at once (in one
        // statement SQLite would leave the choice open, so the writer sends the first update before it takes this one).
        const last = rows - 1
        yield* second.update(stored[last]!, record({ ...planned(last), metadata: '{"again":1}', priority: -7 }))
        yield* second.flush

        const Written = EmailScheduleRow.pipe(Schema.extend(Schema.Struct({ updated_at: Schema.String })))
        const written = yield* sql`SELECT ${sql.literal(EMAIL_SCHEDULE_COLUMNS.join(", "))}, updated_at
          FROM email_schedules ORDER BY id`.pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(Written))))
        const expected = stored.map((row, i) => {
          const p = i === last ? { ...planned(last), metadata: '{"again":1}', priority: -7 } : planned(i)
          return {
            id: row.id,
            contact_id: 1,
            email_type: typeOf(i),
            scheduled_send_date: dateOf(i),
            scheduled_send_time: p.time,
            status: p.status,
            skip_reason: p.skipReason,
            priority: p.priority,
            campaign_instance_id: p.campaignInstanceId,
            email_template: p.emailTemplate,
            sms_template: p.smsTemplate,
            event_year: p.eventYear,
            event_month: p.eventMonth,
            event_day: p.eventDay,
            metadata: p.metadata,
            scheduler_run_id: "run_2",
            actual_send_datetime: null,
            updated_at: "2026-11-30 01:00:00"
          }
        })
        assert.deepStrictEqual(written, expected)
      }).pipe(Effect.provide(DatabaseTest))
  )
})

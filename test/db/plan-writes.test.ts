import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { planWriter } from "../../src/db/plan-writes.js"
import type { PlanRecord } from "../../src/plan/records.js"
import { DatabaseTest } from "../support/layers.js"

const record = (overrides: Partial<PlanRecord>): PlanRecord => ({
  contactId: 1,
  emailType: "birthday",
  date: "2026-12-10",
  time: "08:30:00",
  status: "pre-scheduled",
  skipReason: null,
  priority: 10,
  campaignInstanceId: null,
  emailTemplate: null,
  smsTemplate: null,
  eventYear: 2026,
  eventMonth: 12,
  eventDay: 24,
  metadata: '{"v":1}',
  ...overrides
})

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
      yield* first.flushInserts
      const [birthday, aep] = yield* rowsBy(sql, "pre-scheduled")

      const second = yield* planWriter("run_2", "2026-11-30 01:00:00")
      // The status index is not touched when the status stays: the statement leaves it out.
      yield* second.update(birthday!, record({ metadata: '{"v":1,"x":2}' }))
      yield* second.update(
        aep!,
        record({ emailType: "aep", status: "skipped", skipReason: "year_round:CT", metadata: '{"v":1,"y":3}' })
      )

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
})

import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { databaseFile } from "../../src/app/sqlite.js"
import { addDays } from "../../src/domain/dates.js"
import type { PlanRecord } from "../../src/scheduling/records.js"
import { runOnce } from "../../src/scheduling/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { referencePlan } from "../support/reference/reference-run.js"

const dir = useTempDir("reference")
const AS_OF = "2026-11-29"
/** A tight cap, a low effective-date limit and small batches: many rows move, across many batches. */
const FLAGS = { daily_send_percentage_cap: "2", ed_daily_soft_limit: "3", batch_size: "250" } as const

/** The rows the scheduler owns (not the sender's), in the reference's order, every column the run writes. */
const StoredPlanRow = Schema.Struct({
  contact_id: Schema.Int,
  email_type: Schema.String,
  scheduled_send_date: Schema.String,
  scheduled_send_time: Schema.String,
  status: Schema.String,
  skip_reason: Schema.NullOr(Schema.String),
  priority: Schema.Int,
  campaign_instance_id: Schema.NullOr(Schema.Int),
  email_template: Schema.NullOr(Schema.String),
  sms_template: Schema.NullOr(Schema.String),
  event_year: Schema.NullOr(Schema.Int),
  event_month: Schema.NullOr(Schema.Int),
  event_day: Schema.NullOr(Schema.Int),
  metadata: Schema.String
})

const storedPlan = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql`SELECT contact_id, email_type, scheduled_send_date, scheduled_send_time, status, skip_reason, priority,
        campaign_instance_id, email_template, sms_template, event_year, event_month, event_day, metadata
      FROM email_schedules WHERE status IN ('pre-scheduled', 'skipped')
      ORDER BY contact_id, email_type, scheduled_send_date`
).pipe(Effect.flatMap(Schema.decodeUnknown(Schema.Array(StoredPlanRow))), Effect.orDie)

const asRow = (r: PlanRecord): typeof StoredPlanRow.Type => ({
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
  metadata: r.metadata
})

describe("the optimised run against the straightforward reference (issue 6)", () => {
  it.effect(
    "stores exactly the reference plan, row for row and column for column, on a fresh run and on the next day",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "reference.sqlite", 4000, 3, AS_OF)
        const layer = databaseFile(path)
        for (const asOf of [AS_OF, addDays(AS_OF, 1), addDays(AS_OF, 45)]) {
          const reference = yield* referencePlan(asOf, FLAGS).pipe(Effect.provide(layer))
          const report = yield* runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS }).pipe(
            Effect.provide(layer)
          )
          const stored = yield* storedPlan.pipe(Effect.provide(layer))
          assert.isAbove(reference.moved, 500, `${asOf}: the reference moves rows, so balancing is compared too`)
          assert.strictEqual(report.plan.moved, reference.moved, asOf)
          assert.strictEqual(stored.length, reference.records.length, asOf)
          assert.deepStrictEqual(stored, reference.records.map(asRow), asOf)
        }
      }),
    120_000
  )
})

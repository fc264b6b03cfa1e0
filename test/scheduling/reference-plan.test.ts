import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { addDays } from "../../src/domain/dates.js"
import type { PlanRecord } from "../../src/plan/records.js"
import { lineHash, planLine } from "../../src/run/checksums.js"
import { runOnce } from "../../src/run/run.js"
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

const checksumOf = (records: ReadonlyArray<PlanRecord>) => {
  const hash = lineHash()
  for (const record of records) hash.add(planLine(record))
  return hash.hex()
}

const exec = (text: string) => Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(Effect.orDie)

/** Runs the optimised scheduler and checks the stored plan, the moves and the checksum against the reference. */
const runAndCompare = (layer: ReturnType<typeof runnableFile>, asOf: string, label: string) =>
  Effect.gen(function* () {
    const reference = yield* referencePlan(asOf, FLAGS).pipe(Effect.provide(layer))
    const report = yield* runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS }).pipe(Effect.provide(layer))
    const stored = yield* storedPlan.pipe(Effect.provide(layer))
    assert.isAbove(reference.moved, 500, `${label}: the reference moves rows, so balancing is compared too`)
    assert.strictEqual(report.plan.moved, reference.moved, label)
    assert.strictEqual(stored.length, reference.records.length, label)
    assert.deepStrictEqual(stored, reference.records.map(asRow), label)
    assert.strictEqual(report.checksums.plan, checksumOf(reference.records), `${label}: plan checksum`)
    return report
  })

describe("the optimised run against the straightforward reference (issue 6)", () => {
  it.effect(
    "stores exactly the reference plan, row for row and column for column, on a fresh run and on later days",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "reference.sqlite", 4000, 3, AS_OF)
        const layer = runnableFile(path)
        for (const asOf of [AS_OF, addDays(AS_OF, 1), addDays(AS_OF, 45)]) {
          const report = yield* runAndCompare(layer, asOf, asOf)
          assert.isBelow(report.batches.unchanged, report.batches.total, `${asOf}: something to write`)
        }
      }),
    120_000
  )

  it.effect(
    "with a sender in between, the next night stores the reference plan (held rows included)",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "sender.sqlite", 4000, 3, AS_OF)
        const layer = runnableFile(path)
        yield* runAndCompare(layer, AS_OF, "first night")
        for (const night of [1, 2]) {
          const today = addDays(AS_OF, night - 1)
          yield* exec(
            `UPDATE email_schedules SET status = 'sent', actual_send_datetime = '${today} 08:30:00'
              WHERE status = 'pre-scheduled' AND scheduled_send_date = '${today}'`
          ).pipe(Effect.provide(layer))
          yield* runAndCompare(layer, addDays(AS_OF, night), `night ${night} after the sender`)
        }
      }),
    120_000
  )

  it.effect(
    "a re-run skips the batches stored as planned, and rewrites exactly what changed since, as the reference plans it",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "rerun.sqlite", 4000, 3, AS_OF)
        const layer = runnableFile(path)
        yield* runAndCompare(layer, AS_OF, "first run")
        const again = yield* runAndCompare(layer, AS_OF, "unchanged re-run")
        assert.strictEqual(again.batches.unchanged, again.batches.total, "every batch is skipped")
        assert.deepStrictEqual([again.writes.inserted, again.writes.updated, again.writes.deleted], [0, 0, 0])
        assert.strictEqual(again.writes.unchanged, again.plan.rows)

        // Two changes the plan undoes without moving anything, in two batches (of 250 contacts): a skipped row
        // someone deleted, and a template someone edited.
        yield* exec(
          `DELETE FROM email_schedules WHERE id = (SELECT max(id) FROM email_schedules
            WHERE contact_id BETWEEN 3001 AND 3250 AND status = 'skipped')`
        ).pipe(Effect.provide(layer))
        yield* exec(
          `UPDATE email_schedules SET email_template = 'edited by hand' WHERE id = (SELECT min(id) FROM email_schedules
            WHERE contact_id BETWEEN 501 AND 750 AND status = 'pre-scheduled')`
        ).pipe(Effect.provide(layer))
        const repaired = yield* runAndCompare(layer, AS_OF, "re-run after local changes")
        assert.strictEqual(repaired.batches.unchanged, repaired.batches.total - 2, "only the two batches are rewritten")
        assert.deepStrictEqual([repaired.writes.inserted, repaired.writes.updated, repaired.writes.deleted], [1, 1, 0])

        // A change that moves the cap's cascade (a new birthday, a row the sender took): every batch may change.
        yield* exec("UPDATE contacts SET birth_date = '1957-12-20' WHERE id = 30").pipe(Effect.provide(layer))
        yield* exec(
          `UPDATE email_schedules SET status = 'sent', actual_send_datetime = '2026-11-29 08:30:00'
            WHERE id = (SELECT min(id) FROM email_schedules WHERE contact_id BETWEEN 3001 AND 3250
              AND status = 'pre-scheduled' AND scheduled_send_date = '2026-11-29')`
        ).pipe(Effect.provide(layer))
        const changed = yield* runAndCompare(layer, AS_OF, "re-run after changes that move rows")
        assert.isAbove(changed.writes.inserted + changed.writes.updated + changed.writes.deleted, 0)
      }),
    120_000
  )
})

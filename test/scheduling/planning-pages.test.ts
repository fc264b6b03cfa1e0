import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("planning-pages")
const AS_OF = "2026-11-29"

const run = (path: string, batchSize: string) =>
  runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: { batch_size: batchSize } }).pipe(
    Effect.provide(runnableFile(path))
  )

const exec = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(Effect.provide(runnableFile(path)), Effect.orDie)

/** Every column the run writes, as text, in a fixed order. */
const planRows = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe(`SELECT id, contact_id, email_type, scheduled_send_date, scheduled_send_time, status, skip_reason,
      priority, campaign_instance_id, email_template, sms_template, event_year, event_month, event_day, metadata
      FROM email_schedules ORDER BY contact_id, email_type, scheduled_send_date, id`)
  ).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))),
    Effect.map((rows) => rows.map((row) => JSON.stringify({ ...row, id: row.contact_id === 5001 ? row.id : 0 }))),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

/**
 * Contact 5001 is malformed and owns an undecodable stored row and a malformed event: with 5,600 contacts in one
 * batch, pass 1 reads related rows a page of 1,000 contacts at a time, and 5001 sits just past the fifth page.
 */
const damageAtThePageBoundary = (path: string) =>
  Effect.forEach(
    [
      "UPDATE contacts SET zip_code = x'3735323031' WHERE id = 5001",
      `INSERT INTO email_schedules (id, contact_id, email_type, scheduled_send_date, status, priority)
        VALUES (900001, 5001, 'aep', '2026-12-01', 'pre-scheduled', 'high')`,
      `INSERT INTO contact_events (contact_id, event_type, metadata, created_at)
        VALUES (5001, 'eligibility_answered', '{}', x'00')`
    ],
    (statement) => exec(path, statement)
  )

describe("pass 1 reads a batch's related rows a page of contacts at a time (issue 11's memory)", () => {
  it.live(
    "one batch of 5,600 contacts plans exactly what batches of 700 plan, malformed rows at the page edge included",
    () =>
      Effect.gen(function* () {
        const paged = yield* generatedCopy(dir, "paged.sqlite", 5600, 8, AS_OF)
        const small = yield* generatedCopy(dir, "small.sqlite", 5600, 8, AS_OF)
        yield* damageAtThePageBoundary(paged)
        yield* damageAtThePageBoundary(small)

        const one = yield* run(paged, "10000")
        const many = yield* run(small, "700")
        assert.strictEqual(one.batches.total, 1)
        assert.strictEqual(many.batches.total, 8)

        assert.strictEqual(one.contacts.malformed.count, 1)
        assert.strictEqual(String(one.contacts.malformed.sample[0]?.id), "5001")
        assert.strictEqual(one.malformedRows.count, many.malformedRows.count)
        assert.sameMembers(
          one.malformedRows.sample.map((row) => `${row.table} ${row.id}`),
          many.malformedRows.sample.map((row) => `${row.table} ${row.id}`)
        )
        assert.include(
          one.malformedRows.sample.map((row) => `${row.table} ${row.id}`),
          "email_schedules 900001"
        )
        assert.strictEqual(one.checksums.plan, many.checksums.plan)
        assert.strictEqual(one.checksums.contacts, many.checksums.contacts)
        assert.strictEqual(one.plan.rows, many.plan.rows)
        assert.isAbove(one.writes.inserted, 10_000)

        const rows = yield* planRows(paged)
        assert.deepStrictEqual(rows, yield* planRows(small), "every written column of every row")
        const untouched = rows.filter((row) => row.includes('"id":900001'))
        assert.lengthOf(untouched, 1, "the undecodable row is left as it was")
        assert.include(untouched[0], '"priority":"high"')
      })
  )
})

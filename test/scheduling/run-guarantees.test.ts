import { readFileSync } from "node:fs"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("guarantees")
const AS_OF = "2026-11-29"

const run = (path: string, asOf: string, flags: Record<string, string> = {}, dryRun = false) =>
  runOnce({ asOf: Option.some(asOf), dryRun, flags }).pipe(Effect.provide(runnableFile(path)))

const query = <A, I>(path: string, schema: Schema.Schema<A, I>, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(schema))),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

const exec = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(Effect.provide(runnableFile(path)), Effect.orDie)

const Checkpoint = Schema.Struct({
  run_id: Schema.String,
  status: Schema.String,
  plan_checksum: Schema.NullOr(Schema.String),
  config_checksum: Schema.NullOr(Schema.String),
  contacts_checksum: Schema.NullOr(Schema.String),
  rows_inserted: Schema.NullOr(Schema.Int),
  rows_unchanged: Schema.NullOr(Schema.Int),
  error: Schema.NullOr(Schema.String),
  details: Schema.NullOr(Schema.String)
})
const checkpoints = (path: string) => query(path, Checkpoint, "SELECT * FROM scheduler_checkpoints ORDER BY id")

/** Every column of every email row, as text, for byte-level comparisons. */
const EmailRow = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const allRows = (path: string, where = "1 = 1") =>
  query(path, EmailRow, `SELECT * FROM email_schedules WHERE ${where} ORDER BY id`).pipe(
    Effect.map((rows) => rows.map((r) => JSON.stringify(r)))
  )

describe("run guarantees on a generated organization (real SQLite files)", () => {
  it.effect(
    "a second run with the same as-of changes nothing, keeps every run id, and has the same plan checksum",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "idempotent.sqlite", 3000, 5, AS_OF)
        const first = yield* run(path, AS_OF)
        const rowsAfterFirst = yield* allRows(path)
        const second = yield* run(path, AS_OF)
        assert.isAbove(first.writes.inserted, 5000)
        assert.deepStrictEqual([second.writes.inserted, second.writes.updated, second.writes.deleted], [0, 0, 0])
        assert.strictEqual(second.writes.unchanged, second.plan.rows)
        assert.strictEqual(second.writes.contactCampaignsUpdated, 0)
        assert.deepStrictEqual(yield* allRows(path), rowsAfterFirst, "every column of every row, run ids included")
        const [a, b] = yield* checkpoints(path)
        assert.deepStrictEqual([a!.status, b!.status], ["completed", "completed"])
        assert.strictEqual(a!.plan_checksum, b!.plan_checksum)
        assert.strictEqual(a!.config_checksum, b!.config_checksum)
        assert.strictEqual(a!.contacts_checksum, b!.contacts_checksum)
        assert.match(a!.plan_checksum!, /^[0-9a-f]{64}$/)
        assert.strictEqual(first.checksums.plan, a!.plan_checksum)
        const details = JSON.parse(a!.details!)
        assert.deepStrictEqual(Object.keys(details.profile), ["N", "daily_cap", "threshold", "ed_soft_limit", "W"])
        assert.strictEqual(details.invalid_email.count, first.contacts.issues.invalid_email.count)
        assert.strictEqual(details.report.runId, first.runId)
      })
  )

  it.effect(
    "a sent row dated with a time, or with no date at all, and no actual send time is dated by its date part or not at all: the run does not fail",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "sent-dates.sqlite", 400, 5, AS_OF)
        yield* run(path, AS_OF)
        // Written by another sender: a send date with a time (spec §2.4 wants the date alone), and one that is no date,
        // on contacts with pre-scheduled rows (balanced, so their handled keys are read) and on campaign rows
        // (follow-up parents, dated by their send date, spec §8.1).
        yield* exec(
          path,
          `UPDATE email_schedules SET status = 'sent', actual_send_datetime = NULL,
             scheduled_send_date = CASE WHEN id % 3 = 0 THEN 'soon' ELSE scheduled_send_date || ' 10:00:00' END
           WHERE id IN (SELECT min(id) FROM email_schedules WHERE status = 'pre-scheduled'
             AND scheduled_send_date <= '2026-12-01' GROUP BY contact_id LIMIT 60)`
        )
        const sent = yield* allRows(path, "status = 'sent'")
        assert.isAbove(sent.length, 30)
        assert.isTrue(
          sent.some((row) => row.includes('"campaign_')),
          "campaign rows (follow-up parents) are among them"
        )
        const report = yield* run(path, "2026-11-30")
        assert.strictEqual(report.status, "completed")
        assert.deepStrictEqual(yield* allRows(path, "status = 'sent'"), sent, "the sender's rows are kept as they are")
      }),
    { timeout: 60_000 }
  )

  it.effect("rows the sender owns are never changed, and rows of absent contacts are kept", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "handled.sqlite", 3000, 5, AS_OF)
      yield* run(path, AS_OF)
      // The sender takes over some planned rows; an absent contact has rows of its own.
      yield* exec(
        path,
        `UPDATE email_schedules SET status = CASE id % 4 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'processing'
        WHEN 2 THEN 'sent' ELSE 'delivered' END, actual_send_datetime = CASE WHEN id % 4 >= 2 THEN '2026-11-29 08:30:00' END
        WHERE id % 7 = 0 AND status = 'pre-scheduled'`
      )
      yield* exec(
        path,
        `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status)
        VALUES (99999999, 'aep', '2027-09-15', 'pre-scheduled'), (99999999, 'birthday', '2027-01-01', 'skipped')`
      )
      const owned = yield* allRows(path, "status NOT IN ('pre-scheduled', 'skipped') OR contact_id = 99999999")
      assert.isAbove(owned.length, 100)
      const report = yield* run(path, "2026-12-05")
      assert.isAbove(report.writes.inserted + report.writes.deleted, 0, "the later run does change other rows")
      assert.includeMembers(
        yield* allRows(path, "status NOT IN ('pre-scheduled', 'skipped') OR contact_id = 99999999"),
        owned
      )
    })
  )

  it.effect(
    "a failure in the third batch leaves committed batches, marks the checkpoint failed; the next run completes",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "failure.sqlite", 3000, 5, AS_OF)
        const reference = yield* generatedCopy(dir, "reference.sqlite", 3000, 5, AS_OF)
        const flags = { batch_size: "500" }
        // A real SQLite failure: inserting any row for a contact of the third batch (ids 1001–1500) aborts.
        yield* exec(
          path,
          `CREATE TRIGGER injected_failure BEFORE INSERT ON email_schedules WHEN NEW.contact_id BETWEEN 1001 AND 1500
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
        )
        const failed = yield* Effect.exit(run(path, AS_OF, flags))
        assert.isTrue(Exit.isFailure(failed))
        const [checkpoint] = yield* checkpoints(path)
        assert.strictEqual(checkpoint!.status, "failed")
        assert.match(checkpoint!.error!, /injected failure/)
        const Count = Schema.Struct({ n: Schema.Int })
        const count = (where: string) =>
          Effect.map(
            query(
              path,
              Count,
              `SELECT count(*) AS n FROM email_schedules WHERE scheduler_run_id IS NOT NULL AND ${where}`
            ),
            ([r]) => r!.n
          )
        assert.isAbove(yield* count("contact_id <= 1000"), 1000, "batches 1 and 2 are committed")
        assert.strictEqual(yield* count("contact_id > 1000"), 0, "the failed batch and the ones after it wrote nothing")

        yield* exec(path, "DROP TRIGGER injected_failure")
        const repaired = yield* run(path, AS_OF, flags)
        const clean = yield* run(reference, AS_OF, flags)
        assert.strictEqual(repaired.checksums.plan, clean.checksums.plan, "the next run completes the work")
        const strip = (rows: ReadonlyArray<string>) =>
          rows
            .map((r) =>
              JSON.stringify({ ...JSON.parse(r), id: 0, scheduler_run_id: "", created_at: "", updated_at: "" })
            )
            .sort()
        assert.deepStrictEqual(strip(yield* allRows(path)), strip(yield* allRows(reference)))
        const statuses = (yield* checkpoints(path)).map((c) => c.status)
        assert.deepStrictEqual(statuses, ["failed", "completed"])
      })
  )

  it.effect("a failure while planning, before the first write, is still recorded as a failed checkpoint", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "planning-failure.sqlite", 2000, 5, AS_OF)
      const failing = runOnce({
        asOf: Option.some(AS_OF),
        dryRun: false,
        flags: {},
        onProgress: (phase) => {
          if (phase === "Planning") throw new Error("the progress display broke")
        }
      }).pipe(Effect.provide(runnableFile(path)))
      assert.isTrue(Exit.isFailure(yield* Effect.exit(failing)))
      const rows = yield* checkpoints(path)
      assert.deepStrictEqual(
        rows.map((row) => row.status),
        ["failed"]
      )
      assert.match(rows[0]!.error!, /the progress display broke/)
      assert.strictEqual(
        yield* query(
          path,
          Schema.Struct({ n: Schema.Int }),
          "SELECT count(*) AS n FROM email_schedules WHERE scheduler_run_id IS NOT NULL"
        ).pipe(Effect.map(([row]) => row!.n)),
        0
      )
    })
  )

  it.effect("--dry-run writes nothing, not even a checkpoint, and reports what a run would change", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "dry.sqlite", 3000, 5, AS_OF)
      yield* run(path, AS_OF)
      const before = readFileSync(path)
      const dry = yield* run(path, "2026-12-03", {}, true)
      assert.isTrue(readFileSync(path).equals(before))
      assert.strictEqual((yield* checkpoints(path)).length, 1)
      const real = yield* run(path, "2026-12-03")
      assert.deepStrictEqual(
        [dry.writes.inserted, dry.writes.updated, dry.writes.deleted, dry.writes.unchanged],
        [real.writes.inserted, real.writes.updated, real.writes.deleted, real.writes.unchanged]
      )
      assert.strictEqual(dry.checksums.plan, real.checksums.plan)
    })
  )
})

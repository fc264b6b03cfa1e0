import { readFileSync } from "node:fs"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { type RunReport, runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("rerun")
const AS_OF = "2026-11-29"

const run = (
  path: string,
  options: {
    asOf?: string
    flags?: Record<string, string>
    dryRun?: boolean
    onProgress?: (phase: string) => void
    writeThread?: boolean
  } = {}
) =>
  runOnce({
    asOf: Option.some(options.asOf ?? AS_OF),
    dryRun: options.dryRun ?? false,
    flags: options.flags ?? {},
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.writeThread === undefined ? {} : { writeThread: options.writeThread })
  }).pipe(Effect.provide(runnableFile(path)))

const exec = (path: string, text: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)).pipe(Effect.provide(runnableFile(path)), Effect.orDie)

const Version = Schema.Struct({ data_version: Schema.NullOr(Schema.Int), status: Schema.String })
const lastCheckpoint = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT data_version, status FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1`.pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.Tuple(Version)))
    )
  ).pipe(
    Effect.map(([row]) => row),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

const rowsOf = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const rows = db.prepare("SELECT * FROM email_schedules ORDER BY id").all()
  db.close()
  return JSON.stringify(rows)
}

const assertSamePlan = (again: RunReport, first: RunReport) => {
  assert.deepStrictEqual([again.writes.inserted, again.writes.updated, again.writes.deleted], [0, 0, 0])
  assert.strictEqual(again.writes.unchanged, first.plan.rows)
  assert.deepStrictEqual(again.checksums, first.checksums)
  assert.deepStrictEqual(again.plan, first.plan)
  assert.deepStrictEqual(again.contacts, first.contacts)
  assert.deepStrictEqual(again.dailyVolume, first.dailyVolume)
}

/**
 * A run on the generated copy after a contact change, during which another program's connection makes `write` once,
 * when the run starts writing (after its first batch): pass 1 planned every later batch before that write. Returns the
 * run's report and what `write` returned (a row id).
 */
const runWithWriteBetweenPasses = (
  path: string,
  flags: Record<string, string>,
  writeThread: boolean,
  write: (other: BetterSqlite3.Database) => number
) =>
  Effect.gen(function* () {
    yield* exec(path, "UPDATE contacts SET first_name = 'Renamed' WHERE id = 5")
    let written: number | undefined
    const report = yield* run(path, {
      flags,
      writeThread,
      onProgress: (phase) => {
        if (written !== undefined || phase !== "Writing") return
        const other = new BetterSqlite3(path)
        written = write(other)
        other.close()
      }
    })
    return { report, written: written ?? -1 }
  })

describe("a re-run with nothing changed reuses the stored plan (issue 11, spec §12.4)", () => {
  it.effect("reuses it when nothing changed; plans in full, and changes nothing, after an unrelated change", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "reuse.sqlite", 2000, 7, AS_OF)
      const first = yield* run(path)
      assert.isFalse(first.reused)
      const rows = rowsOf(path)
      const again = yield* run(path)
      assert.isTrue(again.reused, "nothing changed: the stored plan is this run's")
      assertSamePlan(again, first)
      assert.strictEqual(rowsOf(path), rows, "every column of every row, run ids included")
      assert.strictEqual((yield* lastCheckpoint(path)).status, "completed")

      // A change that does not alter any plan still makes the next run plan in full; that run changes nothing.
      yield* exec(path, "UPDATE contacts SET first_name = 'Renamed' WHERE id = 5")
      const full = yield* run(path)
      assert.isFalse(full.reused)
      assertSamePlan(full, first)
      assert.strictEqual(rowsOf(path), rows)
      assert.isTrue((yield* run(path)).reused, "and the run after it reuses again")
    })
  )

  it.effect("plans in full after a sent email, a contact change, another day, other settings or a dry run", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "changes.sqlite", 2000, 7, AS_OF)
      yield* run(path)
      yield* exec(
        path,
        `UPDATE email_schedules SET status = 'sent', actual_send_datetime = '${AS_OF} 08:30:00'
          WHERE id = (SELECT min(id) FROM email_schedules WHERE status = 'pre-scheduled' AND scheduled_send_date = '${AS_OF}')`
      )
      assert.isFalse((yield* run(path)).reused, "the sender sent an email")
      yield* exec(path, "UPDATE contacts SET birth_date = '1951-12-24' WHERE id = 11")
      assert.isFalse((yield* run(path)).reused, "a contact changed")
      assert.isTrue((yield* run(path)).reused)
      assert.isFalse((yield* run(path, { asOf: "2026-11-30" })).reused, "another day")
      assert.isFalse((yield* run(path, { asOf: "2026-11-30", flags: { birthday_days_before: "10" } })).reused)
      const before = readFileSync(path)
      const dry = yield* run(path, { asOf: "2026-11-30", flags: { birthday_days_before: "10" }, dryRun: true })
      assert.isTrue(dry.reused, "a dry run may reuse too")
      assert.isTrue(readFileSync(path).equals(before), "and writes nothing")
    })
  )

  it.effect("never reuses when a change-tracking trigger is gone, or after a run that failed", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "untracked.sqlite", 2000, 7, AS_OF)
      yield* run(path)
      yield* exec(path, "DROP TRIGGER email_scheduler_changed_contacts_update")
      const untracked = yield* run(path)
      assert.isFalse(untracked.reused)
      assert.isNull((yield* lastCheckpoint(path)).data_version, "nothing is recorded without every trigger")
      assert.isFalse((yield* run(path)).reused)

      const other = yield* generatedCopy(dir, "failed.sqlite", 2000, 7, AS_OF)
      yield* run(other)
      yield* exec(
        other,
        `CREATE TRIGGER injected_failure BEFORE INSERT ON email_schedules
          BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
      )
      yield* exec(other, "UPDATE contacts SET birth_date = '1951-12-24' WHERE id = 11")
      yield* Effect.exit(run(other))
      yield* exec(other, "DROP TRIGGER injected_failure")
      assert.strictEqual((yield* lastCheckpoint(other)).status, "failed")
      assert.isFalse((yield* run(other)).reused, "the last run failed: plan in full")
    })
  )

  it.effect(
    "a row someone else writes as the scheduler writes its own is seen: the next run plans in full and repairs it",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "lookalike.sqlite", 2000, 7, AS_OF)
        const first = yield* run(path)
        const rows = rowsOf(path)
        // A pre-scheduled row with a run id, inserted by another program (an older scheduler, a restored backup): the
        // plan has no such row, so the smart update deletes it (spec §12.3).
        yield* exec(
          path,
          `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, scheduled_send_time, status, priority,
            scheduler_run_id, metadata, created_at, updated_at)
          VALUES (5, 'birthday', '2027-09-09', '08:30:00', 'pre-scheduled', 10, 'run_someone_else', '{}',
            '${AS_OF} 00:00:00', '${AS_OF} 00:00:00')`
        )
        const afterInsert = yield* run(path)
        assert.isFalse(afterInsert.reused, "an inserted look-alike row is a change")
        assert.deepStrictEqual(
          [afterInsert.writes.inserted, afterInsert.writes.updated, afterInsert.writes.deleted],
          [0, 0, 1]
        )
        assert.strictEqual(rowsOf(path), rows)

        // The same for an update that sets the scheduler's statuses and a new run id, as a run's own update does.
        yield* exec(
          path,
          `UPDATE email_schedules SET scheduled_send_time = '09:00:00', scheduler_run_id = 'run_someone_else'
          WHERE id = (SELECT min(id) FROM email_schedules WHERE status = 'pre-scheduled')`
        )
        const afterUpdate = yield* run(path)
        assert.isFalse(afterUpdate.reused, "a look-alike update is a change")
        assert.deepStrictEqual(
          [afterUpdate.writes.inserted, afterUpdate.writes.updated, afterUpdate.writes.deleted],
          [0, 1, 0]
        )
        assert.deepStrictEqual(afterUpdate.checksums.plan, first.checksums.plan)
        assert.isTrue((yield* run(path)).reused, "and the run after the repair reuses again")
      })
  )

  it.effect.each([false, true])(
    "a look-alike row someone else inserts between the passes is seen by the batch that holds it (write thread: %s)",
    (writeThread) =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, `lookalike-between-${writeThread}.sqlite`, 2000, 7, AS_OF)
        const flags = { batch_size: "500" }
        yield* run(path, { flags })
        // A row for a contact of the last batch, with the scheduler's status and a run id.
        const { report, written: inserted } = yield* runWithWriteBetweenPasses(path, flags, writeThread, (other) =>
          Number(
            other
              .prepare(
                `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, scheduled_send_time, status,
                    priority, scheduler_run_id, metadata, created_at, updated_at)
                  VALUES (1990, 'birthday', '2027-09-09', '08:30:00', 'pre-scheduled', 10, 'run_someone_else', '{}',
                    '${AS_OF} 00:00:00', '${AS_OF} 00:00:00')`
              )
              .run().lastInsertRowid
          )
        )
        assert.isAbove(inserted, 0)
        assert.isFalse(report.reused)
        assert.isAtLeast(report.batches.keysReadAgain, 1, "the batches after the insert read their keys again")
        const db = new BetterSqlite3(path, { readonly: true })
        assert.isUndefined(
          db.prepare("SELECT id FROM email_schedules WHERE id = ?").get(inserted),
          "the plan has no such row: the batch deleted it"
        )
        db.close()
        const again = yield* run(path, { flags, dryRun: true })
        assert.deepStrictEqual([again.writes.inserted, again.writes.updated, again.writes.deleted], [0, 0, 0])
      })
  )

  it.effect("a write by someone else during a run is not mistaken for the run's own: the next run plans in full", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "concurrent.sqlite", 2000, 7, AS_OF)
      let wrote = false
      yield* run(path, {
        flags: { batch_size: "500" },
        onProgress: () => {
          if (wrote) return
          // Another connection (the sender, say) writes between two batches of the run.
          const other = new BetterSqlite3(path)
          other.prepare("UPDATE contacts SET zip_code = '75201' WHERE id = 1999").run()
          other.close()
          wrote = true
        }
      })
      assert.isTrue(wrote)
      assert.isNull((yield* lastCheckpoint(path)).data_version)
      assert.isFalse((yield* run(path, { flags: { batch_size: "500" } })).reused)
    })
  )

  it.effect.each([false, true])(
    "a contact whose rows the sender changed between the passes is planned again, and its sent row kept (write thread: %s)",
    (writeThread) =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, `between-${writeThread}.sqlite`, 2000, 7, AS_OF)
        const flags = { batch_size: "500" }
        const first = yield* run(path, { flags })
        assert.strictEqual(first.batches.keysReadAgain, 0)
        // The sender sends a row of a contact in the last batch.
        const { report, written: sentId } = yield* runWithWriteBetweenPasses(path, flags, writeThread, (sender) => {
          const row = sender
            .prepare(
              `SELECT id FROM email_schedules WHERE contact_id > 1600 AND status = 'pre-scheduled'
                ORDER BY scheduled_send_date, id LIMIT 1`
            )
            .pluck()
            .get()
          const id = typeof row === "number" ? row : -1
          sender.prepare("UPDATE email_schedules SET status = 'sent' WHERE id = ?").run(id)
          return id
        })
        assert.isAbove(sentId, 0)
        assert.isFalse(report.reused)
        // The batches written before the sender's write trusted their keys as pass 1 staged them: the first one alone
        // on the run's thread; on the write thread, those it committed before (it writes a batch while the run prepares
        // the next). Every later batch read them again.
        if (writeThread) {
          assert.isAtLeast(report.batches.keysReadAgain, 1)
          assert.strictEqual(report.batches.keysReadAgain + report.batches.writtenByThread, report.batches.total)
        } else assert.strictEqual(report.batches.keysReadAgain, report.batches.total - 1)
        const db = new BetterSqlite3(path, { readonly: true })
        assert.strictEqual(db.prepare("SELECT status FROM email_schedules WHERE id = ?").pluck().get(sentId), "sent")
        db.close()
        // The contact was written as a plan made with the sent row: planning again changes nothing.
        const again = yield* run(path, { flags, dryRun: true })
        assert.isFalse(again.reused)
        assert.deepStrictEqual([again.writes.inserted, again.writes.updated, again.writes.deleted], [0, 0, 0])
        // Its checksum lines are those of its new rows, in its place among the others.
        assert.strictEqual(report.checksums.plan, again.checksums.plan)
      })
  )
})

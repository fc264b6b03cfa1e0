import { existsSync } from "node:fs"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Exit, Option, Schema } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { type RunOptions, runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("rollback-journal")
const AS_OF = "2026-11-29"
const FLAGS = { batch_size: "300" }

/** The journal mode another connection finds the file in: `wal` is recorded in the file, any other mode is not. */
const journalSeenBy = (path: string): string => {
  const db = new BetterSqlite3(path, { readonly: true, timeout: 10_000 })
  try {
    return String(db.pragma("journal_mode", { simple: true }))
  } finally {
    db.close()
  }
}

/** Runs a day on the file, noting the journal mode another connection sees each time a batch is written. */
const runNoting = (path: string, seen: Array<string>, options: Partial<RunOptions> = {}) =>
  runOnce({
    asOf: Option.some(AS_OF),
    dryRun: false,
    flags: FLAGS,
    onProgress: (phase, done) => {
      if (phase === "Writing" && done > 0) seen.push(journalSeenBy(path))
    },
    ...options
  }).pipe(Effect.provide(runnableFile(path)))

const EmailRow = Schema.Record({ key: Schema.String, value: Schema.Unknown })
/** Every email row without the columns that differ between two runs (id order is contact and plan order). */
const rowsOf = (path: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe("SELECT * FROM email_schedules ORDER BY contact_id, email_type, scheduled_send_date")
  ).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(EmailRow))),
    Effect.map((rows) =>
      rows.map((row) => JSON.stringify({ ...row, id: 0, scheduler_run_id: "", created_at: "", updated_at: "" }))
    ),
    Effect.provide(runnableFile(path)),
    Effect.orDie
  )

describe("a first run writes with a rollback journal when it has the file to itself (issue 11)", () => {
  it.effect("its batches go through a rollback journal, and the file is in WAL mode again afterwards", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "alone.sqlite", 1200, 3, AS_OF)
      const seen: Array<string> = []
      const report = yield* runNoting(path, seen)
      assert.isAbove(report.writes.inserted, 1000)
      assert.isAtLeast(seen.length, 3)
      assert.deepStrictEqual([...new Set(seen)], ["delete"], "no batch was written under the write-ahead log")
      assert.strictEqual(journalSeenBy(path), "wal")
      assert.isFalse(existsSync(`${path}-journal`), "no journal file is left behind")

      // A night changes existing pages, which either journal writes twice: it keeps the log.
      const night: Array<string> = []
      yield* runNoting(path, night, { asOf: Option.some("2026-11-30") })
      assert.deepStrictEqual([...new Set(night)], ["wal"])
    })
  )

  it.effect("with another connection holding the file open it keeps the log at once, and writes the same rows", () =>
    Effect.gen(function* () {
      const alone = yield* generatedCopy(dir, "alone-reference.sqlite", 1200, 3, AS_OF)
      const shared = yield* generatedCopy(dir, "shared.sqlite", 1200, 3, AS_OF)
      yield* runNoting(alone, [])
      // A sender that has the file open in WAL mode: the switch would need the file to itself.
      const sender = new BetterSqlite3(shared)
      sender.pragma("journal_mode = WAL")
      sender.prepare("SELECT count(*) FROM contacts").get()
      const seen: Array<string> = []
      const started = performance.now()
      const exit = yield* Effect.exit(runNoting(shared, seen))
      const seconds = (performance.now() - started) / 1000
      sender.close()
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual([...new Set(seen)], ["wal"])
      // The switch does not wait for the other connection (the run's busy timeout is 10 s).
      assert.isBelow(seconds, 10)
      assert.deepStrictEqual(yield* rowsOf(shared), yield* rowsOf(alone))
    })
  )

  it.effect(
    "a write that fails half-way leaves the committed batches and the file in WAL mode; the next run completes",
    () =>
      Effect.gen(function* () {
        const path = yield* generatedCopy(dir, "failure.sqlite", 1200, 3, AS_OF)
        const reference = yield* generatedCopy(dir, "failure-reference.sqlite", 1200, 3, AS_OF)
        const db = new BetterSqlite3(path)
        // A real SQLite failure in the third batch (contacts 601–900).
        db.exec(`CREATE TRIGGER injected_failure BEFORE INSERT ON email_schedules WHEN NEW.contact_id BETWEEN 601 AND 900
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
        db.close()
        const seen: Array<string> = []
        const failed = yield* Effect.exit(runNoting(path, seen))
        assert.isTrue(Exit.isFailure(failed))
        assert.deepStrictEqual([...new Set(seen)], ["delete"])
        assert.strictEqual(journalSeenBy(path), "wal")
        const check = new BetterSqlite3(path, { readonly: true })
        const integrity = check.pragma("integrity_check", { simple: true })
        const written = check
          .prepare<[], { first: number; last: number }>(
            "SELECT min(contact_id) AS first, max(contact_id) AS last FROM email_schedules WHERE scheduler_run_id IS NOT NULL"
          )
          .get()
        check.close()
        assert.strictEqual(integrity, "ok")
        assert.strictEqual(written?.first, 1)
        assert.isTrue(
          (written?.last ?? 0) > 300 && (written?.last ?? 0) <= 600,
          "batches 1 and 2 committed, not the third"
        )

        const repair = new BetterSqlite3(path)
        repair.exec("DROP TRIGGER injected_failure")
        repair.close()
        yield* runNoting(path, [])
        yield* runNoting(reference, [])
        assert.deepStrictEqual(yield* rowsOf(path), yield* rowsOf(reference))
      })
  )
})

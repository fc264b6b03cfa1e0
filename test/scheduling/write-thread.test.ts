import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import type { RunReport } from "../../src/run/run.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("write-thread-runs")
const AS_OF = "2026-11-29"
const RUN_ID = "run_20261129T000000Z_00c0ffee"
/** 3,000 contacts in batches of 400: eight batches. */
const FLAGS = { batch_size: "400" }

const run = (path: string, writeThread: boolean, runId = RUN_ID, asOf = AS_OF) =>
  runOnce({ asOf: Option.some(asOf), dryRun: false, flags: FLAGS, runId, writeThread }).pipe(
    Effect.provide(runnableFile(path))
  )

/** Everything a report says but what differs between any two runs (times) and who wrote the batches. */
const planned = (report: RunReport) => ({
  contacts: report.contacts,
  plan: report.plan,
  writes: report.writes,
  batches: { ...report.batches, writtenByThread: 0 },
  warnings: report.warnings,
  dailyVolume: report.dailyVolume,
  checksums: report.checksums
})

/** Every column of every email row (ids, run ids and timestamps included) and of every enrollment, as text. */
const contents = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const all = (table: string) =>
    db
      .prepare(`SELECT * FROM ${table} ORDER BY id`)
      .raw()
      .all()
      .map((row) => JSON.stringify(row))
  const result = {
    rows: all("email_schedules"),
    enrollments: all("contact_campaigns"),
    version: all("email_scheduler_changes")
  }
  db.close()
  return result
}

const exec = (path: string, statement: string) => {
  const db = new BetterSqlite3(path)
  db.exec(statement)
  db.close()
}

/**
 * Runs a run on two copies of the same database, with and without the write thread: they must agree. The test clock
 * makes both runs' timestamps the same.
 */
const bothWays = <E>(name: string, prepare: (path: string) => Effect.Effect<void, E>, asOf = AS_OF) =>
  Effect.gen(function* () {
    const threaded = yield* generatedCopy(dir, `${name}-thread.sqlite`, 3000, 5, AS_OF)
    const alone = yield* generatedCopy(dir, `${name}-alone.sqlite`, 3000, 5, AS_OF)
    yield* prepare(threaded)
    yield* prepare(alone)
    const byThread = yield* run(threaded, true, RUN_ID, asOf)
    const byOne = yield* run(alone, false, RUN_ID, asOf)
    assert.strictEqual(byThread.batches.total, 8)
    assert.strictEqual(byOne.batches.writtenByThread, 0)
    assert.deepStrictEqual(planned(byThread), planned(byOne))
    assert.deepStrictEqual(contents(threaded), contents(alone))
    return byThread
  })

describe("a run's batches written by a thread of their own (issue 11)", () => {
  it.effect("write exactly what the run's own thread writes, row for row, ids and enrollments included", () =>
    Effect.gen(function* () {
      const report = yield* bothWays("plain", () => Effect.void)
      assert.strictEqual(report.batches.writtenByThread, 8)
      assert.isAbove(report.writes.inserted, 10_000)
      assert.isAbove(report.writes.contactCampaignsUpdated, 0)
    })
  )

  it.effect("a batch with rows of an earlier run is written by the thread too, beside batches of new rows", () =>
    Effect.gen(function* () {
      // Only the first batch's contacts keep the rows of a run before (as if the others came later).
      const report = yield* bothWays("earlier", (path) =>
        Effect.andThen(run(path, false, "run_20261129T000000Z_0000beef"), () =>
          exec(path, "DELETE FROM email_schedules WHERE contact_id > 400 AND status IN ('pre-scheduled', 'skipped')")
        )
      )
      assert.strictEqual(report.batches.writtenByThread, 8)
      assert.isAbove(report.writes.unchanged, 0)
    })
  )

  it.effect("the night after a sender: the thread inserts, updates and deletes what the run's thread would", () =>
    Effect.gen(function* () {
      const report = yield* bothWays(
        "night",
        (path) =>
          Effect.andThen(run(path, false, "run_20261129T000000Z_0000beef"), () =>
            exec(
              path,
              `UPDATE email_schedules SET status = 'sent', actual_send_datetime = '${AS_OF} 08:30:00'
                WHERE status = 'pre-scheduled' AND scheduled_send_date = '${AS_OF}'`
            )
          ),
        "2026-11-30"
      )
      assert.strictEqual(report.batches.writtenByThread, 8)
      assert.strictEqual(report.batches.keysReadAgain, 0)
      assert.isAbove(report.writes.inserted, 0)
      assert.isAbove(report.writes.updated, 0)
      assert.isAbove(report.writes.deleted, 0)
      assert.isAbove(report.writes.unchanged, 0)
    })
  )

  it.effect("someone else's write between two batches: the thread stops, and the run's thread writes the rest", () =>
    Effect.gen(function* () {
      // Writing the first contact of the fourth batch bumps the change counter, as another connection's write would.
      const report = yield* bothWays("interleaved", (path) =>
        Effect.sync(() =>
          exec(
            path,
            `CREATE TRIGGER someone_else AFTER INSERT ON email_schedules
            WHEN NEW.contact_id = (SELECT id FROM contacts ORDER BY id LIMIT 1 OFFSET 1200)
            BEGIN UPDATE email_scheduler_changes SET version = version + 1 WHERE id = 1; END`
          )
        )
      )
      assert.strictEqual(report.batches.writtenByThread, 4)
      assert.strictEqual(report.batches.keysReadAgain, 4)
    })
  )
})

import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Option } from "effect"
import { runnableFile } from "../../src/app/sqlite.js"
import { QUIET_TRIGGERS } from "../../src/db/change-tracking.js"
import { enrollmentValues, pushNewRowValues, pushUpdateValues } from "../../src/db/plan-writes.js"
import { ValueColumns, type ValueColumnsData } from "../../src/db/value-columns.js"
import { FIRST_RUN_CACHE_KIB, startWriteThread, type ThreadAnswer, threadCacheSize } from "../../src/db/write-thread.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"
import { planRecord } from "../support/plan-record.js"

const dir = useTempDir("write-thread")
const AS_OF = "2026-11-29"
const RUN_ID = "run_20261129T000000Z_0000abcd"
const NOW = "2026-11-29 01:02:03"

/** A database the scheduler has run on once: its tables, change tracking and a plan. */
const scheduledCopy = (name: string) =>
  Effect.gen(function* () {
    const path = yield* generatedCopy(dir, name, 500, 3, AS_OF)
    yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(Effect.provide(runnableFile(path)))
    return path
  })

/** `count` new rows of contact 1, in a year no plan reaches, starting on day `first` of January 2099. */
const newRows = (first: number, count: number): ValueColumnsData => {
  const values = new ValueColumns()
  for (let day = first; day < first + count; day++) {
    const date = `2099-01-${String(day).padStart(2, "0")}`
    pushNewRowValues(
      values,
      planRecord({ date, eventYear: 2099, eventMonth: 1, eventDay: day, metadata: `{"day":${day}}` })
    )
  }
  return values.take()
}

const read = <A>(path: string, query: (db: BetterSqlite3.Database) => A): A => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return query(db)
  } finally {
    db.close()
  }
}
const version = (path: string) =>
  read(path, (db) => Number(db.prepare("SELECT version FROM email_scheduler_changes WHERE id = 1").pluck().get()))
/** The rows the thread wrote, as `date|run id|created_at|updated_at|metadata`. */
const written = (path: string) =>
  read(path, (db) =>
    db
      .prepare(
        `SELECT scheduled_send_date || '|' || scheduler_run_id || '|' || created_at || '|' || updated_at || '|' || metadata
          FROM email_schedules WHERE scheduled_send_date LIKE '2099-%' ORDER BY id`
      )
      .pluck()
      .all()
      .map(String)
  )
/** An enrollment a run may still change, and a status it could change it to. */
const changeableEnrollment = (path: string) =>
  read(path, (db) => {
    const row = db
      .prepare(
        "SELECT id, status FROM contact_campaigns WHERE status IN ('pending', 'scheduled', 'skipped') ORDER BY id LIMIT 1"
      )
      .raw()
      .get()
    const [id, status] = Array.isArray(row) ? row : []
    return { id: Number(id), status: status === "skipped" ? "scheduled" : "skipped" }
  })
const otherWrite = (path: string, statement: string) => {
  const db = new BetterSqlite3(path)
  db.exec(statement)
  db.close()
}

const withThread = <A, E>(
  path: string,
  use: (thread: Effect.Effect.Success<ReturnType<typeof startWriteThread>>) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.flatMap(startWriteThread({ path, runId: RUN_ID, now: NOW }), use)).pipe(
    Effect.provide(runnableFile(path))
  )

/** Sends one batch of `count` new rows to a thread of its own, told the counter `expected`, and returns its answer. */
const oneBatch = (path: string, expected: number, count: number) =>
  withThread(path, (thread) =>
    Effect.gen(function* () {
      thread.begin(0, expected)
      yield* thread.rows(0, "insert", newRows(1, count))
      thread.end(0, [])
      return yield* thread.answer
    })
  )

/** Every trigger of the file, as `name: sql`. */
const triggers = (path: string) =>
  read(path, (db) =>
    db
      .prepare("SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .pluck()
      .all()
      .map(String)
  )
const schemaVersion = (path: string) => read(path, (db) => Number(db.pragma("schema_version", { simple: true })))

const committed = (answer: ThreadAnswer) => (answer._tag === "committed" ? answer.changes : `${answer._tag}`)

describe("the write thread (issue 11: a first run's SQL on the second core)", () => {
  it.live("updates one row to a statement, keeping or changing its status, and counts its deletes", () =>
    Effect.gen(function* () {
      const path = yield* scheduledCopy("updates.sqlite")
      const before = version(path)
      const ids = read(path, (db) =>
        db
          .prepare("SELECT id FROM email_schedules WHERE status = 'pre-scheduled' ORDER BY id LIMIT 5")
          .pluck()
          .all()
          .map(Number)
      )
      const [same, other, ...gone] = ids
      assert.strictEqual(gone.length, 3)
      const sameStatus = new ValueColumns()
      pushUpdateValues(sameStatus, same!, false, planRecord({ metadata: '{"same":1}' }), RUN_ID, NOW)
      const newStatus = new ValueColumns()
      const skipped = planRecord({ status: "skipped", skipReason: "frequency_limit", metadata: '{"other":1}' })
      pushUpdateValues(newStatus, other!, true, skipped, RUN_ID, NOW)
      const { answer, buffersBack } = yield* withThread(path, (thread) =>
        Effect.gen(function* () {
          thread.begin(0, before)
          yield* thread.rows(0, "update", sameStatus.take())
          yield* thread.rows(0, "updateWithStatus", newStatus.take())
          yield* thread.rows(0, "delete", ValueColumns.of(gone))
          thread.end(0, [])
          const answer = yield* thread.answer
          return { answer, buffersBack: thread.buffers.size }
        })
      )
      // Three deletes counted; the updates (the scheduler's statuses, its run id) are not.
      assert.strictEqual(committed(answer), 3)
      // Each message's column buffers came back for reuse.
      assert.strictEqual(buffersBack, 3)
      assert.strictEqual(version(path), before + 3)
      const rows = read(path, (db) =>
        db
          .prepare(
            `SELECT id, status, skip_reason, metadata, scheduler_run_id, updated_at FROM email_schedules
              WHERE id IN (${ids.join(", ")}) ORDER BY id`
          )
          .raw()
          .all()
      )
      assert.deepStrictEqual(rows, [
        [same, "pre-scheduled", null, '{"same":1}', RUN_ID, NOW],
        [other, "skipped", "frequency_limit", '{"other":1}', RUN_ID, NOW]
      ])
    })
  )

  it.live("writes each batch in a transaction of its own, in order, and counts the changes the counter counts", () =>
    Effect.gen(function* () {
      const path = yield* scheduledCopy("writes.sqlite")
      const before = version(path)
      const enrollment = changeableEnrollment(path)
      assert.isAbove(enrollment.id, 0)
      const answers = yield* withThread(path, (thread) =>
        Effect.gen(function* () {
          thread.begin(0, before)
          yield* thread.rows(0, "insert", newRows(1, 3))
          yield* thread.rows(0, "insert", newRows(4, 2))
          thread.end(0, [enrollmentValues(enrollment, NOW)])
          // The thread expects the counter it was told plus its own counted change.
          thread.begin(1, before)
          yield* thread.rows(1, "insert", newRows(6, 1))
          thread.end(1, [enrollmentValues(enrollment, NOW)])
          return [yield* thread.answer, yield* thread.answer]
        })
      )
      assert.deepStrictEqual(answers.map(committed), [1, 0])
      assert.deepStrictEqual(
        answers.map((answer) => answer.batch),
        [0, 1]
      )
      assert.deepStrictEqual(
        written(path),
        [1, 2, 3, 4, 5, 6].map((day) => `2099-01-0${day}|${RUN_ID}|${NOW}|${NOW}|{"day":${day}}`)
      )
      // Its own rows do not count; the enrollment does, once.
      assert.strictEqual(version(path), before + 1)
      assert.strictEqual(
        read(path, (db) => db.prepare("SELECT status FROM contact_campaigns WHERE id = ?").pluck().get(enrollment.id)),
        enrollment.status
      )
    })
  )

  it.live(
    "writes its own rows without the counter's insert and update triggers, and gives them back as they were",
    () =>
      Effect.gen(function* () {
        const path = yield* scheduledCopy("quiet-triggers.sqlite")
        const triggersBefore = triggers(path)
        const schemaBefore = schemaVersion(path)
        const before = version(path)
        const id = read(path, (db) =>
          Number(db.prepare("SELECT id FROM email_schedules WHERE status = 'pre-scheduled' LIMIT 1").pluck().get())
        )
        const update = new ValueColumns()
        pushUpdateValues(update, id, false, planRecord({ metadata: '{"quiet":1}' }), RUN_ID, NOW)
        const answers = yield* withThread(path, (thread) =>
          Effect.gen(function* () {
            thread.begin(0, before)
            yield* thread.rows(0, "insert", newRows(1, 2))
            yield* thread.rows(0, "update", update.take())
            thread.end(0, [])
            const first = yield* thread.answer
            // Taken back: the rollback gives the triggers back too.
            thread.begin(1, before)
            yield* thread.rows(1, "insert", newRows(3, 1))
            thread.abandon(1)
            return [first, yield* thread.answer]
          })
        )
        assert.deepStrictEqual(
          answers.map((answer) => answer._tag),
          ["committed", "returned"]
        )
        // Each trigger dropped and created again inside the committed batch: two schema changes each, and none from the
        // batch rolled back.
        assert.strictEqual(schemaVersion(path), schemaBefore + 2 * QUIET_TRIGGERS.length)
        assert.deepStrictEqual(triggers(path), triggersBefore, "every trigger is back, with its own SQL")
        assert.strictEqual(version(path), before, "the scheduler's own rows never counted")
        // The triggers count everybody else's rows again.
        otherWrite(path, "UPDATE email_schedules SET status = 'sent' WHERE scheduled_send_date = '2099-01-01'")
        otherWrite(
          path,
          `INSERT INTO email_schedules (contact_id, email_type, scheduled_send_date, status)
          VALUES (1, 'birthday', '2099-02-01', 'sent')`
        )
        assert.strictEqual(version(path), before + 2)
      })
  )

  it.live("refuses a batch when someone else wrote since the plan, and every batch after it", () =>
    Effect.gen(function* () {
      const path = yield* scheduledCopy("refuses.sqlite")
      const before = version(path)
      const answers = yield* withThread(path, (thread) =>
        Effect.gen(function* () {
          thread.begin(0, before)
          yield* thread.rows(0, "insert", newRows(1, 2))
          thread.end(0, [])
          const first = yield* thread.answer
          otherWrite(path, "UPDATE contacts SET first_name = 'Changed' WHERE id = 2")
          thread.begin(1, before)
          yield* thread.rows(1, "insert", newRows(3, 2))
          thread.end(1, [])
          // Even told the counter as it is now, the thread writes nothing more.
          thread.begin(2, before + 1)
          yield* thread.rows(2, "insert", newRows(5, 2))
          thread.end(2, [])
          return [first, yield* thread.answer, yield* thread.answer]
        })
      )
      assert.deepStrictEqual(answers, [
        { _tag: "committed", batch: 0, changes: 0, ms: answers[0]?._tag === "committed" ? answers[0].ms : -1 },
        { _tag: "refused", batch: 1, reason: "someone else may have written since the plan was made", unknown: false },
        { _tag: "refused", batch: 2, reason: "someone else may have written since the plan was made", unknown: false }
      ])
      assert.deepStrictEqual(
        written(path).map((row) => row.slice(0, 10)),
        ["2099-01-01", "2099-01-02"]
      )
    })
  )

  it.live("refuses when a change-tracking trigger is gone, and when a statement fails, with SQLite's words", () =>
    Effect.gen(function* () {
      const untracked = yield* scheduledCopy("untracked.sqlite")
      otherWrite(untracked, "DROP TRIGGER email_scheduler_changed_contacts_update")
      const before = version(untracked)
      const refused = yield* oneBatch(untracked, before, 1)
      assert.deepStrictEqual(refused, {
        _tag: "refused",
        batch: 0,
        reason: "someone else may have written since the plan was made",
        unknown: false
      })

      const failing = yield* scheduledCopy("failing.sqlite")
      otherWrite(
        failing,
        `CREATE TRIGGER injected_failure BEFORE INSERT ON email_schedules WHEN NEW.scheduled_send_date = '2099-01-02'
          BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
      )
      // The trigger is someone else's write: the counter is read after it.
      const now = version(failing)
      const failed = yield* oneBatch(failing, now, 3)
      assert.deepStrictEqual(failed, {
        _tag: "refused",
        batch: 0,
        reason: "the writing thread failed: injected failure",
        unknown: false
      })
      assert.deepStrictEqual(written(failing), [], "the batch's first row is rolled back with it")
    })
  )

  it.live("rolls back a batch taken back and goes on; a thread stopped answers what it held as unknown", () =>
    Effect.gen(function* () {
      const path = yield* scheduledCopy("abandon.sqlite")
      const before = version(path)
      const answers = yield* withThread(path, (thread) =>
        Effect.gen(function* () {
          thread.begin(0, before)
          yield* thread.rows(0, "insert", newRows(1, 2))
          thread.abandon(0)
          thread.begin(1, before)
          yield* thread.rows(1, "insert", newRows(3, 1))
          thread.end(1, [])
          const kept = [yield* thread.answer, yield* thread.answer]
          thread.begin(2, before)
          yield* thread.rows(2, "insert", newRows(4, 1))
          yield* thread.stop
          thread.end(2, [])
          return [...kept, yield* thread.answer]
        })
      )
      assert.deepStrictEqual(
        answers.map((answer) => [answer._tag, answer.batch]),
        [
          ["returned", 0],
          ["committed", 1],
          ["refused", 2]
        ]
      )
      assert.deepStrictEqual(answers[2], { _tag: "refused", batch: 2, reason: undefined, unknown: true })
      assert.deepStrictEqual(
        written(path).map((row) => row.slice(0, 10)),
        ["2099-01-03"]
      )
    })
  )
})

describe("the write thread's page cache", () => {
  it("is the size a run asks for, smaller or larger than the run's; else the run's, in KiB", () => {
    const cases: ReadonlyArray<readonly [runCache: number, asked: number | undefined, expected: number]> = [
      [-65_536, undefined, -65_536],
      // A positive cache_size counts pages: 16,384 of 4 KiB.
      [16_384, undefined, -65_536],
      // A first run's thread: smaller than the run's 64 MiB (FIRST_RUN_CACHE_KIB).
      [-65_536, 8_192, -8_192],
      [-2_048, 98_304, -98_304]
    ]
    for (const [runCache, asked, expected] of cases) assert.strictEqual(threadCacheSize(runCache, asked), expected)
    assert.isBelow(FIRST_RUN_CACHE_KIB, 65_536)
  })
})

import { availableParallelism } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Exit, Fiber } from "effect"
import { runnableFile, sqliteFile } from "../../src/app/sqlite.js"
import { DEFERRED_INDEXES_TABLE, withIndexesDeferred } from "../../src/db/deferred-indexes.js"
import { runMigrations } from "../../src/db/migrations.js"
import { useTempDir } from "../support/files.js"
import { buildPredecessorShapedDatabase } from "../support/predecessor.js"
import { runAsOf } from "../support/run.js"

const dir = useTempDir("deferred-indexes")

interface Snapshot {
  /** `name: sql` of every index of email_schedules, by name. */
  readonly indexes: ReadonlyArray<string>
  /** The names recorded as deferred. */
  readonly recorded: ReadonlyArray<string>
}

/** What another connection sees committed: the indexes of email_schedules and the deferral record. */
const snapshot = (path: string): Snapshot => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    const indexes = db
      .prepare<[], { name: string; sql: string | null }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'email_schedules' ORDER BY name"
      )
      .all()
      .map((index) => `${index.name}: ${index.sql ?? "(constraint)"}`)
    const recorded = db
      .prepare<[], { name: string }>(`SELECT name FROM ${DEFERRED_INDEXES_TABLE} ORDER BY name`)
      .all()
      .map((row) => row.name)
    return { indexes, recorded }
  } finally {
    db.close()
  }
}

/** An upgraded predecessor database of `contacts` contacts: four non-unique `email_schedules` indexes survive 0002. */
const upgradedPredecessor = (name: string, contacts: number) =>
  Effect.gen(function* () {
    const path = join(dir, name)
    buildPredecessorShapedDatabase(path, contacts)
    yield* runMigrations.pipe(Effect.provide(sqliteFile(path)))
    return path
  })

const SECONDARY = [
  "idx_email_schedules_date_time_status",
  "idx_email_schedules_event_date",
  "idx_schedules_run_id",
  "idx_schedules_status_date"
]

describe("secondary indexes of email_schedules deferred during a bulk write (issue 11)", () => {
  it.effect("a first run writes its batches without them and builds each once afterwards, with its exact SQL", () =>
    Effect.gen(function* () {
      const path = yield* upgradedPredecessor("first-run.sqlite", 300)
      const before = snapshot(path)
      assert.strictEqual(before.indexes.length, 5)
      const seenWhileWriting: Array<Snapshot> = []
      const building: Array<string> = []
      const recordedWhileBuilding: Array<number> = []
      const report = yield* runAsOf("2026-11-29", {
        flags: { batch_size: "100" },
        onProgress: (phase, done, total) => {
          if (phase === "Writing") seenWhileWriting.push(snapshot(path))
          if (phase === "Building indexes") {
            building.push(`${done}/${total}`)
            recordedWhileBuilding.push(snapshot(path).recorded.length)
          }
        }
      }).pipe(Effect.provide(runnableFile(path)))
      assert.deepStrictEqual(building, ["0/4", "1/4", "2/4", "3/4", "4/4"])
      // Each index is built and forgotten in a transaction of its own, so the write-ahead log holds one index at a
      // time (the run empties it between them, db/background-checkpoints.ts).
      assert.deepStrictEqual(recordedWhileBuilding, [4, 3, 2, 1, 0])
      assert.isAbove(report.writes.inserted, 300)
      assert.strictEqual(report.batches.total, 3)
      // Between committed batches only the unique key is there; the other four are recorded, not lost.
      assert.isAtLeast(seenWhileWriting.length, 3)
      for (const seen of seenWhileWriting) {
        assert.deepStrictEqual(seen.recorded, SECONDARY)
        assert.deepStrictEqual(
          seen.indexes.map((index) => index.split(":")[0]),
          ["idx_email_schedules_unique"]
        )
      }
      assert.deepStrictEqual(snapshot(path), before)
    })
  )

  it.effect("a night that inserts few rows keeps them all the while", () =>
    Effect.gen(function* () {
      const path = yield* upgradedPredecessor("night.sqlite", 300)
      yield* runAsOf("2026-11-29", { flags: { batch_size: "100" } }).pipe(Effect.provide(runnableFile(path)))
      const before = snapshot(path)
      const seenWhileWriting: Array<Snapshot> = []
      yield* runAsOf("2026-11-30", {
        flags: { batch_size: "100" },
        onProgress: (phase) => {
          if (phase === "Writing") seenWhileWriting.push(snapshot(path))
        }
      }).pipe(Effect.provide(runnableFile(path)))
      assert.isAtLeast(seenWhileWriting.length, 3)
      for (const seen of seenWhileWriting) assert.deepStrictEqual(seen, before)
      assert.deepStrictEqual(snapshot(path), before)
    })
  )

  it.effect("indexes a killed run left dropped (its record says so) are built by the next run before it writes", () =>
    Effect.gen(function* () {
      const path = yield* upgradedPredecessor("killed.sqlite", 200)
      yield* runAsOf("2026-11-29").pipe(Effect.provide(runnableFile(path)))
      const before = snapshot(path)
      // The state a run killed between its batches leaves: the index dropped and recorded, in one transaction.
      const db = new BetterSqlite3(path)
      db.transaction(() => {
        const index = db
          .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'idx_schedules_status_date'")
          .get()
        db.prepare(`INSERT INTO ${DEFERRED_INDEXES_TABLE} (name, sql) VALUES ('idx_schedules_status_date', ?)`).run(
          index?.sql
        )
        db.exec("DROP INDEX idx_schedules_status_date")
      })()
      db.close()
      assert.notDeepEqual(snapshot(path), before)
      const seenWhileWriting: Array<Snapshot> = []
      yield* runAsOf("2026-11-30", {
        onProgress: (phase) => {
          if (phase === "Writing") seenWhileWriting.push(snapshot(path))
        }
      }).pipe(Effect.provide(runnableFile(path)))
      assert.deepStrictEqual(seenWhileWriting[0], before)
      assert.deepStrictEqual(snapshot(path), before)
    })
  )

  it.effect("each index is built sorting in files, with helper threads on the other cores and a 16 MiB cache", () =>
    Effect.gen(function* () {
      const path = yield* upgradedPredecessor("sort-settings.sqlite", 50)
      const seen = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const settings: Array<unknown> = []
        // Runs after each index's commit, while the build's settings hold.
        const afterEachIndex = Effect.all([sql`PRAGMA temp_store`, sql`PRAGMA threads`, sql`PRAGMA cache_size`]).pipe(
          Effect.tap((values) => Effect.sync(() => settings.push(values))),
          Effect.asVoid,
          Effect.orDie
        )
        yield* withIndexesDeferred(Effect.void, undefined, afterEachIndex)
        return settings
      }).pipe(Effect.provide(sqliteFile(path)))
      const helpers = Math.max(0, Math.min(4, availableParallelism() - 1))
      const building = [[{ temp_store: 1 }], [{ threads: helpers }], [{ cache_size: -16_384 }]]
      assert.deepStrictEqual(seen, [building, building, building, building])
    })
  )

  it.effect("a failed or interrupted write gets its indexes back, and its own failure is the one reported", () =>
    Effect.gen(function* () {
      const path = yield* upgradedPredecessor("failed.sqlite", 50)
      const before = snapshot(path)
      // The settings the build changes: how it sorts (in files, with helper threads) and its page cache.
      const sortSettings = Effect.flatMap(SqlClient.SqlClient, (sql) =>
        Effect.all([sql`PRAGMA temp_store`, sql`PRAGMA threads`, sql`PRAGMA cache_size`])
      )
      const [failed, settingsBefore, settingsAfter] = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`PRAGMA temp_store = DEFAULT`
        yield* sql`PRAGMA cache_size = -65536`
        const settingBefore = yield* sortSettings
        const exit = yield* withIndexesDeferred(
          Effect.gen(function* () {
            assert.deepStrictEqual(snapshot(path).recorded, SECONDARY)
            return yield* Effect.fail("the write failed" as const)
          })
        ).pipe(Effect.exit)
        return [exit, settingBefore, yield* sortSettings] as const
      }).pipe(Effect.provide(sqliteFile(path)))
      assert.deepStrictEqual(failed, Exit.fail("the write failed"))
      assert.deepStrictEqual(snapshot(path), before)
      // The build sorted in files with helper threads and a smaller cache; the connection has its own settings back.
      assert.deepStrictEqual(settingsBefore, [[{ temp_store: 0 }], [{ threads: 0 }], [{ cache_size: -65536 }]])
      assert.deepStrictEqual(settingsAfter, settingsBefore)

      const interrupted = yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const fiber = yield* withIndexesDeferred(Effect.never).pipe(Effect.fork)
        // The deferral is one transaction: once its record is visible the write has started.
        while ((yield* sql`SELECT name FROM ${sql(DEFERRED_INDEXES_TABLE)}`).length === 0) yield* Effect.yieldNow()
        assert.deepStrictEqual(snapshot(path).recorded, SECONDARY)
        return yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(sqliteFile(path)))
      assert.isTrue(Exit.isInterrupted(interrupted))
      assert.deepStrictEqual(snapshot(path), before)
    })
  )
})

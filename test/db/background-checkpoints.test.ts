import { existsSync, statSync } from "node:fs"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Exit, Option, Schema } from "effect"
import { runnableFile, sqliteFile } from "../../src/app/sqlite.js"
import { startCheckpointer, withBackgroundCheckpoints } from "../../src/db/background-checkpoints.js"
import { runOnce } from "../../src/run/run.js"
import { useTempDir } from "../support/files.js"
import { DatabaseTest } from "../support/layers.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("checkpoints")
const AS_OF = "2026-11-29"

const autocheckpoint = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`PRAGMA wal_autocheckpoint`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ wal_autocheckpoint: Schema.Int })))),
    Effect.map((rows) => rows[0]?.wal_autocheckpoint)
  )
)

/** 8 MB in one committed transaction: more than the 1,000 pages after which a commit would checkpoint by itself. */
const writeEightMegabytes = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.withTransaction(
    sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
      INSERT INTO scratch SELECT randomblob(4096) FROM n`
  )
)

/** A file in WAL mode with an empty table of blobs. */
const scratchTableInWal = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.zipRight(sql`PRAGMA journal_mode = WAL`, sql`CREATE TABLE scratch (bytes BLOB)`)
)

/** The size of the log file: it stays allocated while the run writes it over. */
const logFileBytes = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0)

const scratchRows = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT count(*) AS n FROM scratch`.pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(Schema.Struct({ n: Schema.Int })))),
    Effect.map((rows) => rows[0]?.n)
  )
)

describe("the write-ahead log is checkpointed by a worker thread while a run writes (issue 11)", () => {
  it.live("the connection's commits do not checkpoint meanwhile; the worker copies the log into the file", () =>
    Effect.gen(function* () {
      const path = join(dir, "scratch.sqlite")
      yield* scratchTableInWal
      const fileSize = () => statSync(path).size
      const before = fileSize()
      const during = yield* withBackgroundCheckpoints(() =>
        Effect.gen(function* () {
          const setting = yield* autocheckpoint
          yield* writeEightMegabytes
          // Only a checkpoint writes pages into the file itself; this connection makes none now.
          let grown = false
          for (let wait = 0; wait < 50 && !grown; wait++) {
            yield* Effect.sleep("100 millis")
            grown = fileSize() > before + 4_000_000
          }
          return { setting, grown }
        })
      )
      assert.strictEqual(during.setting, 0, "the connection does not checkpoint at its commits")
      assert.isTrue(during.grown, "the worker checkpointed the committed pages into the file")
      assert.strictEqual(yield* autocheckpoint, 1000, "afterwards the connection checkpoints at its commits again")
      assert.strictEqual(yield* scratchRows, 2000)
    }).pipe(Effect.provide(sqliteFile(join(dir, "scratch.sqlite"))))
  )

  it.live(
    "the log starts again between batches once it passes its limit: written over in place, never the whole write",
    () =>
      Effect.gen(function* () {
        const path = join(dir, "bounded.sqlite")
        yield* scratchTableInWal
        // Eight batches of 8 MB with a 12 MB limit: without the limit the log would hold all 64 MB at the end (the
        // worker's checkpoints copy it into the file, but a log is only reused from its start when a new write finds
        // it wholly copied, which a writer that commits batch after batch never gives it).
        const sizes = yield* withBackgroundCheckpoints(
          (betweenBatches) =>
            Effect.gen(function* () {
              const sizes: Array<number> = []
              for (let batch = 0; batch < 8; batch++) {
                yield* writeEightMegabytes
                yield* betweenBatches
                sizes.push(logFileBytes(path))
              }
              return sizes
            }),
          { logLimitBytes: 12_000_000 }
        )
        assert.isBelow(Math.max(...sizes), 12_000_000 + 9_000_000, `log sizes after each batch: ${sizes.join(", ")}`)
        // Written over from its start, the file keeps its size (it is not truncated and extended again each time).
        assert.isAbove(sizes[7] ?? 0, 12_000_000, `log sizes after each batch: ${sizes.join(", ")}`)
        assert.strictEqual(logFileBytes(path), 0, "the log is truncated once the write is over")
        assert.strictEqual(yield* scratchRows, 16_000)
      }).pipe(Effect.provide(sqliteFile(join(dir, "bounded.sqlite"))))
  )

  it.live("a reader in the log keeps it from starting again; the next attempt waits for another limit", () =>
    Effect.gen(function* () {
      const path = join(dir, "reader.sqlite")
      yield* scratchTableInWal
      // The sender reading meanwhile: its snapshot needs the log's frames until its transaction ends.
      const reader = new BetterSqlite3(path, { readonly: true })
      const result = yield* withBackgroundCheckpoints(
        (betweenBatches) =>
          Effect.gen(function* () {
            yield* writeEightMegabytes
            reader.exec("BEGIN")
            const counted = reader.prepare("SELECT count(*) AS n FROM scratch").pluck().get()
            const sizes: Array<number> = []
            for (let batch = 0; batch < 8; batch++) {
              if (batch === 4) reader.exec("COMMIT")
              yield* writeEightMegabytes
              yield* betweenBatches
              sizes.push(logFileBytes(path))
            }
            return { counted, sizes }
          }),
        { logLimitBytes: 12_000_000 }
      ).pipe(Effect.ensuring(Effect.sync(() => reader.close())))
      const { counted, sizes } = result
      assert.strictEqual(counted, 2000, "the reader saw the rows committed before it began, and only those")
      assert.isAbove(sizes[3] ?? 0, 30_000_000, `the log grew while the reader held it: ${sizes.join(", ")}`)
      // Once the reader is gone, an attempt succeeds and the log is written over from its start: it stops growing.
      assert.strictEqual(sizes[7], sizes[6], `log sizes after each batch: ${sizes.join(", ")}`)
      assert.strictEqual(yield* scratchRows, 18_000)
    }).pipe(Effect.provide(sqliteFile(join(dir, "reader.sqlite"))))
  )

  it.live("a write that fails stops the worker and gives the connection its checkpoints back", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql`PRAGMA journal_mode = WAL`
      yield* sql`PRAGMA wal_autocheckpoint = 500`
      const exit = yield* withBackgroundCheckpoints(() => Effect.fail("the write failed")).pipe(Effect.exit)
      assert.deepStrictEqual(exit, Exit.fail("the write failed"))
      assert.strictEqual(yield* autocheckpoint, 500)
    }).pipe(Effect.provide(sqliteFile(join(dir, "failing.sqlite"))))
  )

  it.live("a worker that could not open the file has ended: stopping it does not wait", () =>
    Effect.gen(function* () {
      const checkpointer = yield* startCheckpointer(join(dir, "missing.sqlite"), "NORMAL")
      yield* Effect.sleep("500 millis")
      const stopped = yield* checkpointer.stop.pipe(Effect.timeout("2 seconds"), Effect.exit)
      assert.isTrue(Exit.isSuccess(stopped), "stopped at once, not after the 5 s timeout or never")
    })
  )

  it.effect("a database in memory has no log: the write runs as it is", () =>
    Effect.gen(function* () {
      const setting = yield* withBackgroundCheckpoints(() => autocheckpoint)
      assert.strictEqual(setting, 1000)
    }).pipe(Effect.provide(DatabaseTest))
  )

  it.live("a run on a file plans as before and leaves the connection checkpointing at its commits", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "run.sqlite", 60, 3, AS_OF)
      const first = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: false, flags: {} }).pipe(
        Effect.zip(autocheckpoint),
        Effect.provide(runnableFile(path))
      )
      const reference = yield* generatedCopy(dir, "reference.sqlite", 60, 3, AS_OF)
      const dry = yield* runOnce({ asOf: Option.some(AS_OF), dryRun: true, flags: {} }).pipe(
        Effect.provide(runnableFile(reference))
      )
      assert.isAbove(first[0].writes.inserted, 0)
      assert.strictEqual(first[0].checksums.plan, dry.checksums.plan)
      assert.strictEqual(first[1], 1000)
    })
  )
})

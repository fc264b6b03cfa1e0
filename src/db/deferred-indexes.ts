import { availableParallelism } from "node:os"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DatabaseError } from "./errors.js"
import { quoteIdentifier } from "./introspect.js"
import { withPragmas } from "./pragmas.js"

/**
 * Bulk writes without the secondary indexes of `email_schedules` (issue 11). A run that inserts about as many rows
 * as the table holds (a first run) would otherwise rewrite nearly every page of `(status, scheduled_send_date)` in
 * every batch's commit, because each batch's rows spread over all its dates: at 1 M contacts that was 27 of the write's
 * 58 s inside the transactions, against 6–10 s to build the index once from the finished table.
 *
 * Each deferred index is recorded with its exact SQL in the same transaction that drops it, and the record is removed
 * in the transaction that builds it again, so an index is never lost: a run killed in between leaves the record, and
 * the next run that writes builds the index before anything else (`restoreDeferredIndexes`).
 */
export const DEFERRED_INDEXES_TABLE = "email_scheduler_deferred_indexes"

export const createDeferredIndexesTable = `CREATE TABLE IF NOT EXISTS ${DEFERRED_INDEXES_TABLE} (
  name TEXT PRIMARY KEY NOT NULL,
  sql TEXT NOT NULL
)`

const IndexSql = Schema.Struct({ name: Schema.String, sql: Schema.String })
const decodeIndexes = Schema.decodeUnknown(Schema.Array(IndexSql))
const IndexName = Schema.Struct({ name: Schema.String })

/** The indexes a bulk write may defer: every non-unique one made by CREATE INDEX (unique ones keep enforcing §2.4). */
const deferrableIndexes = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT m.name AS name, m.sql AS sql FROM sqlite_master m
      JOIN pragma_index_list('email_schedules') l ON l.name = m.name
      WHERE m.type = 'index' AND m.tbl_name = 'email_schedules' AND m.sql IS NOT NULL
        AND l."unique" = 0 AND l.origin = 'c'
      ORDER BY m.name`.pipe(Effect.flatMap(decodeIndexes))
)

const recordedIndexes = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`SELECT name, sql FROM ${sql(DEFERRED_INDEXES_TABLE)} ORDER BY name`.pipe(Effect.flatMap(decodeIndexes))
)

/**
 * How SQLite sorts an index's keys while it builds it.
 * - `temp_store = 1` (FILE): the sort spills to temporary files; held in memory, sorting 4.4 M keys took the 1 M run
 *   from 510 to 692 MiB.
 * - `threads`: helper threads sort and merge parts of the keys while the connection reads the table. Nothing else
 *   runs during the build, so the other cores are free. On two cores one helper built the 1 M first run's
 *   `(status, scheduled_send_date)` in 3.8–4.6 s instead of 5.6–8.1 s (BENCHMARKS.md, session 15).
 * - `cache_size`: each sorter buffers up to the page cache's size before it writes a sorted part. With helpers and the
 *   write's 64 MiB the build peaked at 313 MB, with one helper and 16 MiB at 102 MB (185 MB before), no slower.
 */
const INDEX_BUILD_SETTINGS: ReadonlyArray<readonly [string, number]> = [
  ["temp_store", 1],
  ["threads", Math.max(0, Math.min(4, availableParallelism() - 1))],
  ["cache_size", -16_384]
]

/** Reports each index built: `done` of `total`. */
export type IndexProgress = (done: number, total: number) => void

/**
 * Builds the recorded indexes and forgets each, in a transaction per index (so the write-ahead log holds one index at a
 * time: `betweenIndexes` runs after each commit, and a run empties the log there, db/background-checkpoints.ts), under
 * `INDEX_BUILD_SETTINGS` (then the connection's own settings again). An index that exists already (someone built it
 * meanwhile) is only forgotten.
 */
export const restoreDeferredIndexes = (
  onProgress: IndexProgress = () => undefined,
  betweenIndexes: Effect.Effect<void> = Effect.void
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const recorded = yield* recordedIndexes
    if (recorded.length === 0) return 0
    const buildOne = (index: { readonly name: string; readonly sql: string }) =>
      Effect.gen(function* () {
        const exists = yield* sql`SELECT name FROM sqlite_master WHERE type = 'index' AND name = ${index.name}`.pipe(
          Effect.flatMap(Schema.decodeUnknown(Schema.Array(IndexName)))
        )
        if (exists.length === 0) yield* sql.unsafe(index.sql)
        yield* sql`DELETE FROM ${sql(DEFERRED_INDEXES_TABLE)} WHERE name = ${index.name}`
      })
    const build = Effect.gen(function* () {
      onProgress(0, recorded.length)
      for (const [position, index] of recorded.entries()) {
        yield* sql.withTransaction(buildOne(index))
        onProgress(position + 1, recorded.length)
        yield* betweenIndexes
      }
    })
    yield* build.pipe(withPragmas(INDEX_BUILD_SETTINGS))
    return recorded.length
  }).pipe(Effect.mapError((cause) => new DatabaseError({ operation: "build the deferred indexes", cause })))

/** Drops the deferrable indexes, recording each one's SQL in the same transaction. */
const deferIndexes = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(
    Effect.gen(function* () {
      for (const index of yield* deferrableIndexes) {
        yield* sql`INSERT INTO ${sql(DEFERRED_INDEXES_TABLE)} (name, sql) VALUES (${index.name}, ${index.sql})`
        yield* sql.unsafe(`DROP INDEX ${quoteIdentifier(index.name)}`)
      }
    })
  )
}).pipe(Effect.mapError((cause) => new DatabaseError({ operation: "defer the indexes of email_schedules", cause })))

/**
 * Runs a bulk write with the secondary indexes of `email_schedules` dropped, and builds them again once it is done
 * (`betweenIndexes` after each, see `restoreDeferredIndexes`). They are built again when the write fails or is
 * interrupted too; a failure to build them then is logged, and the record left for the next run, so the write's own
 * failure is the one reported.
 */
export const withIndexesDeferred = <A, E, R>(
  write: Effect.Effect<A, E, R>,
  onProgress?: IndexProgress,
  betweenIndexes?: Effect.Effect<void>
): Effect.Effect<A, E | DatabaseError, R | SqlClient.SqlClient> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      yield* deferIndexes
      const result = yield* restore(write).pipe(
        Effect.onError(() =>
          restoreDeferredIndexes(onProgress, betweenIndexes).pipe(
            Effect.catchAll((error) => Effect.logWarning(`${error.message}; the next run builds them`)),
            Effect.asVoid
          )
        )
      )
      yield* restoreDeferredIndexes(onProgress, betweenIndexes)
      return result
    })
  )

import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { DatabaseError } from "./errors.js"

/** PRAGMAs applied once the run is known to be valid, before the first write. */
export const prepareForWriting = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // WAL: the sending system can keep reading email_schedules while a long run writes its batches.
  yield* sql`PRAGMA journal_mode = WAL`
  // NORMAL is safe under WAL (no corruption on crash); a power cut can lose only the last batches, which the next
  // run writes again.
  yield* sql`PRAGMA synchronous = NORMAL`
  // sql-sqlite-node has no busy option; wait up to 10 s when the sender briefly holds the write lock.
  yield* sql`PRAGMA busy_timeout = 10000`
  // 64 MiB page cache so the index pages a night's scattered updates touch stay in memory: with 32 MiB the 1 M
  // nightly run's writes took 35 % longer for 30 MiB less peak RSS (BENCHMARKS.md).
  yield* sql`PRAGMA cache_size = -65536`
  // Sorts of GROUP BY / ORDER BY stay in memory instead of temporary files.
  yield* sql`PRAGMA temp_store = MEMORY`
}).pipe(Effect.mapError((cause) => new DatabaseError({ operation: "configure connection", cause })))

/**
 * For a file that is thrown away when the machine fails (the production job's pulled copy: a new job pulls again, and
 * only a checked snapshot is pushed): commits and checkpoints skip `fsync`. An application crash still loses nothing
 * SQLite committed; only a power cut or a kernel crash could damage the file, and then the file is not used again.
 * The commits of a 100k first run took 0.65 s instead of 1.1 s (BENCHMARKS.md, session 9).
 */
export const skipSyncing = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA synchronous = OFF`).pipe(
  Effect.mapError((cause) => new DatabaseError({ operation: "configure connection", cause }))
)

/**
 * Connection settings that write nothing to the file, applied to every connection we open. better-sqlite3 turns
 * foreign-key enforcement on by default; the predecessor ran with it off, so its databases hold rows of deleted
 * contacts that spec §3.1 keeps, and enforcement would make an update that touches such a row fail mid-batch.
 * The scheduler never deletes a referenced row, so it loses nothing by leaving enforcement off.
 */
export const connectionDefaults = Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA foreign_keys = OFF`).pipe(
  Effect.mapError((cause) => new DatabaseError({ operation: "configure connection", cause }))
)

const PragmaValue = Schema.Array(Schema.Tuple(Schema.Int))

/** The value of an integer PRAGMA of the connection. */
export const readPragma = (name: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`PRAGMA ${name}`).values).pipe(
    Effect.flatMap(Schema.decodeUnknown(PragmaValue)),
    Effect.map((rows) => rows[0]?.[0] ?? 0),
    Effect.mapError((cause) => new DatabaseError({ operation: `read ${name}`, cause }))
  )

const JournalMode = Schema.Array(Schema.Struct({ journal_mode: Schema.String }))

/** Sets the journal mode (or reads it, without `mode`): the mode in force afterwards, lower case. */
export const journalMode = (mode?: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.unsafe(mode === undefined ? "PRAGMA journal_mode" : `PRAGMA journal_mode = ${mode}`)
  ).pipe(
    Effect.flatMap(Schema.decodeUnknown(JournalMode)),
    Effect.map((rows) => rows[0]?.journal_mode.toLowerCase()),
    Effect.mapError(
      (cause) => new DatabaseError({ operation: `${mode === undefined ? "read" : "set"} journal_mode`, cause })
    )
  )

/**
 * Runs `effect` with each integer PRAGMA of `settings` set to its value, then gives the connection back the values it
 * had, whether the effect succeeds, fails or is interrupted. The names are the scheduler's own constants.
 */
export const withPragmas =
  (settings: ReadonlyArray<readonly [name: string, value: number]>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseError, R | SqlClient.SqlClient> =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const set = (name: string, value: number) =>
        sql
          .unsafe(`PRAGMA ${name} = ${value}`)
          .pipe(Effect.mapError((cause) => new DatabaseError({ operation: `set ${name}`, cause })))
      // Every value is read before any is set, so a setting that fails half-way still gives all of them back.
      return yield* Effect.acquireUseRelease(
        Effect.forEach(settings, ([name]) => Effect.map(readPragma(name), (was) => [name, was] as const)),
        () =>
          Effect.zipRight(
            Effect.forEach(settings, ([name, value]) => set(name, value), { discard: true }),
            effect
          ),
        (previous) => Effect.ignore(Effect.forEach(previous, ([name, was]) => set(name, was), { discard: true }))
      )
    })

/** A `cache_size` setting in KiB: a negative one is in KiB, a positive one in pages (of 4 KiB here or more). */
export const cacheKibOf = (cacheSize: number): number => (cacheSize < 0 ? -cacheSize : cacheSize * 4)

/**
 * Runs `effect` with the connection's page cache at most `kib` KiB, then restores the cache size it had. Pass 1 reads
 * each page about once, so the write's 64 MiB cache (prepareForWriting) would only hold memory there, while both
 * planning threads run and the plan's columns reach their size (where a night's memory peaks).
 */
export const withCacheAtMost =
  (kib: number) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const currentKib = cacheKibOf(yield* readPragma("cache_size"))
      return yield* currentKib <= kib ? effect : effect.pipe(withPragmas([["cache_size", -kib]]))
    })

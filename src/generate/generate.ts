import { existsSync, renameSync, rmSync } from "node:fs"
import BetterSqlite3 from "better-sqlite3"
import { Data, Effect } from "effect"
import { sqliteFile } from "../app/sqlite.js"
import { MIGRATIONS_TABLE, runMigrations } from "../db/migrations.js"
import type { IsoDate } from "../domain/dates.js"
import { type GeneratedCounts, writeOrganization } from "./organization.js"

export class GenerateError extends Data.TaggedError("GenerateError")<{ readonly message: string }> {}

export interface GenerateOptions {
  readonly path: string
  readonly contacts: number
  readonly seed: number
  readonly asOf: IsoDate
  /** Replace an existing file; without it an existing file is an error and is left alone. */
  readonly force: boolean
  readonly onProgress?: (written: number) => void
}

const removeDatabaseFiles = (path: string) => {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true })
}

/**
 * Generates a realistic organization (see `writeOrganization`) into `path`. It is built in a temporary file next to
 * the target and renamed into place only when complete, so a failure never leaves a partial database behind.
 * The same contacts, seed and as-of date give a byte-identical file.
 */
export const generateDatabase = (options: GenerateOptions) =>
  Effect.gen(function* () {
    if (!Number.isInteger(options.contacts) || options.contacts < 1) {
      return yield* new GenerateError({
        message: `--contacts must be a whole number of at least 1 (got ${options.contacts})`
      })
    }
    if (existsSync(options.path) && !options.force) {
      return yield* new GenerateError({
        message: `${options.path} already exists; pass --force to replace it, or choose another --db path`
      })
    }
    const partial = `${options.path}.partial`
    removeDatabaseFiles(partial)
    yield* runMigrations.pipe(Effect.provide(sqliteFile(partial)))
    const counts = yield* Effect.acquireUseRelease(
      Effect.try({
        try: () => new BetterSqlite3(partial),
        catch: (cause) => new GenerateError({ message: `cannot open ${partial}: ${String(cause)}` })
      }),
      (db) =>
        Effect.try({
          try: (): GeneratedCounts => {
            // A half-written file is deleted, never used, so durability during generation buys nothing.
            db.pragma("journal_mode = OFF")
            db.pragma("synchronous = OFF")
            return db.transaction(() => {
              const written = writeOrganization(db, options)
              // The migrator stamps the current time; a fixed stamp keeps generated files byte-identical.
              db.prepare(`UPDATE ${MIGRATIONS_TABLE} SET created_at = ?`).run(`${options.asOf} 06:00:00`)
              return written
            })()
          },
          catch: (cause) => new GenerateError({ message: `generation failed: ${String(cause)}` })
        }),
      (db) => Effect.sync(() => db.close())
    )
    removeDatabaseFiles(options.path)
    renameSync(partial, options.path)
    return counts
  }).pipe(
    Effect.tapErrorCause(() => Effect.sync(() => removeDatabaseFiles(`${options.path}.partial`))),
    Effect.withSpan("generateDatabase")
  )

import { existsSync, statSync } from "node:fs"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import { Database } from "../db/Database.js"
import { DatabaseFileMissing, DatabaseNotAFile } from "../db/errors.js"
import { connectionDefaults } from "../db/pragmas.js"
import { RunServicesLive } from "../run/index.js"

/**
 * A SQLite file. WAL is *not* switched on at open time: that alone rewrites the file header, and a run whose
 * settings turn out invalid must leave the file untouched. `prepareForWriting` (db/pragmas.ts) sets the journal mode later.
 */
export const sqliteFile = (filename: string) =>
  Layer.effectDiscard(connectionDefaults).pipe(Layer.provideMerge(SqliteClient.layer({ filename, disableWAL: true })))

/**
 * An organization's database must already be a file: SQLite would create an empty database at a missing path (and a
 * run would then "complete" on no contacts), and cannot open a directory.
 */
export const requireDatabaseFile = (path: string) =>
  Effect.suspend((): Effect.Effect<void, DatabaseFileMissing | DatabaseNotAFile> => {
    if (!existsSync(path)) return Effect.fail(new DatabaseFileMissing({ path }))
    return statSync(path).isDirectory() ? Effect.fail(new DatabaseNotAFile({ path })) : Effect.void
  })

/**
 * An existing organization's file (`requireDatabaseFile`) with the Database service on top, and Node's file system,
 * where a run keeps its staging file (run/staging.ts).
 */
export const databaseFile = (filename: string) =>
  Layer.mergeAll(Database.Default.pipe(Layer.provideMerge(sqliteFile(filename))), NodeFileSystem.layer).pipe(
    Layer.provideMerge(Layer.effectDiscard(requireDatabaseFile(filename)))
  )

/** Everything a run on this file needs, live: the database, the file system, the rules and the business clock. */
export const runnableFile = (filename: string) => Layer.merge(databaseFile(filename), RunServicesLive)

import { constants } from "node:fs"
import { access } from "node:fs/promises"
import { dirname, join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect } from "effect"
import { DatabaseError, sqliteCodeIn } from "../db/errors.js"
import { vacuumInto } from "../db/file-checks.js"

/** SQLite cannot open the file for reading in place: a WAL database in a read-only directory has no `-shm` to use. */
const CANNOT_OPEN_IN_PLACE: ReadonlySet<string> = new Set(["SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_BUSY"])

/**
 * Copies `source` to `destination` without writing anything beside `source`: `VACUUM INTO` on a read-only connection
 * (one read transaction, so a consistent snapshot however busy the sender is; the backup API restarts after every
 * write and never finishes under a busy sender; WAL readers never block writers), or, when SQLite
 * cannot open the file in place (a WAL database in a read-only directory), the database and its `-wal` file as they
 * are, which SQLite then recovers in the private copy.
 */
const copyDatabase = (source: string, destination: string) =>
  vacuumInto(destination).pipe(
    Effect.provide(SqliteClient.layer({ filename: source, readonly: true, disableWAL: true })),
    Effect.catchIf(
      (error) => CANNOT_OPEN_IN_PLACE.has(sqliteCodeIn(error) ?? ""),
      () =>
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          yield* fs.remove(destination, { force: true })
          yield* fs.copyFile(source, destination)
          if (yield* fs.exists(`${source}-wal`)) yield* fs.copyFile(`${source}-wal`, `${destination}-wal`)
        })
    )
  )

/**
 * A private copy of a SQLite database in a temporary directory removed when the scope closes: what-if work (preview,
 * a dry run) writes to the copy and never to the organization's file, and never holds its write lock.
 */
export const scratchCopy = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "email-scheduler-copy-" })
    const copy = join(dir, "copy.sqlite")
    yield* copyDatabase(path, copy)
    return copy
  }).pipe(Effect.mapError((cause) => new DatabaseError({ operation: `copy ${path} to a private file`, cause })))

/** Whether SQLite could write beside the file: the file and its directory are writable (root is not always). */
export const isWritableInPlace = (path: string) =>
  Effect.promise(() =>
    Promise.all([access(path, constants.W_OK), access(dirname(path), constants.W_OK)]).then(
      () => true,
      () => false
    )
  )

/**
 * The file itself when SQLite can work beside it, otherwise a private copy (a read-only file or directory): a command
 * that writes nothing (explain, report) then succeeds where opening in place would fail.
 */
export const readableCopyIfReadOnly = (path: string) =>
  Effect.flatMap(isWritableInPlace(path), (writable) => (writable ? Effect.succeed(path) : scratchCopy(path)))

/**
 * The StorageSync service: the organization's database between the object store and a private working directory.
 * It pulls the newest copy and pins its version, verifies a file, makes the single-file snapshot that is pushed, and
 * pushes it only over the pinned version (a newer copy is never overwritten: this run's result is kept beside it as
 * a conflict copy instead). The job (sync.ts) orders these steps; this module knows how each is done.
 */
import { join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Layer, Metric } from "effect"
import { sqliteFile } from "../app/sqlite.js"
import { describeCause } from "../db/errors.js"
import { integrityReport, newestCheckpoint, vacuumInto } from "../db/file-checks.js"
import { runMigrations } from "../db/migrations.js"
import { temporaryDirectoryStore } from "../storage/directory-store.js"
import { LocalFileError } from "../storage/errors.js"
import { ObjectStore, type UploadCondition } from "../storage/ObjectStore.js"
import { IntegrityError, SyncConflict, SyncError } from "./errors.js"
import { conflictsCounter } from "./metrics.js"

/** What a pull needs to know about the organization: which object, where to work, and whether `--init` was asked. */
export interface SyncTarget {
  readonly orgId: string
  readonly objectKey: string
  readonly dataDir: string
  readonly init: boolean
  readonly force: boolean
}

/** The pulled database in the job's working directory, and the condition its push must meet. */
export interface PulledDatabase {
  readonly local: string
  readonly workDirectory: string
  readonly condition: UploadCondition
}

export class StorageSync extends Effect.Service<StorageSync>()("email-scheduler/StorageSync", {
  effect: Effect.gen(function* () {
    const store = yield* ObjectStore
    const fs = yield* FileSystem.FileSystem

    /** `--init`: a new, migrated database whose first push is create-only. */
    const createNew = (local: string): Effect.Effect<UploadCondition, SyncError> =>
      runMigrations.pipe(
        Effect.provide(sqliteFile(local)),
        Effect.mapError((error) => new SyncError({ reason: `could not create a new database: ${error.message}` })),
        Effect.as<UploadCondition>({ _tag: "IfAbsent" })
      )

    /**
     * `--init` only where nothing of this organization exists: a conflict copy or any other object under the key means
     * a database existed (deleted by mistake, or a path typed wrong), and a new empty one would hide it.
     */
    const initWhereNothingExists = (target: SyncTarget, local: string) =>
      store.list(target.objectKey).pipe(
        Effect.mapError((error) => new SyncError({ reason: error.message })),
        Effect.flatMap((found) =>
          found.length === 0 || target.force
            ? createNew(local)
            : Effect.fail(
                new SyncError({
                  reason: `--init refused: ${target.objectKey} does not exist but ${found.slice(0, 3).join(", ")}${found.length > 3 ? ", …" : ""} do; restore the database from them, or start with --init --force to create an empty one anyway`
                })
              )
        )
      )

    /** A zero-byte object is no database; only `--init` may start a new one in its place (over its pinned version). */
    const refuseEmpty = (target: SyncTarget, local: string, pinned: UploadCondition) =>
      fs.stat(local).pipe(
        Effect.mapError((cause) => new LocalFileError({ operation: "read", path: local, reason: cause.message })),
        Effect.flatMap(
          (info): Effect.Effect<UploadCondition, SyncError | IntegrityError> =>
            info.size > 0n
              ? Effect.succeed(pinned)
              : target.init
                ? Effect.as(createNew(local), pinned)
                : Effect.fail(
                    new IntegrityError({
                      stage: "after the pull",
                      detail: `the remote object ${target.objectKey} is empty (0 bytes); start with --init to create a new database over it`
                    })
                  )
        )
      )

    /**
     * This run's own working directory, `DATA_DIR/<org>-<random>`: no other job sharing `DATA_DIR` ever touches its
     * files, and the directory (the organization's personal data) is removed when the caller's scope closes, on
     * success, failure, timeout and interruption alike.
     */
    const workingDirectory = (target: SyncTarget) =>
      fs.makeDirectory(target.dataDir, { recursive: true }).pipe(
        Effect.zipRight(fs.makeTempDirectoryScoped({ directory: target.dataDir, prefix: `${target.orgId}-` })),
        Effect.mapError(
          (cause) =>
            new LocalFileError({
              operation: "create a working directory in",
              path: target.dataDir,
              reason: cause.message
            })
        )
      )

    /** The newest copy into a private working directory (scoped), its version pinned for the push. */
    const pull = (target: SyncTarget) =>
      Effect.gen(function* () {
        const workDirectory = yield* workingDirectory(target)
        const local = join(workDirectory, `${target.orgId}.db`)
        const pinned = yield* store.download(target.objectKey, local).pipe(
          Effect.map((pin): UploadCondition => ({ _tag: "IfVersion", version: pin.version })),
          Effect.catchTag("ObjectNotFound", () =>
            target.init
              ? initWhereNothingExists(target, local)
              : Effect.fail(
                  new SyncError({
                    reason: `there is no ${target.objectKey} in ${store.description}; start with --init to create it`
                  })
                )
          ),
          Effect.catchTag("StorageError", (error) => Effect.fail(new SyncError({ reason: error.message })))
        )
        const condition = yield* refuseEmpty(target, local, pinned)
        return { local, workDirectory, condition } satisfies PulledDatabase
      })

    /** `PRAGMA integrity_check` must answer exactly "ok"; a file SQLite cannot even open fails it too. */
    const verify = (path: string, stage: string) =>
      integrityReport.pipe(
        Effect.provide(sqliteFile(path)),
        Effect.mapError((cause) => new IntegrityError({ stage, detail: describeCause(cause) })),
        Effect.flatMap((report) =>
          report.length === 1 && report[0] === "ok"
            ? Effect.void
            : Effect.fail(new IntegrityError({ stage, detail: report.slice(0, 5).join("; ") }))
        )
      )

    /**
     * The file to push: one self-contained copy written by SQLite while no other connection is open, proven to be
     * this run's own result (its newest checkpoint is `runId`, completed). A working copy replaced under the run
     * (another job, a person) is refused instead of pushed.
     */
    const snapshot = (local: string, destination: string, runId: string) =>
      vacuumInto(destination).pipe(
        Effect.provide(sqliteFile(local)),
        Effect.mapError(
          (cause) => new LocalFileError({ operation: "write the snapshot", path: destination, reason: cause.message })
        ),
        Effect.zipRight(
          newestCheckpoint.pipe(
            Effect.provide(sqliteFile(destination)),
            Effect.mapError((cause) => new IntegrityError({ stage: "before the push", detail: describeCause(cause) }))
          )
        ),
        Effect.flatMap((newest) =>
          newest?.run_id === runId && newest.status === "completed"
            ? Effect.void
            : Effect.fail(
                new IntegrityError({
                  stage: "before the push",
                  detail: `the snapshot's newest checkpoint is ${newest === undefined ? "missing" : `${newest.run_id} (${newest.status})`}, not this run's ${runId} (completed)`
                })
              )
        )
      )

    /**
     * Pushes `source` to `key` only if `condition` still holds. When it does not, nothing is overwritten: this run's
     * result is kept under `<key>.conflict-<runId>` and the push fails with `SyncConflict`.
     */
    const push = (key: string, source: string, condition: UploadCondition, runId: string) =>
      store.upload(key, source, condition).pipe(
        Effect.catchTag("PreconditionFailed", () => {
          const conflictKey = `${key}.conflict-${runId}`
          return store.upload(conflictKey, source, { _tag: "IfAbsent" }).pipe(
            Effect.mapError((error) => new SyncError({ reason: `conflict copy not saved: ${error.message}` })),
            Effect.zipRight(Metric.increment(conflictsCounter)),
            Effect.flatMap(() => Effect.fail(new SyncConflict({ key, conflictKey })))
          )
        }),
        Effect.catchTag("StorageError", (error) => Effect.fail(new SyncError({ reason: error.message })))
      )

    /** The size of a local file in bytes, if it can be read. */
    const sizeOf = (path: string) =>
      fs.stat(path).pipe(
        Effect.map((info) => Number(info.size)),
        Effect.option
      )

    return { description: store.description, pull, verify, snapshot, push, sizeOf } as const
  })
}) {
  /**
   * A test or demo StorageSync: a directory store in a temporary directory removed with the layer's scope, and
   * that store itself (to seed it and read it back).
   */
  static readonly inTemporaryDirectory = StorageSync.Default.pipe(Layer.provideMerge(temporaryDirectoryStore))
}

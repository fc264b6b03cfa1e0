import { join } from "node:path"
import { FileSystem } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { Duration, Effect, Metric, Schema } from "effect"
import { databaseFile, sqliteFile } from "../app/sqlite.js"
import { describeCause } from "../db/errors.js"
import { runMigrations } from "../db/migrations.js"
import { makeRunId, type RunReport, runOnce } from "../run/index.js"
import { LocalFileError } from "../storage/errors.js"
import { ObjectStore, type UploadCondition } from "../storage/ObjectStore.js"
import type { ProductionConfig } from "./config.js"
import { IntegrityError, SyncConflict, SyncError } from "./errors.js"
import { conflictsCounter, contactsGauge, phaseDuration, rowsCounter } from "./metrics.js"

const IntegrityRow = Schema.Struct({ integrity_check: Schema.String })

/** `PRAGMA integrity_check` must answer exactly "ok"; a file SQLite cannot even open fails it too. */
const integrityCheck = (path: string, stage: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA integrity_check`).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(IntegrityRow))),
    Effect.provide(sqliteFile(path)),
    Effect.mapError((cause) => new IntegrityError({ stage, detail: describeCause(cause) })),
    Effect.flatMap((rows) =>
      rows.length === 1 && rows[0]!.integrity_check === "ok"
        ? Effect.void
        : Effect.fail(
            new IntegrityError({
              stage,
              detail: rows
                .map((r) => r.integrity_check)
                .slice(0, 5)
                .join("; ")
            })
          )
    )
  )

const CheckpointRow = Schema.Struct({ run_id: Schema.String, status: Schema.String })

/**
 * The snapshot about to be pushed must be this run's own result: its newest checkpoint is this run's, completed. A
 * working copy replaced under the run (another job, a person) is refused instead of pushed.
 */
const provenAsThisRuns = (path: string, runId: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => sql`SELECT run_id, status FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1`
  ).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.Array(CheckpointRow))),
    Effect.provide(sqliteFile(path)),
    Effect.mapError((cause) => new IntegrityError({ stage: "before the push", detail: describeCause(cause) })),
    Effect.flatMap((rows) =>
      rows[0]?.run_id === runId && rows[0].status === "completed"
        ? Effect.void
        : Effect.fail(
            new IntegrityError({
              stage: "before the push",
              detail: `the snapshot's newest checkpoint is ${rows[0] === undefined ? "missing" : `${rows[0].run_id} (${rows[0].status})`}, not this run's ${runId} (completed)`
            })
          )
    )
  )

/** A zero-byte object is no database; only `--init` may start a new one in its place (over its pinned version). */
const refuseEmpty = (
  config: ProductionConfig,
  local: string,
  pinned: UploadCondition
): Effect.Effect<UploadCondition, LocalFileError | SyncError | IntegrityError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(local)).pipe(
    Effect.mapError((cause) => new LocalFileError({ operation: "read", path: local, reason: cause.message })),
    Effect.flatMap(
      (info): Effect.Effect<UploadCondition, SyncError | IntegrityError> =>
        info.size > 0n
          ? Effect.succeed(pinned)
          : config.init
            ? Effect.as(createNew(local), pinned)
            : Effect.fail(
                new IntegrityError({
                  stage: "after the pull",
                  detail: `the remote object ${config.objectKey} is empty (0 bytes); start with --init to create a new database over it`
                })
              )
    )
  )

/** One self-contained file (no -wal/-shm), written by SQLite itself while no other connection is open. */
const snapshot = (path: string, destination: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql`VACUUM INTO ${destination}`).pipe(
    Effect.provide(sqliteFile(path)),
    Effect.mapError(
      (cause) => new LocalFileError({ operation: "write the snapshot", path: destination, reason: cause.message })
    )
  )

/** A phase of the run: its own span, logged with its duration, which the phase-duration metric records too. */
const phase = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
  Effect.timed(effect).pipe(
    Effect.tap(([duration]) => {
      const ms = Math.round(Duration.toMillis(duration))
      return Effect.logInfo("phase done").pipe(
        Effect.annotateLogs({ phase: name, ms }),
        Effect.zipRight(Metric.update(Metric.tagged(phaseDuration, "phase", name), ms))
      )
    }),
    Effect.map(([, value]) => value),
    Effect.withSpan(`phase ${name}`, { attributes: { phase: name } })
  )

/** The run's size and writes, as metrics (exported when telemetry is on). */
const recordRunMetrics = (report: RunReport) =>
  Effect.all([
    Metric.set(contactsGauge, report.contacts.total),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "inserted"), report.writes.inserted),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "updated"), report.writes.updated),
    Metric.incrementBy(Metric.tagged(rowsCounter, "change", "deleted"), report.writes.deleted)
  ])

/** `--init`: a new, migrated database whose first push is create-only. */
const createNew = (local: string): Effect.Effect<UploadCondition, SyncError> =>
  runMigrations.pipe(
    Effect.provide(sqliteFile(local)),
    Effect.mapError((error) => new SyncError({ reason: `could not create a new database: ${error.message}` })),
    Effect.as<UploadCondition>({ _tag: "IfAbsent" })
  )

/**
 * `--init` only where nothing of this organization exists: a conflict copy or any other object under the key means a
 * database existed (deleted by mistake, or a path typed wrong), and a new empty one would hide it.
 */
const initWhereNothingExists = (config: ProductionConfig, local: string) =>
  Effect.flatMap(ObjectStore, (store) => store.list(config.objectKey)).pipe(
    Effect.mapError((error) => new SyncError({ reason: error.message })),
    Effect.flatMap((found) =>
      found.length === 0 || config.force
        ? createNew(local)
        : Effect.fail(
            new SyncError({
              reason: `--init refused: ${config.objectKey} does not exist but ${found.slice(0, 3).join(", ")}${found.length > 3 ? ", …" : ""} do; restore the database from them, or start with --init --force to create an empty one anyway`
            })
          )
    )
  )

const missingRemote = (config: ProductionConfig, store: string): Effect.Effect<UploadCondition, SyncError> =>
  Effect.fail(new SyncError({ reason: `there is no ${config.objectKey} in ${store}; start with --init to create it` }))

/**
 * This run's own working directory, `DATA_DIR/<org>-<random>`: no other job sharing `DATA_DIR` ever touches the
 * files of this one, and the directory (the organization's personal data) is removed when the run's scope closes,
 * on success, failure, timeout and interruption alike.
 */
const workingDirectory = (config: ProductionConfig) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.makeDirectory(config.dataDir, { recursive: true }).pipe(
      Effect.zipRight(fs.makeTempDirectoryScoped({ directory: config.dataDir, prefix: `${config.orgId}-` })),
      Effect.mapError(
        (cause) =>
          new LocalFileError({
            operation: "create a working directory in",
            path: config.dataDir,
            reason: cause.message
          })
      )
    )
  )

/**
 * The production run: pull → integrity check → migrate and schedule → integrity check → single-file snapshot →
 * conditional push. A failure before the push pushes nothing; a push whose precondition fails overwrites nothing and
 * keeps this run's result under `<key>.conflict-<runId>`.
 */
export const syncAndRun = (config: ProductionConfig) =>
  Effect.flatMap(makeRunId, (runId) => syncAndRunAs(config, runId).pipe(Effect.annotateLogs({ runId })))

export const syncAndRunAs = (config: ProductionConfig, runId: string) =>
  Effect.gen(function* () {
    const store = yield* ObjectStore
    const work = yield* workingDirectory(config)
    const local = join(work, `${config.orgId}.db`)
    const snapshotPath = join(work, `${config.orgId}.snapshot.db`)
    yield* Effect.logInfo("pulling").pipe(Effect.annotateLogs({ store: store.description, key: config.objectKey }))

    const pulled = yield* phase(
      "pull",
      store.download(config.objectKey, local).pipe(
        Effect.map((pin): UploadCondition => ({ _tag: "IfVersion", version: pin.version })),
        Effect.catchTag("ObjectNotFound", () =>
          config.init ? initWhereNothingExists(config, local) : missingRemote(config, store.description)
        ),
        Effect.catchTag("StorageError", (error) => Effect.fail(new SyncError({ reason: error.message })))
      )
    )
    const condition = yield* refuseEmpty(config, local, pulled)
    yield* phase("integrity check after pull", integrityCheck(local, "after the pull"))
    const report = yield* phase(
      "schedule",
      runOnce({ asOf: config.asOf, dryRun: false, flags: {}, runId }).pipe(Effect.provide(databaseFile(local)))
    )
    yield* recordRunMetrics(report)
    yield* phase("integrity check after run", integrityCheck(local, "after the run"))
    yield* phase("snapshot", snapshot(local, snapshotPath))
    yield* provenAsThisRuns(snapshotPath, report.runId)

    const pushed = yield* phase(
      "push",
      store.upload(config.objectKey, snapshotPath, condition).pipe(
        Effect.catchTag("PreconditionFailed", () => {
          const conflictKey = `${config.objectKey}.conflict-${report.runId}`
          return store.upload(conflictKey, snapshotPath, { _tag: "IfAbsent" }).pipe(
            Effect.mapError((error) => new SyncError({ reason: `conflict copy not saved: ${error.message}` })),
            Effect.zipRight(Metric.increment(conflictsCounter)),
            Effect.flatMap(() => Effect.fail(new SyncConflict({ key: config.objectKey, conflictKey })))
          )
        }),
        Effect.catchTag("StorageError", (error) => Effect.fail(new SyncError({ reason: error.message })))
      )
    )
    const fs = yield* FileSystem.FileSystem
    const databaseBytes = yield* fs.stat(snapshotPath).pipe(
      Effect.map((info) => Number(info.size)),
      Effect.orElseSucceed(() => undefined)
    )
    return { report, version: pushed.version, databaseBytes }
  }).pipe(Effect.scoped, Effect.annotateLogs({ org: config.orgId }))

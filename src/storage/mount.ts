import * as Command from "@effect/platform/Command"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import * as FileSystem from "@effect/platform/FileSystem"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Stream } from "effect"
import { describeCause, isDamagedFile } from "../db/errors.js"
import { MountError } from "../production/errors.js"

export interface MountOptions {
  /** The mount command with its arguments, placeholders already filled in (e.g. gcsfuse BUCKET /mnt/bucket). */
  readonly command: ReadonlyArray<string>
  readonly unmountCommand: ReadonlyArray<string>
  readonly mountPoint: string
}

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  stream.pipe(
    Stream.decodeText(),
    Stream.mkString,
    Effect.orElseSucceed(() => "")
  )

/** Runs a command to its end: its exit code and its standard error (standard output is read and dropped). */
const run = (argv: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const process = yield* Command.start(Command.make(argv[0] ?? "", ...argv.slice(1)))
      const [stderr, , code] = yield* Effect.all([collect(process.stderr), collect(process.stdout), process.exitCode], {
        concurrency: "unbounded"
      })
      return { code: Number(code), stderr }
    })
  )

/** Whether a command ran and exited 0 (a command that cannot start is a no). */
const succeeds = (argv: ReadonlyArray<string>): Effect.Effect<boolean, never, CommandExecutor> =>
  run(argv).pipe(
    Effect.map((result) => result.code === 0),
    Effect.orElseSucceed(() => false)
  )

const isMountPoint = (path: string) => succeeds(["mountpoint", "-q", path])

/**
 * Mounts the bucket (gcsfuse by default, tigrisfs for Tigris, any FUSE command) for the lifetime of the scope, checks
 * that the mount point really is one, and always unmounts in the finalizer: on success, failure and interruption.
 */
export const mountBucket = (options: MountOptions) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const shown = options.command.join(" ")
      const fs = yield* FileSystem.FileSystem
      yield* fs
        .makeDirectory(options.mountPoint, { recursive: true })
        .pipe(Effect.mapError((error) => new MountError({ command: shown, stderr: error.message })))
      const result = yield* run(options.command).pipe(
        Effect.mapError((error) => new MountError({ command: shown, stderr: error.message }))
      )
      if (result.code !== 0)
        return yield* new MountError({ command: shown, stderr: result.stderr || `exit ${result.code}` })
      if (!(yield* isMountPoint(options.mountPoint))) {
        return yield* new MountError({
          command: shown,
          stderr: `${options.mountPoint} is not a mount point after the command`
        })
      }
      yield* Effect.logInfo("mounted").pipe(Effect.annotateLogs({ mountPoint: options.mountPoint }))
      return options.mountPoint
    }),
    () =>
      Effect.gen(function* () {
        if (!(yield* isMountPoint(options.mountPoint))) return
        const result = yield* Effect.either(run(options.unmountCommand))
        yield* result._tag === "Right" && result.right.code === 0
          ? Effect.logInfo("unmounted").pipe(Effect.annotateLogs({ mountPoint: options.mountPoint }))
          : Effect.logError("unmount failed").pipe(
              Effect.annotateLogs({ stderr: result._tag === "Right" ? result.right.stderr : result.left.message })
            )
      })
  )

/**
 * Copies a database through SQLite, so a half-flushed FUSE file is never taken for a database: `sqlite3_rsync` when
 * it is on PATH (it sends only changed pages), otherwise SQLite's online backup API.
 */
export const sqliteCopy = (source: string, destination: string) =>
  Effect.gen(function* () {
    if (yield* succeeds(["sh", "-c", "command -v sqlite3_rsync"])) {
      const result = yield* run(["sqlite3_rsync", source, destination])
      if (result.code !== 0) return yield* Effect.fail(new Error(`sqlite3_rsync failed: ${result.stderr}`))
      return
    }
    yield* Effect.flatMap(SqliteClient.SqliteClient, (client) => client.backup(destination)).pipe(
      Effect.provide(SqliteClient.layer({ filename: source, readonly: true, disableWAL: true })),
      // A damaged file is copied as it is: the integrity check after the pull refuses it (exit 5), in one place.
      Effect.catchIf(isDamagedFile, () =>
        Effect.flatMap(FileSystem.FileSystem, (fs) => fs.copyFile(source, destination))
      ),
      Effect.mapError((cause) => new Error(`copy through SQLite failed: ${describeCause(cause)}`))
    )
  })

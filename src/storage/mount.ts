import { spawnSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { copyFile } from "node:fs/promises"
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { isDamagedFile } from "../db/errors.js"
import { MountError } from "../production/errors.js"

export interface MountOptions {
  /** The mount command with its arguments, placeholders already filled in (e.g. gcsfuse BUCKET /mnt/bucket). */
  readonly command: ReadonlyArray<string>
  readonly unmountCommand: ReadonlyArray<string>
  readonly mountPoint: string
}

const run = (argv: ReadonlyArray<string>) => spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" })

const isMountPoint = (path: string): boolean => run(["mountpoint", "-q", path]).status === 0

/**
 * Mounts the bucket (gcsfuse by default, tigrisfs for Tigris, any FUSE command) for the lifetime of the scope, checks
 * that the mount point really is one, and always unmounts in the finalizer: on success, failure and interruption.
 */
export const mountBucket = (options: MountOptions) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      mkdirSync(options.mountPoint, { recursive: true })
      const result = run(options.command)
      const shown = options.command.join(" ")
      if (result.error !== undefined || result.status !== 0) {
        return yield* new MountError({
          command: shown,
          stderr: result.stderr || String(result.error ?? `exit ${result.status}`)
        })
      }
      if (!isMountPoint(options.mountPoint)) {
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
        if (!isMountPoint(options.mountPoint)) return
        const result = run(options.unmountCommand)
        yield* result.status === 0
          ? Effect.logInfo("unmounted").pipe(Effect.annotateLogs({ mountPoint: options.mountPoint }))
          : Effect.logError("unmount failed").pipe(Effect.annotateLogs({ stderr: result.stderr }))
      })
  )

const onPath = (program: string): boolean => run(["sh", "-c", `command -v ${program}`]).status === 0

/**
 * Copies a database through SQLite, so a half-flushed FUSE file is never taken for a database: `sqlite3_rsync` when
 * it is on PATH (it sends only changed pages), otherwise SQLite's online backup API.
 */
export const sqliteCopy = async (source: string, destination: string): Promise<void> => {
  if (onPath("sqlite3_rsync")) {
    const result = run(["sqlite3_rsync", source, destination])
    if (result.status !== 0) throw new Error(`sqlite3_rsync failed: ${result.stderr}`)
    return
  }
  try {
    const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true })
    try {
      await db.backup(destination)
    } finally {
      db.close()
    }
  } catch (cause) {
    // A damaged file is copied as it is: the integrity check after the pull refuses it (exit 5), in one place.
    if (!isDamagedFile(cause)) throw cause
    await copyFile(source, destination)
  }
}

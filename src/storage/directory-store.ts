import { access, constants, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Layer } from "effect"
import { failureOfTransfer, ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { DEFAULT_LOCK_OPTIONS, type FileLockOptions, withFileLock } from "./file-lock.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

/** Copies one file to another path; the mount mode copies databases through SQLite instead. */
export type CopyFile = (source: string, destination: string) => Promise<void>

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false
  )

/**
 * A local (or mounted) directory as an object store, with a real compare-and-swap on one host: every object has a
 * generation number beside it, and reads and conditional writes happen under an exclusive lock (`file-lock.ts`: an
 * atomic `mkdir` with its owner and expiry, taken over once stale), with new content copied to a staging file and
 * renamed into place.
 */
export const directoryStore = (
  root: string,
  options: { readonly copy?: CopyFile; readonly description?: string; readonly lock?: FileLockOptions } = {}
) => {
  const copy = options.copy ?? ((source: string, destination: string) => copyFile(source, destination))
  const paths = (key: string) => {
    const object = join(root, key)
    return { object, generation: `${object}.generation`, lock: `${object}.lock` }
  }
  const currentGeneration = async (key: string): Promise<number | undefined> => {
    const { object, generation } = paths(key)
    if (!(await exists(object))) return undefined
    return (await exists(generation)) ? Number(await readFile(generation, "utf8")) : 1
  }
  const locked = <A, E>(key: string, body: Effect.Effect<A, E>) =>
    withFileLock(paths(key).lock, key, body, options.lock ?? DEFAULT_LOCK_OPTIONS)

  return ObjectStore.of({
    description: options.description ?? `dir:${root}`,
    download: (key, destination) =>
      locked(
        key,
        Effect.tryPromise({
          try: async () => {
            // The local side first, on its own: a copy's error does not say which side failed.
            await writeFile(destination, "")
            const version = await currentGeneration(key)
            if (version !== undefined) await copy(paths(key).object, destination)
            return version
          },
          catch: failureOfTransfer("download", key, destination)
        }).pipe(
          Effect.flatMap((version) =>
            version === undefined
              ? Effect.fail(new ObjectNotFound({ key }))
              : Effect.succeed({ version: String(version) })
          )
        )
      ),
    list: (prefix: string) =>
      Effect.tryPromise({
        try: async () => {
          const { object } = paths(prefix)
          // `org-data/` names a folder, as an S3 or GCS prefix would: everything in it; `org-data/acme.db` the
          // entries of its folder that start with it.
          const wholeFolder = prefix.endsWith("/")
          const directory = wholeFolder ? object : dirname(object)
          const names = await readdir(directory).catch(() => [] as Array<string>)
          const folder = wholeFolder ? prefix : dirname(prefix) === "." ? "" : `${dirname(prefix)}/`
          return (
            names
              // The store's own bookkeeping beside each object is not an object.
              .filter(
                (name) =>
                  (wholeFolder || name.startsWith(basename(object))) && !/\.(lock|generation)$|\.upload-\d+$/.test(name)
              )
              .map((name) => `${folder}${name}`)
              .sort()
          )
        },
        catch: (cause) =>
          new StorageError({
            operation: "list",
            key: prefix,
            reason: cause instanceof Error ? cause.message : String(cause)
          })
      }),
    upload: (key: string, source: string, condition: UploadCondition) =>
      locked(
        key,
        Effect.tryPromise({
          try: async () => {
            await access(source, constants.R_OK)
            const current = await currentGeneration(key)
            const matches =
              condition._tag === "IfAbsent"
                ? current === undefined
                : current !== undefined && String(current) === condition.version
            if (!matches) return undefined
            const { object, generation } = paths(key)
            const next = (current ?? 0) + 1
            const staging = `${object}.upload-${process.pid}`
            await mkdir(dirname(object), { recursive: true })
            await rm(staging, { force: true })
            await copy(source, staging)
            await rename(staging, object)
            await writeFile(generation, String(next))
            return next
          },
          catch: failureOfTransfer("upload", key, source)
        }).pipe(
          Effect.flatMap((next) =>
            next === undefined
              ? Effect.fail(
                  new PreconditionFailed({ key, expected: condition._tag === "IfAbsent" ? "none" : condition.version })
                )
              : Effect.succeed({ version: String(next) })
          )
        )
      )
  })
}

/** A directory store in a private temporary directory, removed when the layer's scope closes (tests, demos). */
export const temporaryDirectoryStore = Layer.scoped(
  ObjectStore,
  Effect.map(
    Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "email-scheduler-store-" })),
    (root) => directoryStore(root)
  )
)

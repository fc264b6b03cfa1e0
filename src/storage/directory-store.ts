import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { Effect, Layer, Schedule } from "effect"
import { ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

/** Copies one file to another path; the mount mode copies databases through SQLite instead. */
export type CopyFile = (source: string, destination: string) => Promise<void>

class Locked extends Error {}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false
  )

/**
 * A local (or mounted) directory as an object store, with a real compare-and-swap on one host: every object has a
 * generation number beside it, and reads and conditional writes happen under an exclusive lock (an atomic `mkdir`),
 * with new content copied to a staging file and renamed into place.
 */
export const directoryStore = (
  root: string,
  options: { readonly copy?: CopyFile; readonly description?: string } = {}
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
  const failure = (operation: string, key: string) => (cause: unknown) =>
    new StorageError({ operation, key, reason: cause instanceof Error ? cause.message : String(cause) })

  /** Runs `body` while holding the key's lock; waits (up to ~10 s) while another process holds it. */
  const locked = <A, E>(operation: string, key: string, body: Effect.Effect<A, E>) => {
    const { lock } = paths(key)
    const acquire = Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(lock), { recursive: true })
        try {
          await mkdir(lock)
        } catch {
          throw new Locked()
        }
      },
      catch: (cause) => (cause instanceof Locked ? cause : failure(operation, key)(cause))
    }).pipe(
      Effect.retry({ while: (error) => error instanceof Locked, schedule: Schedule.spaced("50 millis"), times: 200 }),
      Effect.catchIf(
        (error): error is Locked => error instanceof Locked,
        () => Effect.fail(new StorageError({ operation, key, reason: "the object stayed locked for 10 s" }))
      )
    )
    return Effect.acquireUseRelease(
      acquire,
      () => body,
      () => Effect.promise(() => rm(lock, { recursive: true, force: true }))
    )
  }

  return ObjectStore.of({
    description: options.description ?? `dir:${root}`,
    download: (key, destination) =>
      locked(
        "download",
        key,
        Effect.tryPromise({
          try: async () => {
            const version = await currentGeneration(key)
            if (version !== undefined) await copy(paths(key).object, destination)
            return version
          },
          catch: failure("download", key)
        }).pipe(
          Effect.flatMap((version) =>
            version === undefined
              ? Effect.fail(new ObjectNotFound({ key }))
              : Effect.succeed({ version: String(version) })
          )
        )
      ),
    upload: (key: string, source: string, condition: UploadCondition) =>
      locked(
        "upload",
        key,
        Effect.tryPromise({
          try: async () => {
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
          catch: failure("upload", key)
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

export const DirectoryStoreLive = (root: string) => Layer.succeed(ObjectStore, directoryStore(root))

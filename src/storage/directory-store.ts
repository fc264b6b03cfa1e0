import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { Effect, Layer, Schedule } from "effect"
import { ObjectNotFound, PreconditionFailed, StorageError } from "./errors.js"
import { ObjectStore, type UploadCondition } from "./ObjectStore.js"

class Locked extends Error {}

/**
 * A local directory as an object store, with a real compare-and-swap on one host: every object has a generation
 * number beside it, and reads and conditional writes happen under an exclusive lock (an atomic `mkdir`), with the
 * new content renamed into place. For local runs, tests and a shared volume on one machine.
 */
export const directoryStore = (root: string) => {
  const paths = (key: string) => {
    const object = join(root, key)
    return { object, generation: `${object}.generation`, lock: `${object}.lock` }
  }
  const currentGeneration = (generationPath: string, objectPath: string): number | undefined => {
    if (!existsSync(objectPath)) return undefined
    return existsSync(generationPath) ? Number(readFileSync(generationPath, "utf8")) : 1
  }
  /** Runs `body` while holding the key's lock; waits (up to ~10 s) while another process holds it. */
  const locked = <A>(operation: string, key: string, body: () => A) =>
    Effect.try({
      try: () => {
        const { lock } = paths(key)
        mkdirSync(dirname(lock), { recursive: true })
        try {
          mkdirSync(lock)
        } catch {
          throw new Locked()
        }
        try {
          return body()
        } finally {
          rmSync(lock, { recursive: true, force: true })
        }
      },
      catch: (cause) => (cause instanceof Locked ? cause : new StorageError({ operation, key, reason: String(cause) }))
    }).pipe(
      Effect.retry({ while: (error) => error instanceof Locked, schedule: Schedule.spaced("50 millis"), times: 200 }),
      Effect.catchIf(
        (error): error is Locked => error instanceof Locked,
        () => Effect.fail(new StorageError({ operation, key, reason: "the object stayed locked for 10 s" }))
      )
    )

  return ObjectStore.of({
    description: `dir:${root}`,
    download: (key, destination) =>
      Effect.flatMap(
        locked("download", key, () => {
          const { object, generation } = paths(key)
          const version = currentGeneration(generation, object)
          if (version !== undefined) copyFileSync(object, destination)
          return version
        }),
        (version) =>
          version === undefined
            ? Effect.fail(new ObjectNotFound({ key }))
            : Effect.succeed({ version: String(version) })
      ),
    upload: (key: string, source: string, condition: UploadCondition) =>
      Effect.flatMap(
        locked("upload", key, () => {
          const { object, generation } = paths(key)
          const current = currentGeneration(generation, object)
          const matches =
            condition._tag === "IfAbsent"
              ? current === undefined
              : current !== undefined && String(current) === condition.version
          if (!matches) return undefined
          const next = (current ?? 0) + 1
          const staging = `${object}.upload-${process.pid}`
          mkdirSync(dirname(object), { recursive: true })
          copyFileSync(source, staging)
          renameSync(staging, object)
          writeFileSync(generation, String(next))
          return next
        }),
        (next) =>
          next === undefined
            ? Effect.fail(
                new PreconditionFailed({ key, expected: condition._tag === "IfAbsent" ? "none" : condition.version })
              )
            : Effect.succeed({ version: String(next) })
      )
  })
}

export const DirectoryStoreLive = (root: string) => Layer.succeed(ObjectStore, directoryStore(root))

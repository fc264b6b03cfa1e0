import { randomUUID } from "node:crypto"
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import { Duration, Effect, Either, Schedule, Schema } from "effect"
import { StorageError } from "./errors.js"

/** Who holds a lock and until when: written as `owner.json` inside the lock directory, refreshed while it is held. */
const LockOwner = Schema.parseJson(
  Schema.Struct({
    token: Schema.String,
    host: Schema.String,
    pid: Schema.Number,
    expiresAt: Schema.Number
  })
)
type LockOwner = typeof LockOwner.Type

export interface FileLockOptions {
  /** How long a lock stays valid without a refresh; its holder refreshes it every third of that. */
  readonly ttl: Duration.DurationInput
  /** How long to wait for a lock held by someone alive before giving up. */
  readonly wait: Duration.DurationInput
}

export const DEFAULT_LOCK_OPTIONS: FileLockOptions = { ttl: "60 seconds", wait: "75 seconds" }

class Busy {
  readonly _tag = "Busy"
  constructor(readonly owner: LockOwner | undefined) {}
}

const ownerFile = (lock: string) => join(lock, "owner.json")

const readOwner = async (lock: string): Promise<LockOwner | undefined> => {
  const text = await readFile(ownerFile(lock), "utf8").catch(() => undefined)
  if (text === undefined) return undefined
  return Either.getOrUndefined(Schema.decodeUnknownEither(LockOwner)(text))
}

const writeOwner = async (lock: string, owner: LockOwner) => {
  const staging = `${ownerFile(lock)}.${owner.token}`
  await writeFile(staging, JSON.stringify(owner))
  await rename(staging, ownerFile(lock))
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * A lock nobody will release: expired, or held by a process of this host that no longer runs (a job killed with
 * `kill -9`, or by Fly after its 5 s kill timeout). A lock without a readable owner file (its holder died between
 * creating it and writing the file) counts from the directory's modification time.
 */
const isStale = async (lock: string, owner: LockOwner | undefined, now: number, ttlMs: number) => {
  if (owner === undefined) {
    const created = await stat(lock).then(
      (s) => s.mtimeMs,
      () => now
    )
    return created + ttlMs < now
  }
  return owner.expiresAt < now || (owner.host === hostname() && !isAlive(owner.pid))
}

const errnoOf = (cause: unknown) => (cause as NodeJS.ErrnoException | undefined)?.code

/**
 * Moves a stale lock aside under a name of its own and removes it. If, between reading the stale owner and moving the
 * directory, someone else took it over and a fresh holder created a new lock, the fresh lock is put back.
 */
const takeOver = async (lock: string, stale: LockOwner | undefined) => {
  const aside = `${lock}.stale-${stale?.token ?? randomUUID()}`
  try {
    await rename(lock, aside)
  } catch (cause) {
    if (errnoOf(cause) === "ENOENT" || errnoOf(cause) === "ENOTEMPTY" || errnoOf(cause) === "EEXIST") return
    throw cause
  }
  const moved = await readOwner(aside)
  if (moved !== undefined && moved.token !== stale?.token) {
    await rename(aside, lock).catch(() => undefined)
    return
  }
  await rm(aside, { recursive: true, force: true })
}

/**
 * Runs `body` while holding the lock directory `lock` (an atomic `mkdir`). The lock records its owner and an expiry
 * that a background fiber refreshes while `body` runs; a stale lock (see `isStale`) is taken over, so a killed job
 * never blocks later runs. Release removes the lock only if it is still this holder's.
 */
export const withFileLock = <A, E>(
  lock: string,
  key: string,
  body: Effect.Effect<A, E>,
  options: FileLockOptions = DEFAULT_LOCK_OPTIONS
): Effect.Effect<A, E | StorageError> => {
  const ttlMs = Duration.toMillis(options.ttl)
  const token = randomUUID()
  const owner = (): LockOwner => ({ token, host: hostname(), pid: process.pid, expiresAt: Date.now() + ttlMs })
  const failure = (cause: unknown) =>
    new StorageError({ operation: "lock", key, reason: cause instanceof Error ? cause.message : String(cause) })

  const attempt = Effect.tryPromise({
    try: async () => {
      await mkdir(dirname(lock), { recursive: true })
      try {
        await mkdir(lock)
      } catch (cause) {
        if (errnoOf(cause) !== "EEXIST") throw cause
        const holder = await readOwner(lock)
        if (await isStale(lock, holder, Date.now(), ttlMs)) await takeOver(lock, holder)
        throw new Busy(holder)
      }
      await writeOwner(lock, owner())
    },
    catch: (cause) => (cause instanceof Busy ? cause : failure(cause))
  })
  const acquire = attempt.pipe(
    Effect.retry({
      while: (error) => error instanceof Busy,
      schedule: Schedule.spaced("50 millis").pipe(Schedule.upTo(options.wait))
    }),
    Effect.catchIf(
      (error): error is Busy => error instanceof Busy,
      (busy) =>
        Effect.fail(
          new StorageError({
            operation: "lock",
            key,
            reason:
              busy.owner === undefined
                ? `${lock} is held by an unknown owner`
                : `${lock} is held by process ${busy.owner.pid} on ${busy.owner.host} until ${new Date(busy.owner.expiresAt).toISOString()}`
          })
        )
    )
  )
  const refresh = Effect.promise(async () => {
    const current = await readOwner(lock)
    if (current?.token === token) await writeOwner(lock, owner()).catch(() => undefined)
  }).pipe(Effect.repeat(Schedule.spaced(Duration.millis(ttlMs / 3))))
  const release = Effect.promise(async () => {
    if ((await readOwner(lock))?.token === token) await rm(lock, { recursive: true, force: true })
  })
  return Effect.acquireUseRelease(
    acquire,
    // The refresher must stay interruptible even when the caller is not (a finalizer, `Effect.onExit`): a fiber forked
    // there inherits uninterruptibility, and closing the scope would then wait for it forever.
    () => Effect.scoped(Effect.zipRight(Effect.forkScoped(Effect.interruptible(refresh)), body)),
    () => release
  )
}

import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { directoryStore } from "../../src/storage/directory-store.js"
import { withFileLock } from "../../src/storage/file-lock.js"
import { useTempDir } from "../support/files.js"
import { useMounts } from "../support/mounts.js"

const dir = useTempDir("file-lock")
const LOCK_MODULE = fileURLToPath(new URL("../../dist/src/storage/file-lock.js", import.meta.url))
const FAST = { ttl: "1 second", wait: "3 seconds" } as const
const mounts = useMounts()

const owner = (lock: string) => JSON.parse(readFileSync(join(lock, "owner.json"), "utf8"))

/** A seeded directory store and the path of its key's lock. */
const seeded = (name: string) =>
  Effect.gen(function* () {
    const root = join(dir, name)
    const source = join(dir, `${name}.bin`)
    writeFileSync(source, "version one")
    const store = directoryStore(root, { lock: FAST })
    yield* store.upload("org-data/acme.db", source, { _tag: "IfAbsent" })
    return { root, store, source, lock: join(root, "org-data/acme.db.lock") }
  })

describe("the directory store's lock (issue 12: a lock that heals)", () => {
  it.live("records its owner and expiry while held, and is gone afterwards", () =>
    Effect.gen(function* () {
      const lock = join(dir, "plain.lock")
      const seen = yield* withFileLock(
        lock,
        "k",
        Effect.sync(() => owner(lock)),
        FAST
      )
      assert.strictEqual(seen.pid, process.pid)
      assert.strictEqual(seen.host, hostname())
      assert.isAbove(seen.expiresAt, Date.now())
      assert.isFalse(existsSync(lock))
    })
  )

  it.live("a lock taken from a finalizer (uninterruptible) is released and returns: no wait for its refresher", () =>
    Effect.gen(function* () {
      const lock = join(dir, "finalizer.lock")
      const held = yield* withFileLock(lock, "k", Effect.succeed("held"), FAST).pipe(
        Effect.uninterruptible,
        Effect.timeout("5 seconds")
      )
      assert.strictEqual(held, "held")
      assert.isFalse(existsSync(lock))
    })
  )

  it.live("a lock left by a job killed with SIGKILL is taken over at once (its process is gone)", () =>
    Effect.gen(function* () {
      const { store, lock } = yield* seeded("killed")
      // A real child process takes the store's lock and is killed while holding it.
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { withFileLock } from ${JSON.stringify(LOCK_MODULE)}
           import { Effect } from "effect"
           Effect.runFork(withFileLock(${JSON.stringify(lock)}, "k", Effect.zipRight(Effect.sync(() => console.log("held")), Effect.never)))`
        ],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] }
      )
      yield* Effect.promise(() => new Promise<void>((resolve) => child.stdout.once("data", () => resolve())))
      assert.strictEqual(owner(lock).pid, child.pid)
      child.kill("SIGKILL")
      yield* Effect.promise(() => new Promise<void>((resolve) => child.once("exit", () => resolve())))
      assert.isTrue(existsSync(lock), "the killed job left its lock behind")
      const started = Date.now()
      const pinned = yield* store.download("org-data/acme.db", join(dir, "after-kill.bin"))
      assert.strictEqual(pinned.version, "1")
      assert.isBelow(Date.now() - started, 1000, "no waiting for the expiry: the holder is known dead")
      assert.isFalse(existsSync(lock))
    })
  )

  it.live("an expired lock of another machine is taken over; a live one is waited for, then reported", () =>
    Effect.gen(function* () {
      const { store, lock, source } = yield* seeded("remote-holder")
      mkdirSync(lock)
      const foreign = { token: "t-1", host: "another-machine", pid: 1, expiresAt: Date.now() + 60_000 }
      writeFileSync(join(lock, "owner.json"), JSON.stringify(foreign))
      const refused = yield* Effect.exit(store.upload("org-data/acme.db", source, { _tag: "IfVersion", version: "1" }))
      assert.isTrue(Exit.isFailure(refused))
      assert.include(String(refused), "held by process 1 on another-machine until")
      writeFileSync(join(lock, "owner.json"), JSON.stringify({ ...foreign, expiresAt: Date.now() - 1 }))
      const pushed = yield* store.upload("org-data/acme.db", source, { _tag: "IfVersion", version: "1" })
      assert.strictEqual(pushed.version, "2")
    })
  )

  it.live("a lock whose owner file never got written counts from its creation time", () =>
    Effect.gen(function* () {
      const { store, lock } = yield* seeded("ownerless")
      mkdirSync(lock)
      const started = Date.now()
      yield* store.download("org-data/acme.db", join(dir, "ownerless.bin"))
      assert.isAtLeast(Date.now() - started, 900, "waited for the lock's ttl")
    })
  )

  it.live("a read-only store directory is named as such at once, not reported as a lock held for 10 s", () =>
    Effect.gen(function* () {
      const { root } = yield* seeded("read-only-store")
      const mounted = mounts.readOnly(root, join(dir, "read-only-store-mount"))
      if (mounted === undefined) {
        console.warn("skipped: this sandbox allows no read-only bind mount (needs root and mount(8))")
        return
      }
      const store = directoryStore(mounted, { lock: FAST })
      const started = Date.now()
      const exit = yield* Effect.exit(store.download("org-data/acme.db", join(dir, "from-read-only.bin")))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "read-only file system")
      assert.isBelow(Date.now() - started, 1000, "no waiting for a lock that cannot be taken")
    })
  )

  it.live("a holder keeps its lock fresh while it works longer than the ttl; nobody takes it over", () =>
    Effect.gen(function* () {
      const lock = join(dir, "long.lock")
      const other = Effect.exit(withFileLock(lock, "k", Effect.void, { ttl: "1 second", wait: "500 millis" }))
      const result = yield* withFileLock(lock, "k", Effect.sleep("2500 millis").pipe(Effect.zipRight(other)), {
        ttl: "1 second",
        wait: "1 second"
      })
      assert.isTrue(Exit.isFailure(result), "the lock was still held (refreshed) after 2.5 ttl")
    })
  )
})

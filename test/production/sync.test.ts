import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Cause, Duration, Effect, Exit, Layer, Option } from "effect"
import type { ProductionConfig } from "../../src/production/config.js"
import { exitCodeOf } from "../../src/production/errors.js"
import { StorageSync } from "../../src/production/StorageSync.js"
import { syncAndRun } from "../../src/production/sync.js"
import { RunServicesLive } from "../../src/run/index.js"
import { directoryStore } from "../../src/storage/directory-store.js"
import { ObjectStore } from "../../src/storage/ObjectStore.js"
import { useTempDir } from "../support/files.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("sync")
const KEY = "org-data/acme.db"

const config = (name: string, storeDir: string, asOf = "2026-12-01"): ProductionConfig => ({
  orgId: "acme",
  storage: { _tag: "dir", directory: storeDir },
  syncMode: "api",
  mount: { point: "", command: "", unmountCommand: "" },
  dataDir: join(dir, `data-${name}`),
  objectKey: KEY,
  asOf: Option.some(asOf),
  init: false,
  force: false,
  jobTimeout: Duration.minutes(10),
  fleetReportKey: Option.none()
})

/**
 * StorageSync over the store under test, the local file system (the run's working directory lives in DATA_DIR) and
 * the live rules and clock.
 */
const storeLayer = (store: typeof ObjectStore.Service) =>
  StorageSync.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(ObjectStore, store), NodeFileSystem.layer, RunServicesLive))
  )

const seededStore = (name: string) =>
  Effect.gen(function* () {
    const storeDir = join(dir, `store-${name}`)
    const source = yield* generatedCopy(dir, `${name}.sqlite`, 500, 3, "2026-11-29")
    const store = directoryStore(storeDir)
    yield* store.upload(KEY, source, { _tag: "IfAbsent" })
    return { storeDir, store }
  })

const emailRows = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true })
  const n = (
    db.prepare("SELECT count(*) AS n FROM email_schedules WHERE scheduler_run_id IS NOT NULL").get() as { n: number }
  ).n
  db.close()
  return n
}

describe("directory store: a real compare-and-swap on one host", () => {
  it.effect("pins versions on download and refuses stale or duplicate uploads", () =>
    Effect.gen(function* () {
      const store = directoryStore(join(dir, "cas"))
      const file = join(dir, "payload.bin")
      writeFileSync(file, "one")
      assert.strictEqual((yield* store.upload("k", file, { _tag: "IfAbsent" })).version, "1")
      const again = yield* Effect.exit(store.upload("k", file, { _tag: "IfAbsent" }))
      assert.isTrue(Exit.isFailure(again) && String(again.cause).includes("PreconditionFailed"))
      const pinned = yield* store.download("k", join(dir, "copy.bin"))
      writeFileSync(file, "two")
      assert.strictEqual((yield* store.upload("k", file, { _tag: "IfVersion", version: pinned.version })).version, "2")
      const stale = yield* Effect.exit(store.upload("k", file, { _tag: "IfVersion", version: pinned.version }))
      assert.isTrue(Exit.isFailure(stale) && String(stale.cause).includes("PreconditionFailed"))
      const missing = yield* Effect.exit(store.download("absent", join(dir, "x.bin")))
      assert.isTrue(Exit.isFailure(missing) && String(missing.cause).includes("ObjectNotFound"))
      yield* store.download("k", join(dir, "copy.bin"))
      assert.strictEqual(readFileSync(join(dir, "copy.bin"), "utf8"), "two")
    })
  )
})

describe("sync: pull → check → run → check → snapshot → conditional push", () => {
  it.effect("two runs started from the same version: one push wins, the other is a SyncConflict kept aside", () =>
    Effect.gen(function* () {
      const { storeDir, store } = yield* seededStore("race")
      const winner = config("winner", storeDir, "2026-12-02")
      const loser = config("loser", storeDir, "2026-12-01")
      // The loser pulls first; the winner runs completely before the loser pushes.
      const racing = storeLayer(
        ObjectStore.of({
          ...store,
          upload: (key, source, condition) =>
            key === KEY
              ? Effect.zipRight(
                  syncAndRun(winner).pipe(Effect.provide(storeLayer(store)), Effect.orDie),
                  store.upload(key, source, condition)
                )
              : store.upload(key, source, condition)
        })
      )
      const exit = yield* Effect.exit(syncAndRun(loser).pipe(Effect.provide(racing)))
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit) ? String(exit.cause) : ""
      assert.include(failure, "SyncConflict")
      const stored = join(storeDir, KEY)
      assert.strictEqual(readFileSync(`${stored}.generation`, "utf8"), "2", "exactly one push won")
      const conflict = failure.match(/conflict-(run_\w+)/)?.[1]
      assert.isDefined(conflict)
      const conflictPath = join(storeDir, `${KEY}.conflict-${conflict}`)
      assert.isTrue(existsSync(conflictPath), "the loser's result is kept under its conflict key")
      const checkpoint = (path: string) => {
        const db = new BetterSqlite3(path, { readonly: true })
        const row = db.prepare("SELECT as_of_date FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1").get() as {
          as_of_date: string
        }
        db.close()
        return row.as_of_date
      }
      assert.strictEqual(checkpoint(stored), "2026-12-02", "the stored database is the winner's")
      assert.strictEqual(checkpoint(conflictPath), "2026-12-01")
    })
  )

  it.effect("a corrupt remote copy is refused and nothing is pushed", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "store-corrupt")
      const store = directoryStore(storeDir)
      const broken = join(dir, "broken.db")
      const source = yield* generatedCopy(dir, "corrupt-source.sqlite", 200, 3, "2026-11-29")
      writeFileSync(broken, readFileSync(source).subarray(0, 20_000))
      yield* store.upload(KEY, broken, { _tag: "IfAbsent" })
      const exit = yield* Effect.exit(syncAndRun(config("corrupt", storeDir)).pipe(Effect.provide(storeLayer(store))))
      assert.isTrue(Exit.isFailure(exit) && String(exit.cause).includes("IntegrityError"))
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1")
      assert.isTrue(readFileSync(join(storeDir, KEY)).equals(readFileSync(broken)))
    })
  )

  it.effect("a scheduling failure pushes nothing", () =>
    Effect.gen(function* () {
      const { storeDir, store } = yield* seededStore("failing")
      const local = join(dir, "failing-edit.sqlite")
      yield* store.download(KEY, local)
      const db = new BetterSqlite3(local)
      db.exec("CREATE TRIGGER refuse BEFORE INSERT ON email_schedules BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
      db.close()
      const pinned = yield* store.download(KEY, join(dir, "ignored.sqlite"))
      yield* store.upload(KEY, local, { _tag: "IfVersion", version: pinned.version })
      const before = readFileSync(join(storeDir, KEY))
      const exit = yield* Effect.exit(syncAndRun(config("failing", storeDir)).pipe(Effect.provide(storeLayer(store))))
      assert.isTrue(Exit.isFailure(exit) && String(exit.cause).includes("disk says no"))
      assert.isTrue(readFileSync(join(storeDir, KEY)).equals(before))
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "2")
    })
  )

  it.effect("a successful run pushes one self-contained file with the new plan", () =>
    Effect.gen(function* () {
      const { storeDir, store } = yield* seededStore("success")
      const { report, version } = yield* syncAndRun(config("success", storeDir)).pipe(Effect.provide(storeLayer(store)))
      assert.strictEqual(version, "2")
      const pulled = join(dir, "pulled.sqlite")
      copyFileSync(join(storeDir, KEY), pulled)
      assert.strictEqual(emailRows(pulled), report.plan.rows)
      assert.isFalse(existsSync(join(storeDir, `${KEY}-wal`)))
      assert.deepStrictEqual(readdirSync(join(dir, "data-success")), [], "the working copy (personal data) is removed")
    })
  )

  it.effect("two jobs sharing one DATA_DIR each work on their own copy, push their own plan, and leave nothing", () =>
    Effect.gen(function* () {
      const first = yield* seededStore("shared-a")
      const second = yield* seededStore("shared-b")
      const shared = (storeDir: string, asOf: string) => ({ ...config("shared", storeDir, asOf) })
      const [a, b] = yield* Effect.all(
        [
          syncAndRun(shared(first.storeDir, "2026-12-01")).pipe(Effect.provide(storeLayer(first.store))),
          syncAndRun(shared(second.storeDir, "2026-12-02")).pipe(Effect.provide(storeLayer(second.store)))
        ],
        { concurrency: 2 }
      )
      for (const [storeDir, report, asOf] of [
        [first.storeDir, a.report, "2026-12-01"],
        [second.storeDir, b.report, "2026-12-02"]
      ] as const) {
        const db = new BetterSqlite3(join(storeDir, KEY), { readonly: true })
        const checkpoint = db
          .prepare("SELECT run_id, as_of_date, status FROM scheduler_checkpoints ORDER BY id DESC LIMIT 1")
          .get()
        db.close()
        assert.deepStrictEqual(checkpoint, { run_id: report.runId, as_of_date: asOf, status: "completed" })
      }
      assert.deepStrictEqual(readdirSync(join(dir, "data-shared")), [])
    })
  )

  it.effect(
    "a zero-byte remote object is refused (integrity, exit 5) unless --init, which starts a database over it",
    () =>
      Effect.gen(function* () {
        const storeDir = join(dir, "store-empty")
        const store = directoryStore(storeDir)
        const empty = join(dir, "empty.db")
        writeFileSync(empty, "")
        yield* store.upload(KEY, empty, { _tag: "IfAbsent" })
        const refused = yield* Effect.exit(
          syncAndRun(config("empty", storeDir)).pipe(Effect.provide(storeLayer(store)))
        )
        const failure = Exit.isFailure(refused) ? Cause.failureOption(refused.cause) : Option.none()
        assert.isTrue(Option.isSome(failure) && failure.value._tag === "IntegrityError", String(refused))
        assert.include(String(refused), "is empty (0 bytes)")
        assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "1", "nothing pushed")
        const created = yield* syncAndRun({ ...config("empty-init", storeDir), init: true }).pipe(
          Effect.provide(storeLayer(store))
        )
        assert.strictEqual(created.version, "2")
        assert.isAbove(readFileSync(join(storeDir, KEY)).length, 0)
      })
  )

  it.effect("a snapshot whose newest checkpoint is not this run's completed one is never pushed", () =>
    Effect.gen(function* () {
      const { storeDir, store } = yield* seededStore("foreign-checkpoint")
      // Someone else's run writes into the same file while ours completes (what a shared working copy did).
      const local = join(dir, "foreign-edit.sqlite")
      const pinned = yield* store.download(KEY, local)
      const db = new BetterSqlite3(local)
      db.exec(`CREATE TRIGGER intruder AFTER UPDATE OF status ON scheduler_checkpoints WHEN NEW.status = 'completed'
               BEGIN INSERT INTO scheduler_checkpoints (run_id, as_of_date, started_at, status)
                     VALUES ('run_someone_else', NEW.as_of_date, NEW.started_at, 'started'); END`)
      db.close()
      yield* store.upload(KEY, local, { _tag: "IfVersion", version: pinned.version })
      const exit = yield* Effect.exit(
        syncAndRun(config("foreign-checkpoint", storeDir)).pipe(Effect.provide(storeLayer(store)))
      )
      assert.isTrue(Exit.isFailure(exit) && String(exit.cause).includes("not this run's"), String(exit))
      assert.strictEqual(readFileSync(join(storeDir, `${KEY}.generation`), "utf8"), "2", "nothing pushed")
    })
  )

  it.effect("--init refuses to start over where conflict copies of the database exist, unless --force", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "store-init-conflicts")
      const store = directoryStore(storeDir)
      const leftover = join(dir, "leftover.db")
      writeFileSync(leftover, "a conflict copy")
      yield* store.upload(`${KEY}.conflict-run_20261130T000000Z_abcd`, leftover, { _tag: "IfAbsent" })
      const refused = yield* Effect.exit(
        syncAndRun({ ...config("init-conflicts", storeDir), init: true }).pipe(Effect.provide(storeLayer(store)))
      )
      assert.isTrue(Exit.isFailure(refused) && String(refused.cause).includes("--init refused"), String(refused))
      assert.isFalse(existsSync(join(storeDir, KEY)), "nothing was created")
      const forced = yield* syncAndRun({ ...config("init-forced", storeDir), init: true, force: true }).pipe(
        Effect.provide(storeLayer(store))
      )
      assert.strictEqual(forced.version, "1")
      assert.isTrue(existsSync(join(storeDir, KEY)))
    })
  )

  it.effect("a failed run removes its working copy too", () =>
    Effect.gen(function* () {
      const storeDir = join(dir, "store-failed-cleanup")
      const exit = yield* Effect.exit(
        syncAndRun(config("failed-cleanup", storeDir)).pipe(Effect.provide(storeLayer(directoryStore(storeDir))))
      )
      assert.isTrue(Exit.isFailure(exit) && String(exit.cause).includes("SyncError"), "no remote copy: a SyncError")
      assert.deepStrictEqual(readdirSync(join(dir, "data-failed-cleanup")), [])
    })
  )

  it.effect("a working directory that cannot be created is a local file error (exit 6), not a sync failure", () =>
    Effect.gen(function* () {
      const { storeDir, store } = yield* seededStore("local-error")
      const blocker = join(dir, "a-file-not-a-directory")
      writeFileSync(blocker, "")
      const exit = yield* Effect.exit(
        syncAndRun({ ...config("local-error", storeDir), dataDir: join(blocker, "data") }).pipe(
          Effect.provide(storeLayer(store))
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(failure) && failure.value._tag === "LocalFileError", String(exit))
      assert.strictEqual(exitCodeOf("LocalFileError"), 6)
    })
  )
})

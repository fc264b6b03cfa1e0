import { spawn, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { BIN, runCli } from "../support/cli.js"
import { useTempDir } from "../support/files.js"
import { useMounts } from "../support/mounts.js"
import { generatedCopy } from "../support/organization.js"

const dir = useTempDir("read-only")
const AS_OF = "2026-11-29"
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3")

/**
 * A database left in WAL mode by a process that died mid-write: its last transaction (contact 999999) is only in the
 * `-wal` file. Killed with SIGKILL, so SQLite never checkpoints or removes the WAL.
 */
const leftInWalMode = (path: string) => {
  const script = `
    import Database from ${JSON.stringify(BETTER_SQLITE3)}
    const db = new Database(${JSON.stringify(path)})
    db.pragma("journal_mode = WAL")
    db.pragma("wal_autocheckpoint = 0")
    db.prepare("INSERT INTO contacts (id, email, state, zip_code, birth_date, effective_date) VALUES (999999, 'wal@example.com', 'TX', '75001', '1950-01-15', '2019-02-01')").run()
    process.kill(process.pid, "SIGKILL")`
  spawnSync(process.execPath, ["--input-type=module", "-e", script])
}

const mounts = useMounts()

describe("commands that write nothing work on a read-only database (issue 15)", () => {
  it.effect("explain, report, run --dry-run and preview succeed on a WAL database in a read-only directory", () =>
    Effect.gen(function* () {
      const writable = join(dir, "source")
      mkdirSync(writable, { recursive: true })
      const generated = yield* generatedCopy(dir, "org.sqlite", 1500, 6, AS_OF)
      const path = join(writable, "org.sqlite")
      copyFileSync(generated, path)
      leftInWalMode(path)
      assert.isTrue(existsSync(`${path}-wal`), "the WAL holds the last transaction")
      const mounted = mounts.readOnly(writable, join(dir, "mounted"))
      if (mounted === undefined) {
        console.warn("skipped: this sandbox allows no read-only bind mount (needs root and mount(8))")
        return
      }
      const db = join(mounted, "org.sqlite")
      const explain = runCli(["explain", "--db", db, "--contact", "999999", "--as-of", AS_OF])
      assert.strictEqual(explain.code, 0, explain.stderr)
      assert.include(explain.stdout, "999999", "the contact only the WAL holds is there")
      const report = runCli(["report", "--db", db, "--out", join(dir, "report.html"), "--as-of", AS_OF])
      assert.strictEqual(report.code, 0, report.stderr)
      const dryRun = runCli(["run", "--db", db, "--dry-run", "--as-of", AS_OF])
      assert.strictEqual(dryRun.code, 0, dryRun.stderr)
      const preview = runCli(["preview", "--db", db, "--from", AS_OF, "--to", "2026-12-01"])
      assert.strictEqual(preview.code, 0, preview.stderr)
    })
  )

  it.live("a dry run never blocks the sender: writes succeed at once while it runs", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "busy.sqlite", 15_000, 6, AS_OF)
      // An organization's database after its first run is in WAL mode, where a reader never blocks a writer.
      assert.strictEqual(runCli(["run", "--db", path, "--as-of", AS_OF]).code, 0)
      const child = spawn(process.execPath, [BIN, "run", "--db", path, "--dry-run", "--as-of", AS_OF], {
        env: { ...process.env, NO_COLOR: "1" },
        stdio: "ignore"
      })
      let running = true
      child.on("exit", () => {
        running = false
      })
      const sender = new BetterSqlite3(path, { timeout: 0 })
      let writes = 0
      const refused: Array<string> = []
      while (running) {
        try {
          sender.prepare("UPDATE contacts SET email = email WHERE id = 1").run()
          writes++
        } catch (cause) {
          refused.push(String(cause))
        }
        yield* Effect.sleep("50 millis")
      }
      sender.close()
      assert.deepStrictEqual(refused, [], "no write was refused")
      assert.isAtLeast(writes, 10, "writes happened while the dry run ran")
      assert.strictEqual(child.exitCode, 0)
    })
  )
})

describe("an interrupted run (issue 15)", () => {
  it.live("SIGINT stops a run with exit 130, not 0, and the next run completes", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "interrupted.sqlite", 30_000, 7, AS_OF)
      const child = spawn(process.execPath, [BIN, "run", "--db", path, "--as-of", AS_OF], {
        env: { ...process.env, NO_COLOR: "1" },
        stdio: "ignore"
      })
      // Interrupt once the run is under way: its checkpoint row says `started`.
      const started = () => {
        const db = new BetterSqlite3(path, { readonly: true, timeout: 1000 })
        try {
          return db.prepare("SELECT count(*) AS n FROM scheduler_checkpoints WHERE status = 'started'").get() as {
            n: number
          }
        } catch {
          return { n: 0 }
        } finally {
          db.close()
        }
      }
      while (started().n === 0 && child.exitCode === null) yield* Effect.sleep("100 millis")
      child.kill("SIGINT")
      const code = yield* Effect.promise(
        () => new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)))
      )
      assert.strictEqual(code, 130)
      const again = runCli(["run", "--db", path, "--as-of", AS_OF])
      assert.strictEqual(again.code, 0, again.stderr)
    })
  )

  it.live("a run killed with SIGKILL leaves `started`; the next completed run marks it `abandoned`", () =>
    Effect.gen(function* () {
      const path = yield* generatedCopy(dir, "killed.sqlite", 30_000, 8, AS_OF)
      const child = spawn(process.execPath, [BIN, "run", "--db", path, "--as-of", AS_OF], { stdio: "ignore" })
      while (statuses(path).length === 0 && child.exitCode === null) yield* Effect.sleep("100 millis")
      child.kill("SIGKILL")
      yield* Effect.promise(() => new Promise<void>((resolve) => child.on("exit", () => resolve())))
      assert.deepStrictEqual(statuses(path), ["started"], "a killed run cannot record its end")
      const again = runCli(["run", "--db", path, "--as-of", AS_OF])
      assert.strictEqual(again.code, 0, again.stderr)
      assert.deepStrictEqual(statuses(path), ["abandoned", "completed"])
    })
  )
})

/** The statuses of the database's checkpoints, oldest first (none while the table is missing or locked). */
const statuses = (path: string): ReadonlyArray<string> => {
  const db = new BetterSqlite3(path, { readonly: true, timeout: 1000 })
  try {
    return (db.prepare("SELECT status FROM scheduler_checkpoints ORDER BY id").all() as Array<{ status: string }>).map(
      (row) => row.status
    )
  } catch {
    return []
  } finally {
    db.close()
  }
}
